package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/store"
)

// RecoveryEmailTTL is how long a link confirming a recovery e-mail works.
const RecoveryEmailTTL = 7 * 24 * time.Hour

// Purposes of a link of recovery_confirmations.
const (
	purposeRecoveryEmail = "recovery_email" // confirms a new recovery e-mail
	purposeLoginEmail    = "login_email"    // confirms the new login of an account in recovery (SEC-10)
)

// ErrRecoveryEmailConfirmed refuses to send a confirmation link again for a
// recovery e-mail already confirmed.
var ErrRecoveryEmailConfirmed = apperr.Register("recovery_email_already_confirmed", http.StatusConflict,
	"Your recovery e-mail is already confirmed: there is nothing to send again.")

// RecoveryState is the recovery side of an account: its recovery e-mail,
// whether its owner confirmed it (only a confirmed one is used to recover
// the account, SEC-8..10), and recovery mode (SEC-10).
type RecoveryState struct {
	RecoveryEmail          string
	RecoveryEmailConfirmed bool
	InRecovery             bool       // the login mailbox disappeared: a new login must be chosen
	RecoveryName           string     // the temporary user name, while in recovery
	RecoveryStartedAt      *time.Time // when recovery started
	PendingLoginEmail      string     // in recovery: the new login waiting for its link to be opened
}

// RecoveryState returns the recovery state of userID (apperr.NotFound).
func (s *Service) RecoveryState(ctx context.Context, userID string) (RecoveryState, error) {
	if !id.Valid(userID) {
		return RecoveryState{}, apperr.NotFound
	}
	var st RecoveryState
	var confirmed, started sql.NullTime
	var name sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT recovery_email, recovery_email_confirmed_at, recovery_name,
		recovery_started_at FROM users WHERE id = $1`, userID).Scan(&st.RecoveryEmail, &confirmed, &name, &started)
	if errors.Is(err, sql.ErrNoRows) {
		return RecoveryState{}, apperr.NotFound
	}
	if err != nil {
		return RecoveryState{}, fmt.Errorf("account: loading the recovery state: %w", err)
	}
	st.RecoveryEmailConfirmed = confirmed.Valid && st.RecoveryEmail != ""
	st.InRecovery, st.RecoveryName = name.Valid, name.String
	if started.Valid {
		t := started.Time.UTC()
		st.RecoveryStartedAt = &t
	}
	if st.InRecovery {
		err := s.db.QueryRowContext(ctx, `SELECT email FROM recovery_confirmations WHERE user_id = $1
			AND purpose = $2 AND used_at IS NULL AND expires_at > $3 ORDER BY created_at DESC LIMIT 1`,
			userID, purposeLoginEmail, s.clock.Now()).Scan(&st.PendingLoginEmail)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return RecoveryState{}, fmt.Errorf("account: loading the pending login e-mail: %w", err)
		}
	}
	return st, nil
}

// confirmedRecoveryEmail returns userID's recovery e-mail when its owner
// confirmed it, else "": only such an address may receive what recovers
// the account (SEC-8, SEC-9, SEC-10).
func confirmedRecoveryEmail(ctx context.Context, q store.Querier, userID string) (string, error) {
	var email string
	err := q.QueryRowContext(ctx, `SELECT recovery_email FROM users WHERE id = $1
		AND recovery_email_confirmed_at IS NOT NULL`, userID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account: loading the recovery e-mail: %w", err)
	}
	return email, nil
}

// cleanRecoveryEmail validates a recovery e-mail for u: a valid address
// other than the login, or "" to remove it (validation_failed on
// "recovery_email").
func cleanRecoveryEmail(u User, email string) (string, error) {
	clean := normalizeEmail(email)
	if clean == "" {
		return "", nil
	}
	clean, err := validateEmail(clean)
	if err != nil {
		return "", apperr.Validation.With("Enter a valid e-mail address, like ada@example.ch.").Field("recovery_email", email)
	}
	if clean == u.Email {
		return "", apperr.Validation.With("The recovery e-mail must differ from the login e-mail.").Field("recovery_email", email)
	}
	return clean, nil
}

// setRecoveryEmail sets u's recovery e-mail in tx, as yet unconfirmed, and
// sends the confirmation link to it (template "recovery_email_confirm").
// Earlier links stop working. It reports whether the address changed.
func (s *Service) setRecoveryEmail(ctx context.Context, tx *sql.Tx, u *User, email string, meta audit.Meta, now time.Time) (bool, error) {
	clean, err := cleanRecoveryEmail(*u, email)
	if err != nil {
		return false, err
	}
	if clean == u.RecoveryEmail {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET recovery_email = $1, recovery_email_confirmed_at = NULL,
		updated_at = $2 WHERE id = $3`, clean, now, u.ID); err != nil {
		return false, fmt.Errorf("account: setting the recovery e-mail: %w", err)
	}
	u.RecoveryEmail, u.UpdatedAt = clean, now
	if err := voidLinks(ctx, tx, u.ID, purposeRecoveryEmail, now); err != nil {
		return false, err
	}
	data := map[string]string{"confirmation": "none"}
	if clean != "" {
		if err := s.sendRecoveryEmailLink(ctx, tx, *u, now); err != nil {
			return false, err
		}
		data["confirmation"] = "sent"
	}
	return true, audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
		Action: "account.recovery_email_changed", IP: meta.IP, UserAgent: meta.UserAgent, Data: data, CreatedAt: now})
}

