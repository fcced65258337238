package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
)

// Ways to receive a password reset (SEC-8).
const (
	ResetBySMS  = "sms"  // a 6-digit code by SMS to the account's mobile number
	ResetByLink = "link" // a single-use link to the recovery e-mail
)

// The reset policy.
const (
	ResetCodeTTL          = 10 * time.Minute // how long an SMS code works, and the form after it
	ResetLinkTTL          = time.Hour        // how long a reset link works
	ResetCodeAttempts     = 5                // wrong codes that end a reset
	ResetRequestsPerHour  = 5                // reset requests per login e-mail and hour
	ResetRequestsPerIPHr  = 20               // reset requests per client address and hour
	identityRequestWindow = 24 * time.Hour   // a repeated identity request inside this is not recorded again
)

// Errors of the password reset.
var (
	ErrResetInvalid = apperr.Register("password_reset_invalid", http.StatusGone,
		"This reset link or code is invalid, already used or expired: ask for a new one.")
	ErrResetCodeWrong = apperr.Register("password_reset_code_wrong", http.StatusUnprocessableEntity,
		"This code is wrong: check the SMS and type the 6 digits again.")
)

// SetRecoveryEmail sets the recovery e-mail of userID (ACC-1); "" removes
// it. It must be a valid address other than the login (validation_failed on
// "recovery_email"). A new address is unconfirmed: a link valid for
// RecoveryEmailTTL is sent to it (ConfirmRecoveryEmail), and until it is
// opened the address receives nothing that recovers the account.
func (s *Service) SetRecoveryEmail(ctx context.Context, userID, email string, meta audit.Meta) (User, error) {
	var u User
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = getUser(ctx, tx, userID); err != nil {
			return err
		}
		_, err = s.setRecoveryEmail(ctx, tx, &u, email, meta, s.clock.Now())
		return err
	})
	return u, err
}

// StartPasswordReset sends a reset for the login e-mail by method (SEC-8):
// ResetBySMS sends a 6-digit code to the account's mobile number and
// returns the secret of the reset, which the code then unlocks
// (VerifyResetCode); ResetByLink e-mails a single-use link to the recovery
// e-mail, only when its owner confirmed it, and returns "". The answer is
// the same whether or not the account exists or has the chosen option: then
// nothing is sent, and the returned secret never works.
//
// Errors: validation_failed on "email" or "method"; apperr.TooManyRequests
// past ResetRequestsPerHour requests for the e-mail (counted alike for
// unknown ones) or ResetRequestsPerIPHr from the address.
func (s *Service) StartPasswordReset(ctx context.Context, email, method string, meta audit.Meta) (string, error) {
	email, err := validateEmail(email)
	if err != nil {
		return "", err
	}
	if method != ResetBySMS && method != ResetByLink {
		return "", apperr.Validation.With("Choose how to receive the reset.").Field("method", method)
	}
	secret, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	code, err := newCode()
	if err != nil {
		return "", err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		if err := s.checkResetRate(ctx, tx, now, email, meta.IP); err != nil {
			return err
		}
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
		known := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("account: loading user: %w", err)
		}
		// A link goes only to a recovery e-mail its owner confirmed.
		recoveryEmail := ""
		if known && method == ResetByLink {
			if recoveryEmail, err = confirmedRecoveryEmail(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		send := known && ((method == ResetBySMS && u.Phone != "") || (method == ResetByLink && recoveryEmail != ""))
		ttl := ResetLinkTTL
		if method == ResetBySMS {
			ttl = ResetCodeTTL
		}
		var userID any
		if send {
			userID = u.ID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_resets (token_hash, user_id, email, method, code_hash,
			expires_at, ip, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			hash, userID, email, method, codeHash(hash, code), now.Add(ttl), meta.IP, now); err != nil {
			return fmt.Errorf("account: storing the reset: %w", err)
		}
		if !send {
			return nil
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: "account.password_reset_requested", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"method": method}, CreatedAt: now}); err != nil {
			return err
		}
		if method == ResetBySMS {
			_, err = s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelSMS, To: u.Phone, Language: u.Language,
				Template: "sms_code", UserID: u.ID, Data: map[string]any{"Code": code}})
			return err
		}
		_, err = s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: recoveryEmail,
			Language: u.Language, Template: "password_reset", UserID: u.ID, Data: map[string]any{
				"FirstName": u.FirstName,
				"Link":      s.notify.BaseURL() + "/signin/forgot/reset?token=" + secret,
			}})
		return err
	})
	if err != nil {
		return "", err
	}
	if method == ResetBySMS {
		return secret, nil
	}
	return "", nil
}

