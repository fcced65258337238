package invite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/org"
)

// Accept joins userID to the organization of an invitation to their login
// address, with its role, rights, products and teams. Invitations to another
// address are apperr.NotFound; the login address must be confirmed.
func (s *Service) Accept(ctx context.Context, userID, invitationID string, meta audit.Meta) (Invitation, error) {
	var inv Invitation
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var err error
		if inv, err = s.forUser(ctx, tx, now, userID, invitationID); err != nil {
			return err
		}
		return s.acceptTx(ctx, tx, now, inv, userID, meta)
	})
	if err != nil {
		return Invitation{}, err
	}
	inv.Status = StatusAccepted
	return inv, nil
}

// Decline refuses an invitation to userID's login address. Invitations to
// another address are apperr.NotFound.
func (s *Service) Decline(ctx context.Context, userID, invitationID string, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		inv, err := s.forUser(ctx, tx, now, userID, invitationID)
		if err != nil {
			return err
		}
		return s.declineTx(ctx, tx, now, inv, userID, meta)
	})
}

// forUser loads a pending invitation to userID's confirmed login address.
func (s *Service) forUser(ctx context.Context, tx *sql.Tx, now time.Time, userID, invitationID string) (Invitation, error) {
	if !id.Valid(userID) || !id.Valid(invitationID) {
		return Invitation{}, apperr.NotFound
	}
	var email string
	var confirmed sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT email, email_confirmed_at FROM users WHERE id = $1`, userID).
		Scan(&email, &confirmed); err != nil {
		if err == sql.ErrNoRows {
			return Invitation{}, apperr.NotFound
		}
		return Invitation{}, fmt.Errorf("invite: loading user: %w", err)
	}
	if !confirmed.Valid {
		return Invitation{}, account.ErrEmailNotConfirmed
	}
	inv, err := scan(tx.QueryRowContext(ctx, `SELECT `+columns+from+`WHERE i.id = $1 AND i.email = $2`,
		invitationID, email), now)
	if err == sql.ErrNoRows {
		return Invitation{}, apperr.NotFound
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: loading invitation: %w", err)
	}
	if inv.Status != StatusPending {
		return Invitation{}, ErrInvitationInvalid
	}
	return inv, nil
}

// acceptTx adds userID to the organization as inv says, with the products
// and teams that still exist, and marks inv accepted.
func (s *Service) acceptTx(ctx context.Context, tx *sql.Tx, now time.Time, inv Invitation, userID string, meta audit.Meta) error {
	if err := setStatus(ctx, tx, inv.ID, StatusAccepted, now); err != nil {
		return err
	}
	products, err := existing(ctx, tx, `SELECT 1 FROM products WHERE organization_id = $1 AND id = $2`,
		inv.OrganizationID, inv.ProductIDs)
	if err != nil {
		return err
	}
	teams, err := existing(ctx, tx, `SELECT 1 FROM teams WHERE organization_id = $1 AND id = $2`,
		inv.OrganizationID, inv.TeamIDs)
	if err != nil {
		return err
	}
	if err := org.AddMemberTx(ctx, tx, now, inv.OrganizationID, userID, inv.Role, inv.Billing,
		inv.ContactPreferences, products); err != nil {
		return err
	}
	for _, teamID := range teams {
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (team_id, user_id) DO NOTHING`, teamID, userID, now); err != nil {
			return fmt.Errorf("invite: joining team: %w", err)
		}
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: userID, SubjectUserID: userID, OrganizationID: inv.OrganizationID,
		Action: "invitation.accepted", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
		Data: map[string]string{"invitation_id": inv.ID, "role": inv.Role}})
}

// declineTx marks inv declined by userID (empty: someone holding the link).
func (s *Service) declineTx(ctx context.Context, tx *sql.Tx, now time.Time, inv Invitation, userID string, meta audit.Meta) error {
	if err := setStatus(ctx, tx, inv.ID, StatusDeclined, now); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: userID, SubjectUserID: userID, OrganizationID: inv.OrganizationID,
		Action: "invitation.declined", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
		Data: map[string]string{"invitation_id": inv.ID, "email": inv.Email}})
}

// setStatus answers a pending invitation; one answered meanwhile (or
// expired) is ErrInvitationInvalid.
func setStatus(ctx context.Context, tx *sql.Tx, invitationID, status string, now time.Time) error {
	cond := ` AND expires_at > $5`
	args := []any{status, now, invitationID, StatusPending, now}
	if status == StatusCancelled { // an administrator may cancel an expired invitation
		cond, args = ``, args[:4]
	}
	res, err := tx.ExecContext(ctx, `UPDATE invitations SET status = $1, responded_at = $2
		WHERE id = $3 AND status = $4`+cond, args...)
	if err != nil {
		return fmt.Errorf("invite: answering invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrInvitationInvalid
	}
	return nil
}

// existing returns the ids for which query (with orgID and the id) finds a
// row: the products and teams of an invitation that were not deleted since.
func existing(ctx context.Context, tx *sql.Tx, query, orgID string, ids []string) ([]string, error) {
	out := []string{}
	for _, v := range ids {
		if !id.Valid(v) {
			continue
		}
		var one int
		err := tx.QueryRowContext(ctx, query, orgID, v).Scan(&one)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("invite: checking what the invitation grants: %w", err)
		}
		out = append(out, v)
	}
	return out, nil
}
