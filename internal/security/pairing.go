package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// Linking a phone from a computer (SEC-3): the console shows a QR code of
// an address with a secret pairing token; the phone opens it and claims the
// pairing; the person confirms on the computer, which links the phone. A
// pairing lasts PairingTTL and links one phone once.

// PairingTTL is how long a pairing waits for the phone and the confirmation.
const PairingTTL = 10 * time.Minute

// ErrPairingInvalid refuses a pairing token that is unknown, expired, used
// or claimed by another phone.
var ErrPairingInvalid = apperr.Register("phone_pairing_invalid", http.StatusGone,
	"This pairing code has expired or was already used: on your computer, choose \"Add a phone\" again.")

// ErrPairingNotClaimed refuses confirming a pairing no phone has claimed.
var ErrPairingNotClaimed = apperr.Register("phone_pairing_not_claimed", http.StatusConflict,
	"No phone has opened the link yet: scan the QR code with your phone first.")

// Pairing states.
const (
	PairingWaiting   = "waiting"   // no phone yet
	PairingClaimed   = "claimed"   // a phone opened it; waiting for the computer's confirmation
	PairingConfirmed = "confirmed" // the phone is linked
	PairingExpired   = "expired"
)

// Pairing is a pairing just started, with its secret: shown once as a QR
// code.
type Pairing struct {
	ID        string
	Token     string
	URL       string // baseURL + "/phone/pair/" + Token
	QRCodeSVG string
	ExpiresAt time.Time
}

// PairingStatus is the state of a pairing, for the computer that waits.
type PairingStatus struct {
	ID        string
	State     string // PairingWaiting, PairingClaimed, PairingConfirmed or PairingExpired
	PhoneName string // the phone that claimed it
	ExpiresAt time.Time
}

// PairingOffer is what the phone shows before claiming: whose account.
type PairingOffer struct {
	Email     string
	ExpiresAt time.Time
}

// PairingURL is the address a phone opens for a pairing token.
func PairingURL(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + "/phone/pair/" + token
}

// StartPairing begins linking a phone to userID from a computer: a pairing
// whose address (under baseURL) the phone opens, drawn as a QR code.
// Pairings of the user that ended are cleared.
func (s *Service) StartPairing(ctx context.Context, userID, baseURL string, meta audit.Meta) (Pairing, error) {
	if !id.Valid(userID) {
		return Pairing{}, apperr.NotFound
	}
	token, hash, err := newToken()
	if err != nil {
		return Pairing{}, err
	}
	now := s.clock.Now()
	p := Pairing{ID: id.New(), Token: token, URL: PairingURL(baseURL, token), ExpiresAt: now.Add(PairingTTL)}
	if p.QRCodeSVG, err = qrSVG(p.URL); err != nil {
		return Pairing{}, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM authenticator_pairings WHERE user_id = $1
			AND (expires_at <= $2 OR confirmed_at IS NOT NULL)`, userID, now); err != nil {
			return fmt.Errorf("security: clearing ended pairings: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO authenticator_pairings (id, token_hash, user_id, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5)`, p.ID, hash, userID, p.ExpiresAt, now); err != nil {
			return fmt.Errorf("security: starting a pairing: %w", err)
		}
		return nil
	})
	if err != nil {
		return Pairing{}, err
	}
	return p, nil
}

// PairingQR draws the QR code of a pairing again from its token (the
// computer's page shown a second time); the token must be userID's
// pairing pairingID.
func (s *Service) PairingQR(ctx context.Context, userID, pairingID, token, baseURL string) (Pairing, error) {
	if !id.Valid(userID) || !id.Valid(pairingID) {
		return Pairing{}, apperr.NotFound
	}
	var exp time.Time
	err := s.db.QueryRowContext(ctx, `SELECT expires_at FROM authenticator_pairings WHERE id = $1 AND user_id = $2
		AND token_hash = $3`, pairingID, userID, hashHex(token)).Scan(&exp)
	if errors.Is(err, sql.ErrNoRows) {
		return Pairing{}, apperr.NotFound
	}
	if err != nil {
		return Pairing{}, fmt.Errorf("security: loading the pairing: %w", err)
	}
	p := Pairing{ID: pairingID, Token: token, URL: PairingURL(baseURL, token), ExpiresAt: exp.UTC()}
	if p.QRCodeSVG, err = qrSVG(p.URL); err != nil {
		return Pairing{}, err
	}
	return p, nil
}

type pairingRow struct {
	id, userID string
	device     sql.NullString
	claimed    sql.NullTime
	confirmed  sql.NullTime
	expires    time.Time
}

// openPairing returns the pairing of token while it can be claimed or
// confirmed; otherwise ErrPairingInvalid.
func openPairing(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, token string, now time.Time) (pairingRow, error) {
	if token == "" {
		return pairingRow{}, ErrPairingInvalid
	}
	var p pairingRow
	err := q.QueryRowContext(ctx, `SELECT id, user_id, CAST(device_id AS text), claimed_at, confirmed_at, expires_at
		FROM authenticator_pairings WHERE token_hash = $1`, hashHex(token)).
		Scan(&p.id, &p.userID, &p.device, &p.claimed, &p.confirmed, &p.expires)
	if errors.Is(err, sql.ErrNoRows) {
		return pairingRow{}, ErrPairingInvalid
	}
	if err != nil {
		return pairingRow{}, fmt.Errorf("security: loading the pairing: %w", err)
	}
	if p.confirmed.Valid || !p.expires.After(now) {
		return pairingRow{}, ErrPairingInvalid
	}
	return p, nil
}

