package account

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
)

// ChangePassword replaces the password of userID (ACC-5). The current
// password is required (ErrCurrentPasswordWrong); the new one follows the
// sign-up rules and must differ from it (validation_failed on
// "new_password"). Every other session of the user is signed out: the one
// with id keepSessionID stays, "" signs out all. The user gets the e-mail
// "password_changed", without a link.
func (s *Service) ChangePassword(ctx context.Context, userID, current, next, keepSessionID string, meta audit.Meta) error {
	u, oldHash, err := s.checkCurrentPassword(ctx, userID, current)
	if err != nil {
		return err
	}
	if err := validatePassword(next); err != nil {
		if e := apperr.As(err); e != nil {
			return e.Field("new_password")
		}
		return err
	}
	if next == current {
		return apperr.Validation.With("The new password must differ from the current one.").Field("new_password")
	}
	hash, err := HashPassword(next, s.opts.Password)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		// The old hash in the WHERE refuses a change raced by another one.
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2
			WHERE id = $3 AND password_hash = $4`, hash, now, u.ID, oldHash)
		if err != nil {
			return fmt.Errorf("account: changing password: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrCurrentPasswordWrong.Field("current_password")
		}
		if id.Valid(keepSessionID) {
			res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, u.ID, keepSessionID)
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
		}
		if err != nil {
			return fmt.Errorf("account: signing out other sessions: %w", err)
		}
		ended, _ := res.RowsAffected()
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: "account.password_changed", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"sessions_ended": strconv.FormatInt(ended, 10)}, CreatedAt: now}); err != nil {
			return err
		}
		if want, err := s.wantsEmail(ctx, tx, u.ID, "password_changed"); err != nil || !want {
			return err
		}
		_, err = s.notify.Send(ctx, tx, notify.Message{Channel: "email", To: u.Email, Language: u.Language,
			Template: "password_changed", UserID: u.ID, Data: map[string]any{
				"FirstName": u.FirstName,
				"Time":      formatAlertTime(now, u.TimeZone),
			}})
		return err
	})
}
