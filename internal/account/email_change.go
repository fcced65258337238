package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/store"
)

// RequestEmailChange starts a change of the login e-mail (ACC-5): with the
// current password, it e-mails a confirmation link (template "email_change")
// to the new address. The login stays the old address until the link is
// opened (ConfirmEmail). A new request voids the links of earlier ones.
//
// Errors: ErrCurrentPasswordWrong; validation_failed on "email" for a
// malformed address or the current one; ErrEmailTaken when another account
// uses the address.
func (s *Service) RequestEmailChange(ctx context.Context, userID, password, newEmail string, meta audit.Meta) error {
	u, _, err := s.checkCurrentPassword(ctx, userID, password)
	if err != nil {
		return err
	}
	email, err := validateEmail(newEmail)
	if err != nil {
		return err
	}
	if email == u.Email {
		return apperr.Validation.With("This is already your login e-mail address: enter the new one.").Field("email", email)
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE email = $1`, email).Scan(&taken); err != nil {
			return fmt.Errorf("account: looking up the new e-mail: %w", err)
		}
		if taken > 0 {
			return ErrEmailTaken.Field("email", email)
		}
		now := s.clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE email_confirmations SET used_at = $1
			WHERE user_id = $2 AND kind = 'change' AND used_at IS NULL`, now, u.ID); err != nil {
			return fmt.Errorf("account: voiding earlier e-mail changes: %w", err)
		}
		secret, hash, err := newSecret()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO email_confirmations (token_hash, user_id, email, kind,
			expires_at, created_at) VALUES ($1, $2, $3, 'change', $4, $5)`,
			hash, u.ID, email, now.Add(s.opts.ConfirmationTTL), now); err != nil {
			return fmt.Errorf("account: storing the e-mail change: %w", err)
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: "account.email_change_requested", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"email": email}, CreatedAt: now}); err != nil {
			return err
		}
		_, err = s.notify.Send(ctx, tx, notify.Message{Channel: "email", To: email, Language: u.Language,
			Template: "email_change", UserID: u.ID, Data: map[string]any{
				"FirstName": u.FirstName,
				"Email":     email,
				"Link":      s.notify.BaseURL() + "/confirm?token=" + secret,
				"Hours":     strconv.Itoa(int(s.opts.ConfirmationTTL / time.Hour)),
			}})
		return err
	})
}

// completeEmailChange makes email the login of userID, in the transaction of
// ConfirmEmail, and tells the old address (template "email_changed", no
// link: a security message). The unique index on users.email decides when
// another account took the address meanwhile.
func (s *Service) completeEmailChange(ctx context.Context, tx *sql.Tx, now time.Time, userID, email string, meta audit.Meta) error {
	old, err := getUser(ctx, tx, userID)
	if errors.Is(err, apperr.NotFound) {
		return ErrConfirmationInvalid
	}
	if err != nil {
		return err
	}
	if old.Email == email {
		return ErrConfirmationInvalid
	}
	_, err = tx.ExecContext(ctx, `UPDATE users SET email = $1, email_confirmed_at = $2, updated_at = $2
		WHERE id = $3`, email, now, userID)
	if store.IsUniqueViolation(err) {
		return ErrEmailTaken.Field("email", email)
	}
	if err != nil {
		return fmt.Errorf("account: changing the login e-mail: %w", err)
	}
	if err := audit.Record(ctx, tx, audit.Event{ActorID: userID, SubjectUserID: userID,
		Action: "account.email_changed", IP: meta.IP, UserAgent: meta.UserAgent,
		Data: map[string]string{"from": old.Email, "to": email}, CreatedAt: now}); err != nil {
		return err
	}
	_, err = s.notify.Send(ctx, tx, notify.Message{Channel: "email", To: old.Email, Language: old.Language,
		Template: "email_changed", UserID: userID, Data: map[string]any{
			"FirstName": old.FirstName,
			"NewEmail":  email,
			"Time":      formatAlertTime(now, old.TimeZone),
		}})
	return err
}
