package invite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
)

// Resend e-mails a pending invitation again, expired or not, with a new link
// and a new expiry: the old link stops working. It needs the rights to
// invite with the invitation's role.
func (s *Service) Resend(ctx context.Context, actorID, orgID, invitationID string, meta audit.Meta) (Invitation, error) {
	var inv Invitation
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		current, err := s.pending(ctx, tx, actorID, orgID, invitationID)
		if err != nil {
			return err
		}
		secret, hash, err := newSecret()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET token_hash = $1, expires_at = $2, sent_at = $3,
			invited_by = $4 WHERE id = $5`, hash, s.expiry(now), now, actorID, current.ID); err != nil {
			return fmt.Errorf("invite: renewing invitation: %w", err)
		}
		if inv, err = byID(ctx, tx, now, orgID, current.ID); err != nil {
			return err
		}
		subject, err := s.sendTx(ctx, tx, actorID, inv, secret)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: subject, OrganizationID: orgID,
			Action: "invitation.resent", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
			Data: map[string]string{"invitation_id": inv.ID, "email": inv.Email}})
	})
	return inv, err
}

// Cancel withdraws a pending invitation; its link stops working. It needs
// the rights to invite with the invitation's role.
func (s *Service) Cancel(ctx context.Context, actorID, orgID, invitationID string, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		inv, err := s.pending(ctx, tx, actorID, orgID, invitationID)
		if err != nil {
			return err
		}
		if err := setStatus(ctx, tx, inv.ID, StatusCancelled, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID,
			Action: "invitation.cancelled", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
			Data: map[string]string{"invitation_id": inv.ID, "email": inv.Email}})
	})
}

// pending loads a pending (possibly expired) invitation of orgID that
// actorID may manage; answered ones are apperr.NotFound.
func (s *Service) pending(ctx context.Context, tx *sql.Tx, actorID, orgID, invitationID string) (Invitation, error) {
	if err := allow(ctx, tx, actorID, orgID); err != nil {
		return Invitation{}, err
	}
	inv, err := byID(ctx, tx, s.clock.Now(), orgID, invitationID)
	if err != nil {
		return Invitation{}, err
	}
	if err := allow(ctx, tx, actorID, orgID, rightsToInvite(inv.Role)...); err != nil {
		return Invitation{}, err
	}
	if inv.Status != StatusPending && inv.Status != StatusExpired {
		return Invitation{}, apperr.NotFound
	}
	return inv, nil
}
