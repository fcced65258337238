package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/throttle"
)

// Authenticate checks a login e-mail and password. An unknown e-mail and a
// wrong password get the same error, after the same work (a hash is checked
// either way). A wrong password for an existing account is recorded in its
// activity and e-mails a security alert at most once an hour (SEC-6).
//
// In place of the e-mail, the temporary user name of an account in recovery
// is accepted, in any case ("am4821"), with the usual password (SEC-10); the
// caller then sends the session to the page that sets a new login.
//
// Attempts are throttled (package throttle): while the account or the
// client address must wait, the answer is throttle.ErrTooManyAttempts (a
// *throttle.Refusal) without the password being checked, for unknown
// e-mails alike. Attempts by temporary user name count against the account
// like those by e-mail. A right password does not clear the failures: the
// sign-in is complete only after the second step, see SignInCompleted.
func (s *Service) Authenticate(ctx context.Context, email, password string, meta audit.Meta) (User, error) {
	login := normalizeEmail(email)
	var hash string
	var u User
	var err error
	if name, ok := recoveryNameOf(login); ok {
		u, err = scanUserWithHash(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
			WHERE recovery_name = $1`, name), &hash)
	} else {
		u, err = scanUserWithHash(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
			WHERE email = $1`, login), &hash)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("account: loading user: %w", err)
	}
	known := err == nil
	if known {
		login = normalizeEmail(u.Email) // one throttle per account, whatever identifies it
	}
	if err := s.throttle().Check(ctx, s.db, login, meta.IP); err != nil {
		return User{}, err
	}
	if !known {
		_, _ = CheckPassword(password, s.dummy)
		if err := s.recordUnknownSignIn(ctx, login, meta); err != nil {
			return User{}, err
		}
		return User{}, ErrInvalidCredentials
	}
	ok, err := CheckPassword(password, hash)
	if err != nil {
		return User{}, err
	}
	if !ok {
		if err := s.recordFailedSignIn(ctx, u, meta, true); err != nil {
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

// throttle counts failed sign-ins (it holds no state of its own).
func (s *Service) throttle() *throttle.Throttle { return throttle.New(s.db.Engine, s.clock) }

// CheckSignInThrottle refuses, with a *throttle.Refusal, an attempt on the
// account of email from meta.IP that must wait; the second step of sign-in
// calls it before checking a code.
func (s *Service) CheckSignInThrottle(ctx context.Context, email string, meta audit.Meta) error {
	return s.throttle().Check(ctx, s.db, normalizeEmail(email), meta.IP)
}

// RecordFailedSecondFactor counts a wrong second-factor code against u's
// account and meta.IP, like a wrong password (the security package has
// recorded the attempt in the activity already).
func (s *Service) RecordFailedSecondFactor(ctx context.Context, u User, meta audit.Meta) error {
	return s.recordFailedSignIn(ctx, u, meta, false)
}

// SignInCompleted clears the failed attempts of u's account: a session is
// being opened after every step of sign-in.
func (s *Service) SignInCompleted(ctx context.Context, u User) error {
	return s.throttle().Reset(ctx, s.db, normalizeEmail(u.Email))
}

// recordUnknownSignIn counts a failure for an e-mail without an account, so
// that probing addresses meets the same throttle as guessing passwords.
func (s *Service) recordUnknownSignIn(ctx context.Context, login string, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := s.throttle().Failed(ctx, tx, login, meta.IP)
		return err
	})
}

// recordFailedSignIn counts a failure of u (a wrong password when
// password is true, else a wrong second-factor code). The failure that
// locks the account is audited and e-mails the owner, in the same
// transaction; a wrong password also records the attempt and alerts at most
// once an hour.
func (s *Service) recordFailedSignIn(ctx context.Context, u User, meta audit.Meta, password bool) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		locked, err := s.throttle().Failed(ctx, tx, normalizeEmail(u.Email), meta.IP)
		if err != nil {
			return err
		}
		if locked {
			if err := s.lockedAlert(ctx, tx, u, meta, now); err != nil {
				return err
			}
		}
		if !password {
			return nil
		}
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
		if recent > 0 || !u.EmailConfirmed || locked { // the lockout e-mail says enough
			return nil
		}
		if want, err := s.wantsEmail(ctx, tx, u.ID, "signin_failed"); err != nil || !want {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{SubjectUserID: u.ID, Action: "security.signin_failed_alert",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now}); err != nil {
			return err
		}
		to, err := AlertAddress(ctx, tx, u.ID, u.Email)
		if err != nil {
			return err
		}
		_, err = s.notify.Send(ctx, tx, notify.Message{Channel: "email", To: to, Language: u.Language,
			Template: "security_signin_failed", UserID: u.ID, Data: map[string]any{
				"FirstName": u.FirstName, "IP": meta.IP, "Time": formatAlertTime(now, u.TimeZone),
				"Place": s.place(meta.IP, u.Language),
			}})
		return err
	})
}

// lockedAlert audits a lockout and e-mails the owner (no link, SEC-6).
func (s *Service) lockedAlert(ctx context.Context, tx *sql.Tx, u User, meta audit.Meta, now time.Time) error {
	if err := audit.Record(ctx, tx, audit.Event{SubjectUserID: u.ID, Action: "security.account_locked",
		IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
		Data: map[string]string{"minutes": strconv.Itoa(int(throttle.LockDuration / time.Minute))}}); err != nil {
		return err
	}
	if !u.EmailConfirmed {
		return nil
	}
	to, err := AlertAddress(ctx, tx, u.ID, u.Email)
	if err != nil {
		return err
	}
	_, err = s.notify.Send(ctx, tx, notify.Message{Channel: "email", To: to, Language: u.Language,
		Template: "security_account_locked", UserID: u.ID, Data: map[string]any{
			"FirstName": u.FirstName, "IP": meta.IP, "Time": formatAlertTime(now, u.TimeZone),
			"Minutes": int(throttle.LockDuration / time.Minute),
		}})
	if err != nil {
		return fmt.Errorf("account: e-mailing the lockout: %w", err)
	}
	return nil
}

func formatAlertTime(t time.Time, tz string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

// place names ip's place in lang for an alert, or "" without a GeoIP
// database.
func (s *Service) place(ip, lang string) string {
	if s.opts.Place == nil || ip == "" {
		return ""
	}
	return s.opts.Place(ip, lang)
}
