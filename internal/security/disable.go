package security

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/audit"
)

// DisableTOTP switches one-time codes off (SEC-5). It needs the password
// (account.ErrCurrentPasswordWrong on "password") and a valid code, one-time
// or backup (ErrCodeInvalid on "code"). One-time codes being the only method,
// this switches two-step sign-in off: the backup codes and pending sign-ins
// are deleted, and the user gets the e-mail "two_step_changed". Without a
// working method, switching off needs identity verification (not here).
func (s *Service) DisableTOTP(ctx context.Context, userID, password, code string, meta audit.Meta) error {
	u, err := s.checkPassword(ctx, userID, password)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		_, _, on, err := confirmedSecret(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if !on {
			return ErrTwoStepOff
		}
		kind, err := useCode(ctx, tx, u.ID, code, now)
		if err != nil {
			return err
		}
		if kind == "" {
			return ErrCodeInvalid.Field("code")
		}
		for _, q := range []string{
			`DELETE FROM totp_secrets WHERE user_id = $1`,
			`DELETE FROM backup_codes WHERE user_id = $1`,
			`DELETE FROM signin_challenges WHERE user_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, u.ID); err != nil {
				return fmt.Errorf("security: switching two-step sign-in off: %w", err)
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: actor(meta, u.ID), SubjectUserID: u.ID,
			Action: "security.totp_disabled", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"code": kind}, CreatedAt: now}); err != nil {
			return err
		}
		return s.sendChanged(ctx, tx, u, false, now)
	})
}
