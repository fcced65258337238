package security

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
)

// DisableTOTP switches one-time codes off (SEC-5). It needs the password
// (account.ErrCurrentPasswordWrong on "password") and a valid code, one-time
// or backup (ErrCodeInvalid on "code"). When one-time codes were the last
// method, two-step sign-in is off: the backup codes and pending sign-ins are
// deleted, and the user gets the e-mail "two_step_changed"; an organization
// of the user requiring two-step sign-in refuses that (ErrTwoStepRequired,
// naming the organizations). Without a working method, switching off needs
// identity verification (RequestSwitchOff).
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
		if err := checkRemoval(ctx, tx, u.ID); err != nil {
			return err
		}
		kind, err := useCode(ctx, tx, u.ID, code, now)
		if err != nil {
			return err
		}
		if kind == "" {
			return ErrCodeInvalid.Field("code")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM totp_secrets WHERE user_id = $1`, u.ID); err != nil {
			return fmt.Errorf("security: switching one-time codes off: %w", err)
		}
		return s.methodRemoved(ctx, tx, u, "security.totp_disabled", map[string]string{"code": kind}, meta, now)
	})
}

// refuseIfRequired returns ErrTwoStepRequired, naming the organizations,
// when one of userID's organizations requires two-step sign-in (SEC-5).
func refuseIfRequired(ctx context.Context, q store.Querier, userID string) error {
	names, err := requiredBy(ctx, q, userID)
	if err != nil || len(names) == 0 {
		return err
	}
	return ErrTwoStepRequired.With(fmt.Sprintf(
		"%s requires two-step sign-in from its members: it stays on while you belong to it.",
		strings.Join(names, ", ")))
}
