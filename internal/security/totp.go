package security

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// Issuer names alpage in authenticator apps.
const Issuer = "alpage"

// Period is the life of a one-time code.
const Period = 30 * time.Second

var totpOpts = totp.ValidateOpts{Period: uint(Period / time.Second), Skew: 1, Digits: otp.DigitsSix,
	Algorithm: otp.AlgorithmSHA1}

// TOTPSetup is what the console shows to link an authenticator app (SEC-3).
type TOTPSetup struct {
	Secret     string // base32, for typing into the app
	OTPAuthURL string // otpauth://totp/alpage:<email>?secret=…&issuer=alpage
	QRCodeSVG  string // inline SVG of OTPAuthURL
}

// StartTOTP creates a new, unconfirmed one-time-code secret for userID,
// replacing an unconfirmed one. It is ErrTOTPAlreadyOn when one-time codes
// are already on.
func (s *Service) StartTOTP(ctx context.Context, userID string, meta audit.Meta) (TOTPSetup, error) {
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return TOTPSetup{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: Issuer, AccountName: u.Email,
		Period: totpOpts.Period, Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm})
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("security: generating one-time-code secret: %w", err)
	}
	setup := TOTPSetup{Secret: key.Secret(), OTPAuthURL: key.URL()}
	if setup.QRCodeSVG, err = qrSVG(setup.OTPAuthURL); err != nil {
		return TOTPSetup{}, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var confirmed sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT confirmed_at FROM totp_secrets WHERE user_id = $1`, u.ID).Scan(&confirmed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("security: loading one-time-code secret: %w", err)
		case confirmed.Valid:
			return ErrTOTPAlreadyOn
		default:
			if _, err := tx.ExecContext(ctx, `DELETE FROM totp_secrets WHERE user_id = $1 AND confirmed_at IS NULL`, u.ID); err != nil {
				return fmt.Errorf("security: replacing one-time-code secret: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO totp_secrets (user_id, secret, last_used_step, created_at)
			VALUES ($1, $2, 0, $3)`, u.ID, setup.Secret, s.clock.Now()); err != nil {
			return fmt.Errorf("security: storing one-time-code secret: %w", err)
		}
		return nil
	})
	if err != nil {
		return TOTPSetup{}, err
	}
	return setup, nil
}

// ConfirmTOTP switches one-time codes on with the first valid code of the
// app linked by StartTOTP. When it is the user's first method, two-step
// sign-in is now on and it returns 10 new backup codes, shown once (SEC-2);
// otherwise the codes are nil. A wrong code is ErrCodeInvalid on "code".
func (s *Service) ConfirmTOTP(ctx context.Context, userID, code string, meta audit.Meta) ([]string, error) {
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var secret string
		var confirmed sql.NullTime
		var last int64
		err := tx.QueryRowContext(ctx, `SELECT secret, confirmed_at, last_used_step FROM totp_secrets WHERE user_id = $1`,
			u.ID).Scan(&secret, &confirmed, &last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrTOTPNotStarted
		case err != nil:
			return fmt.Errorf("security: loading one-time-code secret: %w", err)
		case confirmed.Valid:
			return ErrTOTPAlreadyOn
		}
		step, ok := matchTOTP(secret, code, now, last)
		if !ok {
			return ErrCodeInvalid.Field("code")
		}
		res, err := tx.ExecContext(ctx, `UPDATE totp_secrets SET confirmed_at = $1, last_used_step = $2
			WHERE user_id = $3 AND confirmed_at IS NULL AND last_used_step < $2`, now, step, u.ID)
		if err != nil {
			return fmt.Errorf("security: switching one-time codes on: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrCodeInvalid.Field("code")
		}
		codes, err = s.methodAdded(ctx, tx, u, "security.totp_enabled", nil, meta, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// matchTOTP reports whether code is the one-time code of secret at now, or
// of the step before or after, in a step later than last; it returns that
// step. All three steps are compared, in constant time.
func matchTOTP(secret, code string, now time.Time, last int64) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != int(totpOpts.Digits) {
		return 0, false
	}
	current := now.Unix() / int64(totpOpts.Period)
	var found int64
	for delta := int64(-1); delta <= 1; delta++ {
		step := current + delta
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*int64(totpOpts.Period), 0).UTC(), totpOpts)
		if err != nil {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > last && found == 0 {
			found = step
		}
	}
	return found, found != 0
}

// actor is the acting user of meta, or the subject when meta has none.
func actor(meta audit.Meta, userID string) string {
	if meta.ActorID != "" {
		return meta.ActorID
	}
	return userID
}

// confirmedSecret returns userID's confirmed secret and last used step;
// ok is false when one-time codes are off.
func confirmedSecret(ctx context.Context, tx *sql.Tx, userID string) (secret string, last int64, ok bool, err error) {
	if !id.Valid(userID) {
		return "", 0, false, apperr.NotFound
	}
	err = tx.QueryRowContext(ctx, `SELECT secret, last_used_step FROM totp_secrets
		WHERE user_id = $1 AND confirmed_at IS NOT NULL`, userID).Scan(&secret, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, false, nil
	}
	if err != nil {
		return "", 0, false, fmt.Errorf("security: loading one-time-code secret: %w", err)
	}
	return secret, last, true, nil
}

// useCode accepts code as one of userID's one-time codes (of the app, or of
// a linked phone) or as an unused backup code, and consumes it (the time
// step, or the backup code) in tx. It returns which kind matched ("totp",
// "phone_code", "backup_code") or "" when none did.
func useCode(ctx context.Context, tx *sql.Tx, userID, code string, now time.Time) (string, error) {
	secret, last, on, err := confirmedSecret(ctx, tx, userID)
	if err != nil {
		return "", err
	}
	if on {
		if step, ok := matchTOTP(secret, code, now, last); ok {
			res, err := tx.ExecContext(ctx, `UPDATE totp_secrets SET last_used_step = $1
				WHERE user_id = $2 AND last_used_step < $1`, step, userID)
			if err != nil {
				return "", fmt.Errorf("security: recording the code's step: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				return "totp", nil
			}
			return "", nil
		}
	}
	ok, err := usePhoneCode(ctx, tx, userID, code, now)
	if err != nil {
		return "", err
	}
	if ok {
		return "phone_code", nil
	}
	ok, err = useBackupCode(ctx, tx, userID, code, now)
	if err != nil || !ok {
		return "", err
	}
	return "backup_code", nil
}

// usePhoneCode accepts code as the one-time code a linked phone shows for
// userID while offline (SEC-3), each time step once per phone.
func usePhoneCode(ctx context.Context, tx *sql.Tx, userID, code string, now time.Time) (bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT device_id, totp_secret, last_used_step
		FROM authenticator_links WHERE user_id = $1`, userID)
	if err != nil {
		return false, fmt.Errorf("security: loading phone codes: %w", err)
	}
	type link struct {
		device, secret string
		last           int64
	}
	var links []link
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.device, &l.secret, &l.last); err != nil {
			rows.Close()
			return false, fmt.Errorf("security: reading phone codes: %w", err)
		}
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("security: reading phone codes: %w", err)
	}
	for _, l := range links {
		step, ok := matchTOTP(l.secret, code, now, l.last)
		if !ok {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE authenticator_links SET last_used_step = $1
			WHERE device_id = $2 AND user_id = $3 AND last_used_step < $1`, step, l.device, userID)
		if err != nil {
			return false, fmt.Errorf("security: recording the phone code's step: %w", err)
		}
		n, _ := res.RowsAffected()
		return n == 1, nil
	}
	return false, nil
}
