package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// Passkeys lists userID's passkeys, oldest first; never nil.
func (s *Service) Passkeys(ctx context.Context, userID string) ([]Passkey, error) {
	if !id.Valid(userID) {
		return nil, apperr.NotFound
	}
	return passkeys(ctx, s.db, userID)
}

// HasPasskeys reports whether userID has a passkey, and whether the server
// can run passkey ceremonies at all: the second-step page offers "Use a
// passkey" only then.
func (s *Service) HasPasskeys(ctx context.Context, userID string) (bool, error) {
	if !id.Valid(userID) {
		return false, apperr.NotFound
	}
	if s.webauthn.Load() == nil {
		return false, nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM passkeys WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("security: counting passkeys: %w", err)
	}
	return n > 0, nil
}

// passkeyOf returns the passkey passkeyID of userID; another user's, or
// none, is apperr.NotFound.
func passkeyOf(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, userID, passkeyID string) (Passkey, error) {
	if !id.Valid(userID) || !id.Valid(passkeyID) {
		return Passkey{}, apperr.NotFound
	}
	var p Passkey
	var used sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT id, name, created_at, last_used_at FROM passkeys
		WHERE id = $1 AND user_id = $2`, passkeyID, userID).Scan(&p.ID, &p.Name, &p.CreatedAt, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return Passkey{}, apperr.NotFound
	}
	if err != nil {
		return Passkey{}, fmt.Errorf("security: loading the passkey: %w", err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	if used.Valid {
		t := used.Time.UTC()
		p.LastUsedAt = &t
	}
	return p, nil
}

// RenamePasskey names userID's passkey passkeyID (1 to 100 characters,
// apperr.Validation on "name"); another user's passkey is apperr.NotFound.
func (s *Service) RenamePasskey(ctx context.Context, userID, passkeyID, name string, meta audit.Meta) (Passkey, error) {
	name, err := passkeyName(name)
	if err != nil {
		return Passkey{}, err
	}
	var p Passkey
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if p, err = passkeyOf(ctx, tx, userID, passkeyID); err != nil {
			return err
		}
		if p.Name == name {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE passkeys SET name = $1 WHERE id = $2`, name, p.ID); err != nil {
			return fmt.Errorf("security: renaming the passkey: %w", err)
		}
		old := p.Name
		p.Name = name
		return audit.Record(ctx, tx, audit.Event{ActorID: actor(meta, userID), SubjectUserID: userID,
			Action: "security.passkey_renamed", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"from": old, "name": name}, CreatedAt: s.clock.Now()})
	})
	if err != nil {
		return Passkey{}, err
	}
	return p, nil
}

// RemovePasskey removes userID's passkey passkeyID after checking the
// password (account.ErrCurrentPasswordWrong on "password"). Another user's
// passkey is apperr.NotFound, whatever the password. Removing the last
// method switches two-step sign-in off (SEC-5) — refused while an
// organization of the user requires it (ErrTwoStepRequired).
func (s *Service) RemovePasskey(ctx context.Context, userID, passkeyID, password string, meta audit.Meta) error {
	if _, err := passkeyOf(ctx, s.db, userID, passkeyID); err != nil {
		return err
	}
	u, err := s.checkPassword(ctx, userID, password)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		p, err := passkeyOf(ctx, tx, userID, passkeyID)
		if err != nil {
			return err
		}
		if err := checkRemoval(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM passkeys WHERE id = $1`, p.ID); err != nil {
			return fmt.Errorf("security: removing the passkey: %w", err)
		}
		return s.methodRemoved(ctx, tx, u, "security.passkey_removed", map[string]string{"name": p.Name}, meta, now)
	})
}