// voidLinks ends userID's unused links of purpose.
func voidLinks(ctx context.Context, tx *sql.Tx, userID, purpose string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE recovery_confirmations SET used_at = $1
		WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL`, now, userID, purpose); err != nil {
		return fmt.Errorf("account: voiding earlier links: %w", err)
	}
	return nil
}

// newLink stores a link of purpose for email and returns its secret.
func newLink(ctx context.Context, tx *sql.Tx, userID, email, purpose string, ttl time.Duration, now time.Time) (string, error) {
	secret, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_confirmations (token_hash, user_id, email, purpose,
		expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, hash, userID, email, purpose, now.Add(ttl), now); err != nil {
		return "", fmt.Errorf("account: storing the link: %w", err)
	}
	return secret, nil
}

// useLink uses the link of token for purpose once, in tx, and returns its
// user and address; ErrConfirmationInvalid when it is unknown, used, expired
// or of another purpose.
func useLink(ctx context.Context, tx *sql.Tx, token, purpose string, now time.Time) (userID, email string, err error) {
	if token == "" {
		return "", "", ErrConfirmationInvalid
	}
	err = tx.QueryRowContext(ctx, `UPDATE recovery_confirmations SET used_at = $1 WHERE token_hash = $2
		AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING CAST(user_id AS text), email`,
		now, hashSecret(token), purpose).Scan(&userID, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrConfirmationInvalid
	}
	if err != nil {
		return "", "", fmt.Errorf("account: using the link: %w", err)
	}
	return userID, email, nil
}

// sendRecoveryEmailLink e-mails a link confirming u's recovery e-mail to it.
func (s *Service) sendRecoveryEmailLink(ctx context.Context, tx *sql.Tx, u User, now time.Time) error {
	secret, err := newLink(ctx, tx, u.ID, u.RecoveryEmail, purposeRecoveryEmail, RecoveryEmailTTL, now)
	if err != nil {
		return err
	}
	_, err = s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: u.RecoveryEmail,
		Language: u.Language, Template: "recovery_email_confirm", UserID: u.ID, Data: map[string]any{
			"FirstName": u.FirstName,
			"Login":     u.Email,
			"Link":      s.notify.BaseURL() + "/recovery-email/confirm?token=" + secret,
			"Days":      strconv.Itoa(int(RecoveryEmailTTL / (24 * time.Hour))),
		}})
	if err != nil {
		return fmt.Errorf("account: sending the recovery e-mail link: %w", err)
	}
	return nil
}

// ConfirmRecoveryEmail opens the link sent to a new recovery e-mail: from
// now on the address may receive what recovers the account (SEC-8..10). A
// link works once, for RecoveryEmailTTL, and only while the address is
// still the recovery e-mail; otherwise ErrConfirmationInvalid.
func (s *Service) ConfirmRecoveryEmail(ctx context.Context, token string, meta audit.Meta) (User, error) {
	var u User
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		userID, email, err := useLink(ctx, tx, token, purposeRecoveryEmail, now)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET recovery_email_confirmed_at = $1
			WHERE id = $2 AND recovery_email = $3`, now, userID, email)
		if err != nil {
			return fmt.Errorf("account: confirming the recovery e-mail: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConfirmationInvalid // the recovery e-mail changed since
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: userID, SubjectUserID: userID,
			Action: "account.recovery_email_confirmed", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now}); err != nil {
			return err
		}
		u, err = getUser(ctx, tx, userID)
		return err
	})
	return u, err
}

// ResendRecoveryEmailConfirmation sends a new link to userID's unconfirmed
// recovery e-mail; earlier links stop working. Without a recovery e-mail it
// is validation_failed on "recovery_email"; once confirmed,
// ErrRecoveryEmailConfirmed; a second request within a minute is
// apperr.TooManyRequests, so that the button cannot flood a mailbox.
func (s *Service) ResendRecoveryEmailConfirmation(ctx context.Context, userID string, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		u, err := getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.RecoveryEmail == "" {
			return apperr.Validation.With("Enter a recovery e-mail in your profile first.").Field("recovery_email", "")
		}
		confirmed, err := confirmedRecoveryEmail(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if confirmed != "" {
			return ErrRecoveryEmailConfirmed
		}
		now := s.clock.Now()
		var recent int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_confirmations WHERE user_id = $1
			AND purpose = $2 AND created_at > $3`, u.ID, purposeRecoveryEmail, now.Add(-time.Minute)).Scan(&recent); err != nil {
			return fmt.Errorf("account: counting recovery e-mail links: %w", err)
		}
		if recent > 0 {
			return apperr.TooManyRequests.With("A link was sent less than a minute ago: check that mailbox, or try again in a minute.")
		}
		if err := voidLinks(ctx, tx, u.ID, purposeRecoveryEmail, now); err != nil {
			return err
		}
		if err := s.sendRecoveryEmailLink(ctx, tx, u, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: "account.recovery_email_link_resent", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now})
	})
}

// SetConfirmedRecoveryEmail sets userID's recovery e-mail as already
// confirmed, without a link: for the operator and the demo data, who know
// the address is the person's. "" removes it.
func (s *Service) SetConfirmedRecoveryEmail(ctx context.Context, userID, email string, meta audit.Meta) (User, error) {
	var u User
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = getUser(ctx, tx, userID); err != nil {
			return err
		}
		clean, err := cleanRecoveryEmail(u, email)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		var confirmed any
		if clean != "" {
			confirmed = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET recovery_email = $1, recovery_email_confirmed_at = $2,
			updated_at = $3 WHERE id = $4`, clean, confirmed, now, u.ID); err != nil {
			return fmt.Errorf("account: setting the recovery e-mail: %w", err)
		}
		if err := voidLinks(ctx, tx, u.ID, purposeRecoveryEmail, now); err != nil {
			return err
		}
		u.RecoveryEmail, u.UpdatedAt = clean, now
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: "account.recovery_email_changed", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"confirmation": "operator"}, CreatedAt: now})
	})
	return u, err
}
