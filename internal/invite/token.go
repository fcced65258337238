package invite

import (
	"context"
	"database/sql"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// ByToken returns the invitation of a link, for the page it opens, or
// ErrInvitationInvalid when it is unknown, expired, answered or cancelled.
func (s *Service) ByToken(ctx context.Context, token string) (Invitation, error) {
	return byToken(ctx, s.db, s.clock.Now(), token)
}

// AcceptByToken accepts the invitation of a link for the signed-in userID,
// whose login must be the invited address (else ErrInvitationOtherEmail):
// the link proves the mailbox, so an unconfirmed login is accepted too.
func (s *Service) AcceptByToken(ctx context.Context, userID, token string, meta audit.Meta) (Invitation, error) {
	if !id.Valid(userID) {
		return Invitation{}, apperr.NotFound
	}
	var inv Invitation
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var err error
		if inv, err = byToken(ctx, tx, now, token); err != nil {
			return err
		}
		var email string
		if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = $1`, userID).Scan(&email); err != nil {
			if err == sql.ErrNoRows {
				return apperr.NotFound
			}
			return err
		}
		if email != inv.Email {
			return ErrInvitationOtherEmail
		}
		return s.acceptTx(ctx, tx, now, inv, userID, meta)
	})
	if err != nil {
		return Invitation{}, err
	}
	inv.Status = StatusAccepted
	return inv, nil
}

// DeclineByToken declines the invitation of a link, whoever holds it.
func (s *Service) DeclineByToken(ctx context.Context, token string, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		inv, err := byToken(ctx, tx, now, token)
		if err != nil {
			return err
		}
		return s.declineTx(ctx, tx, now, inv, meta.ActorID, meta)
	})
}

// SignUpAndAccept opens an account from an invitation's link and accepts
// it, in one transaction (ACC-2): the account has the invited address
// (whatever in.Email says), confirmed by the link, and no organization of
// its own.
func (s *Service) SignUpAndAccept(ctx context.Context, token string, in account.SignUpInput, meta audit.Meta) (account.User, error) {
	inv, err := s.ByToken(ctx, token)
	if err != nil {
		return account.User{}, err
	}
	in.Email, in.NoOrganization, in.Confirmed, in.OrganizationName = inv.Email, true, true, ""
	in.Join = func(ctx context.Context, tx *sql.Tx, u account.User) error {
		now := s.clock.Now()
		current, err := byToken(ctx, tx, now, token) // answered or resent meanwhile?
		if err != nil {
			return err
		}
		return s.acceptTx(ctx, tx, now, current, u.ID, meta)
	}
	return s.accounts.SignUp(ctx, in, meta)
}