// checkResetRate refuses a reset request past the hourly limits.
func (s *Service) checkResetRate(ctx context.Context, tx *sql.Tx, now time.Time, email, ip string) error {
	since := now.Add(-time.Hour)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM password_resets WHERE email = $1 AND created_at > $2`,
		email, since).Scan(&n); err != nil {
		return fmt.Errorf("account: counting resets: %w", err)
	}
	if n >= ResetRequestsPerHour {
		return apperr.TooManyRequests
	}
	if ip == "" {
		return nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM password_resets WHERE ip = $1 AND created_at > $2`,
		ip, since).Scan(&n); err != nil {
		return fmt.Errorf("account: counting resets: %w", err)
	}
	if n >= ResetRequestsPerIPHr {
		return apperr.TooManyRequests
	}
	return nil
}

// VerifyResetCode checks the SMS code of the reset with secret. The right
// code opens the set-new-password step for ResetCodeTTL (ResetPassword with
// the same secret). A wrong code is ErrResetCodeWrong (on "code") and
// counts; after ResetCodeAttempts wrong codes, or past its expiry, the reset
// is ErrResetInvalid.
func (s *Service) VerifyResetCode(ctx context.Context, secret, code string) error {
	hash := hashSecret(secret)
	var result error
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var stored, method string
		var attempts int
		var expires time.Time
		var used sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT code_hash, method, attempts, expires_at, used_at FROM password_resets
			WHERE token_hash = $1`, hash).Scan(&stored, &method, &attempts, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			result = ErrResetInvalid
			return nil
		}
		if err != nil {
			return fmt.Errorf("account: loading the reset: %w", err)
		}
		if method != ResetBySMS || used.Valid || !now.Before(expires) || attempts >= ResetCodeAttempts {
			result = ErrResetInvalid
			return nil
		}
		if subtle.ConstantTimeCompare([]byte(stored), []byte(codeHash(hash, code))) != 1 {
			if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET attempts = attempts + 1 WHERE token_hash = $1`,
				hash); err != nil {
				return fmt.Errorf("account: counting a wrong code: %w", err)
			}
			result = ErrResetCodeWrong.Field("code")
			if attempts+1 >= ResetCodeAttempts {
				result = ErrResetInvalid
			}
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET verified_at = $1, expires_at = $2
			WHERE token_hash = $3`, now, now.Add(ResetCodeTTL), hash); err != nil {
			return fmt.Errorf("account: verifying the reset code: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return result
}

// CheckPasswordReset tells whether secret may set a new password now: a
// reset link not used nor expired, or an SMS reset whose code was entered.
// Otherwise ErrResetInvalid.
func (s *Service) CheckPasswordReset(ctx context.Context, secret string) error {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM password_resets WHERE token_hash = $1
		AND used_at IS NULL AND expires_at > $2 AND user_id IS NOT NULL
		AND (method = 'link' OR verified_at IS NOT NULL)`, hashSecret(secret), s.clock.Now()).Scan(&n)
	if err != nil {
		return fmt.Errorf("account: checking the reset: %w", err)
	}
	if n != 1 {
		return ErrResetInvalid
	}
	return nil
}

