package security

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// A phone (a mobile browser, or a native app) is an authenticator for one or
// several accounts (SEC-3). It is known by a secret device token
// ("alpd_…", kept by the phone; only its hash is stored); each account it
// holds is a link with its own one-time-code secret, for the codes the
// phone shows while offline.

// DeviceTokenPrefix starts every device token, so that it is never taken
// for a personal API token.
const DeviceTokenPrefix = "alpd_"

// Errors of the phones.
var (
	// ErrPhoneAlreadyLinked refuses linking a phone twice to one account.
	ErrPhoneAlreadyLinked = apperr.Register("phone_already_linked", http.StatusConflict,
		"This phone already approves the sign-ins of this account.")
	// ErrDeviceInvalid refuses a device token that is unknown (the phone
	// was removed, or never linked).
	ErrDeviceInvalid = apperr.Register("device_token_invalid", http.StatusUnauthorized,
		"This phone is not linked any more: link it again from the security page of your account.")
)

// Device is a phone acting as an authenticator.
type Device struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// LinkedAccount is an account a phone holds.
type LinkedAccount struct {
	UserID   string
	Email    string
	LinkedAt time.Time
}

// PhoneCode is what a phone needs to show an account's one-time codes
// offline (RFC 6238, SHA-1).
type PhoneCode struct {
	UserID  string
	Account string // the login e-mail
	Secret  string // base32
	Period  int    // seconds
	Digits  int
}

// newDeviceToken returns a new device token and its hash.
func newDeviceToken() (token, hash string, err error) {
	secret, _, err := newToken()
	if err != nil {
		return "", "", err
	}
	token = DeviceTokenPrefix + secret
	return token, hashHex(token), nil
}

// newLinkSecret returns a new base32 one-time-code secret of 160 bits.
func newLinkSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("security: reading random bytes: %w", err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b), nil
}

// Device returns the phone of token and records that it was seen; an
// unknown token is ErrDeviceInvalid.
func (s *Service) Device(ctx context.Context, token string) (Device, error) {
	if !strings.HasPrefix(token, DeviceTokenPrefix) {
		return Device{}, ErrDeviceInvalid
	}
	now := s.clock.Now()
	var d Device
	err := s.db.QueryRowContext(ctx, `SELECT id, name, created_at, last_seen_at FROM authenticator_devices
		WHERE token_hash = $1`, hashHex(token)).Scan(&d.ID, &d.Name, &d.CreatedAt, &d.LastSeenAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, ErrDeviceInvalid
	}
	if err != nil {
		return Device{}, fmt.Errorf("security: loading the phone: %w", err)
	}
	d.CreatedAt, d.LastSeenAt = d.CreatedAt.UTC(), d.LastSeenAt.UTC()
	// A phone polls every few seconds: "last seen" is kept to the minute.
	if now.Sub(d.LastSeenAt) >= time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE authenticator_devices SET last_seen_at = $1 WHERE id = $2`, now, d.ID); err != nil {
			return Device{}, fmt.Errorf("security: recording that the phone was seen: %w", err)
		}
		d.LastSeenAt = now
	}
	return d, nil
}

// deviceForLink returns the id of the phone of token in tx, creating a new
// phone named name when token is empty or unknown; newToken is the new
// phone's token ("" when the phone existed).
func deviceForLink(ctx context.Context, tx *sql.Tx, token, name, userAgent string, now time.Time) (deviceID, newTok string, err error) {
	if token != "" {
		err := tx.QueryRowContext(ctx, `SELECT id FROM authenticator_devices WHERE token_hash = $1`, hashHex(token)).Scan(&deviceID)
		switch {
		case err == nil:
			return deviceID, "", nil
		case !errors.Is(err, sql.ErrNoRows):
			return "", "", fmt.Errorf("security: loading the phone: %w", err)
		}
	}
	tok, hash, err := newDeviceToken()
	if err != nil {
		return "", "", err
	}
	name = phoneName(name, userAgent)
	deviceID = id.New()
	if _, err := tx.ExecContext(ctx, `INSERT INTO authenticator_devices (id, token_hash, name, user_agent, created_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $5)`, deviceID, hash, name, truncate(userAgent, 300), now); err != nil {
		return "", "", fmt.Errorf("security: registering the phone: %w", err)
	}
	return deviceID, tok, nil
}

// phoneName is name cleaned, or a name made from the user agent ("Chrome on
// Android"), or "Phone".
func phoneName(name, userAgent string) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		name = DeviceLabel(userAgent)
	}
	if name == "" {
		name = "Phone"
	}
	return truncate(name, 80)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// isLinked reports whether deviceID holds userID's account.
func isLinked(ctx context.Context, tx *sql.Tx, deviceID, userID string) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM authenticator_links WHERE device_id = $1 AND user_id = $2`,
		deviceID, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("security: checking the phone's accounts: %w", err)
	}
	return n > 0, nil
}

