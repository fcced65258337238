package account

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/store"
)

// Recovery mode (SEC-10): the login e-mail was a mailbox hosted by the
// provider, and that mailbox was deleted. The account gets a temporary user
// name — the initials and digits, "AM4821" — sent by SMS and to the
// confirmed recovery e-mail. Signing in with it (or the old address) and the
// usual password leads only to the page that sets a new login e-mail; the
// API refuses the account's tokens meanwhile (ErrAccountInRecovery). Once
// the new address is confirmed by its link, the account leaves recovery.

// ReasonRecoveryNoChannel is the reason of the identity verification opened
// when an account enters recovery with neither a phone nor a confirmed
// recovery e-mail to receive its temporary user name (IDV-1).
const ReasonRecoveryNoChannel = "recovery_no_channel"

// Errors of recovery mode.
var (
	// ErrAccountInRecovery refuses what an account in recovery may not do
	// yet: everything but choosing a new login e-mail in the console.
	ErrAccountInRecovery = apperr.Register("account_in_recovery", http.StatusForbidden,
		"This account is in recovery: its login e-mail no longer works. Sign in to the console with your temporary user name and password, and choose a new login e-mail.")
	// ErrNotInRecovery refuses the recovery page's change to an account
	// that is not in recovery.
	ErrNotInRecovery = apperr.Register("account_not_in_recovery", http.StatusConflict,
		"Your account is not in recovery: change your login e-mail on the security page.")
)

// Recovery is what EnterRecovery did.
type Recovery struct {
	UserID string
	Name   string // the temporary user name
	SMS    bool   // sent by SMS to the account's phone
	Email  bool   // sent to the confirmed recovery e-mail
	// IdentityRequestID is the identity verification opened when neither
	// channel exists; "" otherwise.
	IdentityRequestID string
}

// recoveryNameAttempts is how many names EnterRecovery tries before giving
// up; after the first few it uses 6 digits instead of 4.
const recoveryNameAttempts = 8

// EnterRecovery puts the account whose login is loginEmail in recovery
// (SEC-10): it gets a temporary user name, sent by SMS to its phone and to
// its recovery e-mail when confirmed (no link in either), in the same
// transaction; with neither, an identity verification request is opened
// instead (ReasonRecoveryNoChannel). An account already in recovery keeps
// its name, which is sent again. Audited as "account.recovery_started".
//
// It is called by the operator's side (the mail system deleting a mailbox),
// so an unknown address is apperr.NotFound.
func (s *Service) EnterRecovery(ctx context.Context, loginEmail string, meta audit.Meta) (Recovery, error) {
	u, err := s.GetByEmail(ctx, loginEmail)
	if err != nil {
		return Recovery{}, err
	}
	for attempt := 0; ; attempt++ {
		name, err := newRecoveryName(u, attempt)
		if err != nil {
			return Recovery{}, err
		}
		rec, err := s.enterRecovery(ctx, u, name, meta)
		if store.IsUniqueViolation(err) && attempt+1 < recoveryNameAttempts {
			continue // another account has that name: draw again
		}
		if err != nil {
			return Recovery{}, fmt.Errorf("account: entering recovery: %w", err)
		}
		return rec, nil
	}
}

