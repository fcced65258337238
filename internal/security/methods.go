package security

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
)

// Two-step sign-in is on while a user has at least one method: one-time
// codes, a linked phone, or a passkey (SEC-1, SEC-5). Backup codes are not
// a method of their own: they come with the first method and go with the
// last one. The functions here are shared by every method, so that adding
// and removing them follows one rule.

// Phone is a phone linked as an authenticator (SEC-3).
type Phone struct {
	ID         string // the device's id
	Name       string
	LinkedAt   time.Time
	LastSeenAt time.Time
}

// Passkey is a WebAuthn credential of a user.
type Passkey struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// methodCount counts userID's methods: confirmed one-time codes, linked
// phones and passkeys.
func methodCount(ctx context.Context, q store.Querier, userID string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM totp_secrets WHERE user_id = $1 AND confirmed_at IS NOT NULL) +
		(SELECT COUNT(*) FROM authenticator_links WHERE user_id = $1) +
		(SELECT COUNT(*) FROM passkeys WHERE user_id = $1)`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("security: counting two-step methods: %w", err)
	}
	return n, nil
}

// methodAdded is called in the transaction that added a method, after its
// rows were written. When it is the user's first method, two-step sign-in
// has just been switched on: it creates the backup codes and returns them,
// to be shown once (SEC-2), and sends the security e-mail. Otherwise it
// returns nil codes. action is the audit action of the method
// ("security.totp_enabled", "security.phone_linked", "security.passkey_added").
func (s *Service) methodAdded(ctx context.Context, tx *sql.Tx, u account.User, action string, data map[string]string, meta audit.Meta, now time.Time) ([]string, error) {
	if err := audit.Record(ctx, tx, audit.Event{ActorID: actor(meta, u.ID), SubjectUserID: u.ID,
		Action: action, IP: meta.IP, UserAgent: meta.UserAgent, Data: data, CreatedAt: now}); err != nil {
		return nil, err
	}
	n, err := methodCount(ctx, tx, u.ID)
	if err != nil || n != 1 {
		return nil, err
	}
	codes, hashes, err := newBackupCodes()
	if err != nil {
		return nil, err
	}
	if err := replaceBackupCodes(ctx, tx, u.ID, hashes, now); err != nil {
		return nil, err
	}
	if err := s.sendChanged(ctx, tx, u, true, now); err != nil {
		return nil, err
	}
	return codes, nil
}

// checkRemoval is called in the transaction that is about to remove one of
// userID's methods, before deleting anything: removing the last method
// switches two-step sign-in off, which an organization of the user may
// forbid (ErrTwoStepRequired, SEC-5).
func checkRemoval(ctx context.Context, tx *sql.Tx, userID string) error {
	n, err := methodCount(ctx, tx, userID)
	if err != nil {
		return err
	}
	if n > 1 {
		return nil
	}
	return refuseIfRequired(ctx, tx, userID)
}

// methodRemoved is called in the transaction that removed a method, after
// its rows were deleted. It audits action; when no method is left, two-step
// sign-in is off (SEC-5): the backup codes and the pending sign-ins are
// deleted and the user gets the security e-mail.
func (s *Service) methodRemoved(ctx context.Context, tx *sql.Tx, u account.User, action string, data map[string]string, meta audit.Meta, now time.Time) error {
	if err := audit.Record(ctx, tx, audit.Event{ActorID: actor(meta, u.ID), SubjectUserID: u.ID,
		Action: action, IP: meta.IP, UserAgent: meta.UserAgent, Data: data, CreatedAt: now}); err != nil {
		return err
	}
	n, err := methodCount(ctx, tx, u.ID)
	if err != nil || n > 0 {
		return err
	}
	for _, q := range []string{
		`DELETE FROM backup_codes WHERE user_id = $1`,
		`DELETE FROM signin_challenges WHERE user_id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, u.ID); err != nil {
			return fmt.Errorf("security: switching two-step sign-in off: %w", err)
		}
	}
	return s.sendChanged(ctx, tx, u, false, now)
}

// phones lists userID's linked phones, most recently linked first.
func phones(ctx context.Context, q store.Querier, userID string) ([]Phone, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.name, l.created_at, d.last_seen_at
		FROM authenticator_links l JOIN authenticator_devices d ON d.id = l.device_id
		WHERE l.user_id = $1 ORDER BY l.created_at DESC, d.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("security: listing phones: %w", err)
	}
	defer rows.Close()
	list := []Phone{}
	for rows.Next() {
		var p Phone
		if err := rows.Scan(&p.ID, &p.Name, &p.LinkedAt, &p.LastSeenAt); err != nil {
			return nil, fmt.Errorf("security: reading phones: %w", err)
		}
		p.LinkedAt, p.LastSeenAt = p.LinkedAt.UTC(), p.LastSeenAt.UTC()
		list = append(list, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("security: reading phones: %w", err)
	}
	return list, nil
}

// passkeys lists userID's passkeys, oldest first.
func passkeys(ctx context.Context, q store.Querier, userID string) ([]Passkey, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, created_at, last_used_at FROM passkeys
		WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("security: listing passkeys: %w", err)
	}
	defer rows.Close()
	list := []Passkey{}
	for rows.Next() {
		var p Passkey
		var used sql.NullTime
		if err := rows.Scan(&p.ID, &p.Name, &p.CreatedAt, &used); err != nil {
			return nil, fmt.Errorf("security: reading passkeys: %w", err)
		}
		p.CreatedAt = p.CreatedAt.UTC()
		if used.Valid {
			t := used.Time.UTC()
			p.LastUsedAt = &t
		}
		list = append(list, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("security: reading passkeys: %w", err)
	}
	return list, nil
}