// PairingOffered returns whose account a pairing token would link, for the
// phone to ask before claiming; ErrPairingInvalid when it cannot be used.
func (s *Service) PairingOffered(ctx context.Context, token string) (PairingOffer, error) {
	p, err := openPairing(ctx, s.db, token, s.clock.Now())
	if err != nil {
		return PairingOffer{}, err
	}
	u, err := s.accounts.Get(ctx, p.userID)
	if errors.Is(err, apperr.NotFound) {
		return PairingOffer{}, ErrPairingInvalid
	}
	if err != nil {
		return PairingOffer{}, err
	}
	return PairingOffer{Email: u.Email, ExpiresAt: p.expires.UTC()}, nil
}

// Claim is a pairing claimed by a phone.
type Claim struct {
	Email       string // the account the computer will confirm
	DeviceToken string // a new phone's token, to keep; "" when the phone was known
}

// ClaimPairing is the phone's side of a pairing: the phone of deviceToken
// (or a new phone named name, when deviceToken is empty or unknown) claims
// the pairing of token. The computer then confirms. Claiming again from the
// same phone is harmless; from another phone it is ErrPairingInvalid; a
// phone that already holds the account is ErrPhoneAlreadyLinked.
func (s *Service) ClaimPairing(ctx context.Context, token, deviceToken, name string, meta audit.Meta) (Claim, error) {
	var c Claim
	var userID string
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		p, err := openPairing(ctx, tx, token, now)
		if err != nil {
			return err
		}
		userID = p.userID
		deviceID, newTok, err := deviceForLink(ctx, tx, deviceToken, name, meta.UserAgent, now)
		if err != nil {
			return err
		}
		if p.device.Valid && p.device.String != deviceID {
			return ErrPairingInvalid
		}
		linked, err := isLinked(ctx, tx, deviceID, p.userID)
		if err != nil {
			return err
		}
		if linked {
			return ErrPhoneAlreadyLinked
		}
		if _, err := tx.ExecContext(ctx, `UPDATE authenticator_pairings SET device_id = $1, claimed_at = $2
			WHERE id = $3 AND confirmed_at IS NULL`, deviceID, now, p.id); err != nil {
			return fmt.Errorf("security: claiming the pairing: %w", err)
		}
		c.DeviceToken = newTok
		return nil
	})
	if err != nil {
		return Claim{}, err
	}
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return Claim{}, err
	}
	c.Email = u.Email
	return c, nil
}

// PairingState tells the computer where userID's pairing pairingID is;
// another user's pairing is apperr.NotFound.
func (s *Service) PairingState(ctx context.Context, userID, pairingID string) (PairingStatus, error) {
	if !id.Valid(userID) || !id.Valid(pairingID) {
		return PairingStatus{}, apperr.NotFound
	}
	var claimed, confirmed sql.NullTime
	var name sql.NullString
	st := PairingStatus{ID: pairingID}
	err := s.db.QueryRowContext(ctx, `SELECT p.claimed_at, p.confirmed_at, p.expires_at, d.name
		FROM authenticator_pairings p LEFT JOIN authenticator_devices d ON d.id = p.device_id
		WHERE p.id = $1 AND p.user_id = $2`, pairingID, userID).Scan(&claimed, &confirmed, &st.ExpiresAt, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return PairingStatus{}, apperr.NotFound
	}
	if err != nil {
		return PairingStatus{}, fmt.Errorf("security: loading the pairing: %w", err)
	}
	st.ExpiresAt, st.PhoneName = st.ExpiresAt.UTC(), name.String
	switch {
	case confirmed.Valid:
		st.State = PairingConfirmed
	case !st.ExpiresAt.After(s.clock.Now()):
		st.State = PairingExpired
	case claimed.Valid && name.Valid:
		st.State = PairingClaimed
	default:
		st.State = PairingWaiting
	}
	return st, nil
}

// ConfirmPairing links the phone that claimed userID's pairing pairingID:
// the account is added to the phone with its own one-time-code secret. When
// the phone is the user's first method, it returns the 10 backup codes to
// show once (SEC-2); else nil.
func (s *Service) ConfirmPairing(ctx context.Context, userID, pairingID string, meta audit.Meta) ([]string, error) {
	if !id.Valid(pairingID) {
		return nil, apperr.NotFound
	}
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var device sql.NullString
		var confirmed sql.NullTime
		var expires time.Time
		err := tx.QueryRowContext(ctx, `SELECT CAST(device_id AS text), confirmed_at, expires_at FROM authenticator_pairings
			WHERE id = $1 AND user_id = $2`, pairingID, u.ID).Scan(&device, &confirmed, &expires)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return apperr.NotFound
		case err != nil:
			return fmt.Errorf("security: loading the pairing: %w", err)
		case confirmed.Valid || !expires.After(now):
			return ErrPairingInvalid
		case !device.Valid:
			return ErrPairingNotClaimed
		}
		res, err := tx.ExecContext(ctx, `UPDATE authenticator_pairings SET confirmed_at = $1
			WHERE id = $2 AND confirmed_at IS NULL`, now, pairingID)
		if err != nil {
			return fmt.Errorf("security: confirming the pairing: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrPairingInvalid
		}
		codes, err = s.linkPhone(ctx, tx, u, device.String, meta, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