func (s *Service) enterRecovery(ctx context.Context, u User, name string, meta audit.Meta) (Recovery, error) {
	rec := Recovery{UserID: u.ID}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		u, err := getUser(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		var current sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT recovery_name FROM users WHERE id = $1`, u.ID).Scan(&current); err != nil {
			return fmt.Errorf("account: loading the recovery state: %w", err)
		}
		if current.Valid {
			name = current.String
		} else if _, err := tx.ExecContext(ctx, `UPDATE users SET recovery_name = $1, recovery_started_at = $2,
			updated_at = $2 WHERE id = $3`, name, now, u.ID); err != nil {
			return err // a unique violation makes EnterRecovery draw another name
		}
		rec.Name = name
		to, err := confirmedRecoveryEmail(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		data := map[string]any{"FirstName": u.FirstName, "Name": name, "Login": u.Email}
		if u.Phone != "" {
			if _, err := s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelSMS, To: u.Phone,
				Language: u.Language, Template: "security_recovery_mode_sms", UserID: u.ID, Data: data}); err != nil {
				return fmt.Errorf("account: sending the temporary user name by SMS: %w", err)
			}
			rec.SMS = true
		}
		if to != "" {
			if _, err := s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: to,
				Language: u.Language, Template: "security_recovery_mode", UserID: u.ID, Data: data}); err != nil {
				return fmt.Errorf("account: e-mailing the temporary user name: %w", err)
			}
			rec.Email = true
		}
		channels := []string{}
		if rec.SMS {
			channels = append(channels, "sms")
		}
		if rec.Email {
			channels = append(channels, "email")
		}
		if len(channels) == 0 {
			channels = append(channels, "identity_request")
			if rec.IdentityRequestID, err = openIdentityRequest(ctx, tx, u, ReasonRecoveryNoChannel, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: "account.recovery_started", IP: meta.IP, UserAgent: meta.UserAgent,
			Data:      map[string]string{"channels": strings.Join(channels, ","), "again": strconv.FormatBool(current.Valid)},
			CreatedAt: now})
	})
	return rec, err
}

// openIdentityRequest returns the waiting identity verification of u for
// reason, opening one (with u's login and phone, for staff) when there is
// none: a user has at most one waiting request per reason.
func openIdentityRequest(ctx context.Context, tx *sql.Tx, u User, reason string, now time.Time) (string, error) {
	var reqID string
	err := tx.QueryRowContext(ctx, `SELECT CAST(id AS text) FROM identity_requests WHERE user_id = $1 AND reason = $2
		AND status = 'waiting' ORDER BY created_at DESC LIMIT 1`, u.ID, reason).Scan(&reqID)
	if err == nil {
		return reqID, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("account: loading identity requests: %w", err)
	}
	reqID = id.New()
	if _, err := tx.ExecContext(ctx, `INSERT INTO identity_requests (id, user_id, email, phone, reason, status, created_at)
		VALUES ($1, $2, $3, $4, $5, 'waiting', $6)`, reqID, u.ID, u.Email, u.Phone, reason, now); err != nil {
		return "", fmt.Errorf("account: recording the identity request: %w", err)
	}
	return reqID, nil
}

// newRecoveryName draws a temporary user name: u's initials, in ASCII
// capitals ("É" is "E"; "X" when there is none), and 4 random digits, or 6
// after a few collisions.
func newRecoveryName(u User, attempt int) (string, error) {
	digits := 4
	if attempt >= recoveryNameAttempts/2 {
		digits = 6
	}
	limit := int64(1)
	for range digits {
		limit *= 10
	}
	n, err := rand.Int(rand.Reader, big.NewInt(limit))
	if err != nil {
		return "", fmt.Errorf("account: reading random bytes: %w", err)
	}
	return fmt.Sprintf("%s%0*d", asciiInitials(u), digits, n.Int64()), nil
}

// asciiInitials are the first letters of u's first and last names, without
// accents, as ASCII capitals; "X" when no name starts with a Latin letter.
func asciiInitials(u User) string {
	var b strings.Builder
	for _, part := range []string{u.FirstName, u.LastName} {
		for _, r := range norm.NFD.String(strings.TrimSpace(part)) {
			if unicode.Is(unicode.Mn, r) {
				continue
			}
			if r = unicode.ToUpper(r); r >= 'A' && r <= 'Z' {
				b.WriteRune(r)
			}
			break
		}
	}
	if b.Len() == 0 {
		return "X"
	}
	return b.String()
}

// recoveryNameOf normalizes what a person typed as a temporary user name:
// capitals, no spaces. It reports false for anything that cannot be one
// (an e-mail address).
func recoveryNameOf(login string) (string, bool) {
	name := strings.ToUpper(strings.Join(strings.Fields(login), ""))
	if name == "" || len(name) > 16 || strings.Contains(name, "@") {
		return "", false
	}
	for _, r := range name {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return "", false
		}
	}
	return name, true
}

// InRecovery reports whether userID's account is in recovery (SEC-10).
func (s *Service) InRecovery(ctx context.Context, userID string) (bool, error) {
	if !id.Valid(userID) {
		return false, apperr.NotFound
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1 AND recovery_name IS NOT NULL`,
		userID).Scan(&n); err != nil {
		return false, fmt.Errorf("account: loading the recovery state: %w", err)
	}
	return n > 0, nil
}

