package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/notify"
)

// Authenticate checks a login e-mail and password. An unknown e-mail and a
// wrong password get the same error, after the same work (a hash is checked
// either way). A wrong password for an existing account is recorded in its
// activity and e-mails a security alert at most once an hour (SEC-6).
func (s *Service) Authenticate(ctx context.Context, email, password string, meta audit.Meta) (User, error) {
	var hash string
	u, err := scanUserWithHash(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE email = $1`, normalizeEmail(email)), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		_, _ = CheckPassword(password, s.dummy)
		return User{}, ErrInvalidCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("account: loading user: %w", err)
	}
	ok, err := CheckPassword(password, hash)
	if err != nil {
		return User{}, err
	}
	if !ok {
		if err := s.recordFailedSignIn(ctx, u, meta); err != nil {
			return User{}, err
		}
		return User{}, ErrInvalidCredentials
	}
	if !u.EmailConfirmed {
		return User{}, ErrEmailNotConfirmed
	}
	return u, nil
}

func scanUserWithHash(row *sql.Row, hash *string) (User, error) {
	var u User
	var confirmed sql.NullTime
	err := row.Scan(&u.ID, &u.Email, &u.FirstName, &u.LastName, &u.Phone, &u.RecoveryEmail,
		&u.Language, &u.Country, &u.TimeZone, &confirmed, &u.CreatedAt, &u.UpdatedAt, hash)
	u.EmailConfirmed = confirmed.Valid
	return u, err
}

// AlertInterval is the least time between two wrong-password alerts (SEC-6).
const AlertInterval = time.Hour

func (s *Service) recordFailedSignIn(ctx context.Context, u User, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		if err := audit.Record(ctx, tx, audit.Event{SubjectUserID: u.ID, Action: "session.signin_failed",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now}); err != nil {
			return err
		}
		var recent int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1
			AND action = 'security.signin_failed_alert' AND created_at > $2`, u.ID, now.Add(-AlertInterval)).
			Scan(&recent); err != nil {
			return fmt.Errorf("account: counting alerts: %w", err)
		}
		if recent > 0 || !u.EmailConfirmed {
			return nil
		}
		if err := audit.Record(ctx, tx, audit.Event{SubjectUserID: u.ID, Action: "security.signin_failed_alert",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now}); err != nil {
			return err
		}
		_, err := s.notify.Send(ctx, tx, notify.Message{Channel: "email", To: u.Email, Language: u.Language,
			Template: "security_signin_failed", UserID: u.ID, Data: map[string]any{
				"FirstName": u.FirstName, "IP": meta.IP, "Time": formatAlertTime(now, u.TimeZone),
			}})
		return err
	})
}

func formatAlertTime(t time.Time, tz string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