// ResetPassword sets a new password with a reset (SEC-8): the password
// follows the sign-up rules (validation_failed on "password"), every
// session of the user is signed out, every open reset of the user is used
// up, the event is audited ("account.password_reset") and the login address
// gets the e-mail "password_changed" (no link). ErrResetInvalid when secret
// cannot set a password (see CheckPasswordReset).
func (s *Service) ResetPassword(ctx context.Context, secret, password string, meta audit.Meta) error {
	if err := s.CheckPasswordReset(ctx, secret); err != nil {
		return err
	}
	if err := validatePassword(password); err != nil {
		return err
	}
	pwHash, err := HashPassword(password, s.opts.Password)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var userID string
		// One statement checks and uses the reset: two tabs cannot both use it.
		err := tx.QueryRowContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE token_hash = $2
			AND used_at IS NULL AND expires_at > $1 AND user_id IS NOT NULL
			AND (method = 'link' OR verified_at IS NOT NULL) RETURNING CAST(user_id AS text)`,
			now, hashSecret(secret)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrResetInvalid
		}
		if err != nil {
			return fmt.Errorf("account: using the reset: %w", err)
		}
		u, err := getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`,
			pwHash, now, u.ID); err != nil {
			return fmt.Errorf("account: resetting the password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`,
			now, u.ID); err != nil {
			return fmt.Errorf("account: voiding other resets: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
		if err != nil {
			return fmt.Errorf("account: signing out sessions: %w", err)
		}
		ended, _ := res.RowsAffected()
		if err := audit.Record(ctx, tx, audit.Event{ActorID: u.ID, SubjectUserID: u.ID,
			Action: "account.password_reset", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"sessions_ended": strconv.FormatInt(ended, 10)}, CreatedAt: now}); err != nil {
			return err
		}
		_, err = s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: u.Email, Language: u.Language,
			Template: "password_changed", UserID: u.ID, Data: map[string]any{
				"FirstName": u.FirstName,
				"Time":      formatAlertTime(now, u.TimeZone),
			}})
		return err
	})
}

// ReasonPasswordForgotten is the reason of an identity verification asked
// from the forgotten-password page (IDV-1).
const ReasonPasswordForgotten = "password_forgotten"

// RequestIdentityVerification records that the person who knows the login
// e-mail asks staff to verify their identity (SEC-8, IDV-1): a row of
// identity_requests, status "waiting", linked to the account when one
// exists. The answer is the same for an unknown e-mail; a repeated request
// for the same e-mail within a day is not recorded again.
func (s *Service) RequestIdentityVerification(ctx context.Context, email, reason string, meta audit.Meta) error {
	email, err := validateEmail(email)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var waiting int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM identity_requests WHERE email = $1 AND reason = $2
			AND status = 'waiting' AND created_at > $3`, email, reason, now.Add(-identityRequestWindow)).Scan(&waiting); err != nil {
			return fmt.Errorf("account: counting identity requests: %w", err)
		}
		if waiting > 0 {
			return nil
		}
		var userID sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT CAST(id AS text) FROM users WHERE email = $1`, email).Scan(&userID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("account: loading user: %w", err)
		}
		var uid any
		if userID.Valid {
			uid = userID.String
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_requests (id, user_id, email, reason, status, created_at)
			VALUES ($1, $2, $3, $4, 'waiting', $5)`, id.New(), uid, email, reason, now); err != nil {
			return fmt.Errorf("account: recording the identity request: %w", err)
		}
		if !userID.Valid {
			return nil
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: userID.String,
			Action: "account.identity_verification_requested", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"reason": reason}, CreatedAt: now})
	})
}

// newCode returns 6 random digits.
func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("account: reading random bytes: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// codeHash is the stored form of a reset's SMS code, salted with the
// reset's own hash.
func codeHash(tokenHash, code string) string {
	return hashSecret(tokenHash + ":" + code)
}