// RequestRecoveryLogin starts the change of login of userID's account in
// recovery (SEC-10): a confirmation link valid for Options.ConfirmationTTL
// goes to newEmail (template "email_change"); the login changes, and
// recovery ends, when it is opened (ConfirmRecoveryLogin). A new request
// voids the link of an earlier one. The password was checked at sign-in.
//
// Errors: ErrNotInRecovery; validation_failed on "email" for a malformed
// address or the old login; ErrEmailTaken when another account uses it.
func (s *Service) RequestRecoveryLogin(ctx context.Context, userID, newEmail string, meta audit.Meta) error {
	email, err := validateEmail(newEmail)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		u, err := getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		var inRecovery int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1 AND recovery_name IS NOT NULL`,
			u.ID).Scan(&inRecovery); err != nil {
			return fmt.Errorf("account: loading the recovery state: %w", err)
		}
		if inRecovery == 0 {
			return ErrNotInRecovery
		}
		if email == u.Email {
			return apperr.Validation.With("This is the address that no longer works: enter another one.").Field("email", email)
		}
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = $1`, email).Scan(&taken); err != nil {
			return fmt.Errorf("account: looking up the new e-mail: %w", err)
		}
		if taken > 0 {
			return ErrEmailTaken.Field("email", email)
		}
		now := s.clock.Now()
		if err := voidLinks(ctx, tx, u.ID, purposeLoginEmail, now); err != nil {
			return err
		}
		secret, err := newLink(ctx, tx, u.ID, email, purposeLoginEmail, s.opts.ConfirmationTTL, now)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: "account.email_change_requested", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"email": email, "reason": "recovery"}, CreatedAt: now}); err != nil {
			return err
		}
		_, err = s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: email, Language: u.Language,
			Template: "email_change", UserID: u.ID, Data: map[string]any{
				"FirstName": u.FirstName,
				"Email":     email,
				"Link":      s.notify.BaseURL() + "/recovery/email/confirm?token=" + secret,
				"Hours":     strconv.Itoa(int(s.opts.ConfirmationTTL / time.Hour)),
			}})
		return err
	})
}

// ConfirmRecoveryLogin opens the link sent by RequestRecoveryLogin: the
// address becomes the confirmed login, the temporary user name stops
// working and the account leaves recovery (audited "account.email_changed"
// and "account.recovery_ended"). A link works once, until it expires, and
// only while the account is in recovery; otherwise ErrConfirmationInvalid.
// ErrEmailTaken when another account took the address meanwhile.
func (s *Service) ConfirmRecoveryLogin(ctx context.Context, token string, meta audit.Meta) (User, error) {
	var u User
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		userID, email, err := useLink(ctx, tx, token, purposeLoginEmail, now)
		if err != nil {
			return err
		}
		old, err := getUser(ctx, tx, userID)
		if err != nil {
			return ErrConfirmationInvalid
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET email = $1, email_confirmed_at = $2, recovery_name = NULL,
			recovery_started_at = NULL, updated_at = $2 WHERE id = $3 AND recovery_name IS NOT NULL`, email, now, userID)
		if store.IsUniqueViolation(err) {
			return ErrEmailTaken.Field("email", email)
		}
		if err != nil {
			return fmt.Errorf("account: changing the login e-mail: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConfirmationInvalid // recovery ended another way
		}
		for _, ev := range []audit.Event{
			{Action: "account.email_changed", Data: map[string]string{"from": old.Email, "to": email, "reason": "recovery"}},
			{Action: "account.recovery_ended"},
		} {
			ev.ActorID, ev.SubjectUserID, ev.IP, ev.UserAgent, ev.CreatedAt = userID, userID, meta.IP, meta.UserAgent, now
			if err := audit.Record(ctx, tx, ev); err != nil {
				return err
			}
		}
		u, err = getUser(ctx, tx, userID)
		return err
	})
	return u, err
}

// AlertAddress is where a security alert of userID goes: the login e-mail,
// or, while the account is in recovery because that mailbox is gone
// (SEC-10), the confirmed recovery e-mail.
func AlertAddress(ctx context.Context, q store.Querier, userID, login string) (string, error) {
	var recovery string
	err := q.QueryRowContext(ctx, `SELECT COALESCE(recovery_email, '') FROM users WHERE id = $1
		AND recovery_name IS NOT NULL AND recovery_email_confirmed_at IS NOT NULL`, userID).Scan(&recovery)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && recovery == "") {
		return login, nil
	}
	if err != nil {
		return "", fmt.Errorf("account: reading the recovery state: %w", err)
	}
	return recovery, nil
}