// linkPhone adds u's account to deviceID in tx, with a new one-time-code
// secret, and runs the rule of a new method: it returns the backup codes to
// show once when this is u's first method.
func (s *Service) linkPhone(ctx context.Context, tx *sql.Tx, u account.User, deviceID string, meta audit.Meta, now time.Time) ([]string, error) {
	linked, err := isLinked(ctx, tx, deviceID, u.ID)
	if err != nil {
		return nil, err
	}
	if linked {
		return nil, ErrPhoneAlreadyLinked
	}
	secret, err := newLinkSecret()
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO authenticator_links (device_id, user_id, totp_secret, last_used_step, created_at)
		VALUES ($1, $2, $3, 0, $4)`, deviceID, u.ID, secret, now); err != nil {
		return nil, fmt.Errorf("security: linking the phone: %w", err)
	}
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM authenticator_devices WHERE id = $1`, deviceID).Scan(&name); err != nil {
		return nil, fmt.Errorf("security: loading the phone: %w", err)
	}
	return s.methodAdded(ctx, tx, u, "security.phone_linked", map[string]string{"device": deviceID, "name": name}, meta, now)
}

// LinkedAccounts lists the accounts deviceID holds, oldest link first.
func (s *Service) LinkedAccounts(ctx context.Context, deviceID string) ([]LinkedAccount, error) {
	if !id.Valid(deviceID) {
		return nil, apperr.NotFound
	}
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.email, l.created_at FROM authenticator_links l
		JOIN users u ON u.id = l.user_id WHERE l.device_id = $1 ORDER BY l.created_at, u.email`, deviceID)
	if err != nil {
		return nil, fmt.Errorf("security: listing the phone's accounts: %w", err)
	}
	defer rows.Close()
	out := []LinkedAccount{}
	for rows.Next() {
		var a LinkedAccount
		if err := rows.Scan(&a.UserID, &a.Email, &a.LinkedAt); err != nil {
			return nil, fmt.Errorf("security: reading the phone's accounts: %w", err)
		}
		a.LinkedAt = a.LinkedAt.UTC()
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("security: reading the phone's accounts: %w", err)
	}
	return out, nil
}

// PhoneCodes returns the one-time-code secrets of every account deviceID
// holds, for the codes it shows offline.
func (s *Service) PhoneCodes(ctx context.Context, deviceID string) ([]PhoneCode, error) {
	if !id.Valid(deviceID) {
		return nil, apperr.NotFound
	}
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.email, l.totp_secret FROM authenticator_links l
		JOIN users u ON u.id = l.user_id WHERE l.device_id = $1 ORDER BY l.created_at, u.email`, deviceID)
	if err != nil {
		return nil, fmt.Errorf("security: loading the phone's codes: %w", err)
	}
	defer rows.Close()
	out := []PhoneCode{}
	for rows.Next() {
		c := PhoneCode{Period: int(Period / time.Second), Digits: 6}
		if err := rows.Scan(&c.UserID, &c.Account, &c.Secret); err != nil {
			return nil, fmt.Errorf("security: reading the phone's codes: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("security: reading the phone's codes: %w", err)
	}
	return out, nil
}

// RemovePhone removes the phone deviceID from userID's methods, from the
// security page (SEC-5): it needs the password. A phone that does not hold
// the account is apperr.NotFound; removing the last method while an
// organization requires two-step sign-in is ErrTwoStepRequired.
func (s *Service) RemovePhone(ctx context.Context, userID, deviceID, password string, meta audit.Meta) error {
	if !id.Valid(deviceID) {
		return apperr.NotFound
	}
	u, err := s.checkPassword(ctx, userID, password)
	if err != nil {
		return err
	}
	return s.unlink(ctx, u, deviceID, meta)
}

// DropAccount removes userID's account from the phone deviceID, from the
// phone itself. The phone proves it holds the account; as on the security
// page, the last method cannot go while an organization requires two-step
// sign-in, and when it goes the user gets the security e-mail.
func (s *Service) DropAccount(ctx context.Context, deviceID, userID string, meta audit.Meta) error {
	if !id.Valid(deviceID) || !id.Valid(userID) {
		return apperr.NotFound
	}
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return err
	}
	return s.unlink(ctx, u, deviceID, meta)
}

func (s *Service) unlink(ctx context.Context, u account.User, deviceID string, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		linked, err := isLinked(ctx, tx, deviceID, u.ID)
		if err != nil {
			return err
		}
		if !linked {
			return apperr.NotFound
		}
		if err := checkRemoval(ctx, tx, u.ID); err != nil {
			return err
		}
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM authenticator_devices WHERE id = $1`, deviceID).Scan(&name); err != nil {
			return fmt.Errorf("security: loading the phone: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM authenticator_links WHERE device_id = $1 AND user_id = $2`,
			deviceID, u.ID); err != nil {
			return fmt.Errorf("security: removing the phone: %w", err)
		}
		return s.methodRemoved(ctx, tx, u, "security.phone_removed", map[string]string{"device": deviceID, "name": name}, meta, now)
	})
}
