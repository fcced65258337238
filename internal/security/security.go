// Package security runs two-step sign-in and the security page of the
// profile (SPEC SEC-1, SEC-2, SEC-5, SEC-6, SEC-7): one-time codes from an
// authenticator app (TOTP, RFC 6238), single-use backup codes, the second
// step of a sign-in, the recent activity and the signed-in sessions.
//
// # Rules
//
//   - A one-time code has 6 digits and changes every 30 seconds; the codes of
//     the step before and after are accepted too (clocks drift), and every
//     time step is accepted once only (totp_secrets.last_used_step), so a
//     code seen over a shoulder cannot be replayed.
//   - Switching one-time codes on takes a first valid code; it creates 10
//     backup codes of 10 characters ("xxxxx-xxxxx", from an alphabet without
//     look-alike characters), shown once. They are stored as sha256 hashes,
//     accepted with or without the dash, in any case, and each works once.
//   - Regenerating backup codes and switching two-step off need the password;
//     switching off also needs a valid code (one-time or backup) and deletes
//     the backup codes.
//   - Codes are compared in constant time.
//   - A pending sign-in (challenge) lasts 5 minutes, allows 5 wrong codes and
//     completes once.
//   - Every change is audited, and switching two-step on or off sends the
//     security e-mail "two_step_changed" (no link, SEC-6) in the user's
//     language, in the same transaction.
//   - Time comes only from the injected clock.
package security

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/store"
)

// Errors of this package.
var (
	// ErrTOTPAlreadyOn refuses a new set-up while one-time codes are on.
	ErrTOTPAlreadyOn = apperr.Register("two_step_already_on", http.StatusConflict,
		"One-time codes are already on: switch them off first to link another app.")
	// ErrTOTPNotStarted refuses a confirmation without a set-up started.
	ErrTOTPNotStarted = apperr.Register("two_step_setup_not_started", http.StatusConflict,
		"Start linking the authenticator app first.")
	// ErrTwoStepOff refuses what needs two-step sign-in to be on.
	ErrTwoStepOff = apperr.Register("two_step_off", http.StatusConflict,
		"Two-step sign-in is off.")
	// ErrCodeInvalid is a wrong one-time or backup code; its attribute is "code".
	ErrCodeInvalid = apperr.Register("code_invalid", http.StatusUnprocessableEntity,
		"This code is wrong or already used: enter the current code of your app, or a backup code.")
	// ErrChallengeInvalid ends a pending sign-in: unknown, expired, used, or
	// too many wrong codes. The person signs in again from the start.
	ErrChallengeInvalid = apperr.Register("signin_challenge_invalid", http.StatusUnauthorized,
		"This sign-in has expired: enter your e-mail address and password again.")
	// ErrTwoStepRequired refuses switching two-step sign-in off while an
	// organization of the user requires it (SEC-5); the message names it.
	ErrTwoStepRequired = apperr.Register("two_step_required", http.StatusConflict,
		"An organization you belong to requires two-step sign-in: it stays on while you are a member.")
)

// Service runs two-step sign-in and the security page.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	notify   *notify.Notifier
	accounts *account.Service
	places   Places // nil: no GeoIP database
	// webauthn is the relying party of passkeys (UseWebAuthn); nil: off.
	webauthn atomic.Pointer[webauthn.WebAuthn]
}

// New returns the security service.
func New(db *store.DB, clk clock.Clock, n *notify.Notifier, accounts *account.Service) *Service {
	return &Service{db: db, clock: clk, notify: n, accounts: accounts}
}

// newToken returns a random secret and its sha256 hex hash, the only form
// stored.
func newToken() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("security: reading random bytes: %w", err)
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, hashHex(secret), nil
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// checkPassword checks that password is userID's current one; a wrong one
// is account.ErrCurrentPasswordWrong on the attribute "password". It reads
// outside any transaction: the slow hash must not hold SQLite's connection.
func (s *Service) checkPassword(ctx context.Context, userID, password string) (account.User, error) {
	if !id.Valid(userID) {
		return account.User{}, apperr.NotFound
	}
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return account.User{}, apperr.NotFound
	}
	if err != nil {
		return account.User{}, fmt.Errorf("security: loading password: %w", err)
	}
	ok, err := account.CheckPassword(password, hash)
	if err != nil {
		return account.User{}, fmt.Errorf("security: checking password: %w", err)
	}
	if !ok {
		return account.User{}, account.ErrCurrentPasswordWrong.Field("password")
	}
	return s.accounts.Get(ctx, userID)
}

// sendChanged e-mails the user that two-step sign-in was switched on or off
// (SEC-6: no link), unless the user switched that e-mail off (SEC-7).
func (s *Service) sendChanged(ctx context.Context, tx *sql.Tx, u account.User, on bool, now time.Time) error {
	if want, err := WantsEmail(ctx, tx, u.ID, EventTwoStepChanged); err != nil || !want {
		return err
	}
	_, err := s.notify.Send(ctx, tx, notify.Message{Channel: "email", To: u.Email, Language: u.Language,
		Template: "two_step_changed", UserID: u.ID, Data: map[string]any{
			"FirstName": u.FirstName,
			"On":        on,
			"Time":      formatTime(now, u.TimeZone),
		}})
	if err != nil {
		return fmt.Errorf("security: sending the two-step e-mail: %w", err)
	}
	return nil
}

func formatTime(t time.Time, tz string) string {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
