package security

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// Push approval (SEC-4): after a correct password, each phone of the user
// shows the request; the browser shows a number, which the person must pick
// among three on the phone (number matching: a request approved without
// looking at the browser is most likely rejected). On approval the browser
// completes the sign-in by itself; a NO, a wrong number, or PushTTL without
// an answer refuses it: the pending sign-in ends.

// PushTTL is how long a push request waits for the phone.
const PushTTL = 2 * time.Minute

// Push states.
const (
	PushPending  = "pending"
	PushApproved = "approved"
	PushRejected = "rejected"
	PushExpired  = "expired"
)

// Errors of push approval.
var (
	// ErrNoPhone refuses a push for a user without a linked phone.
	ErrNoPhone = apperr.Register("push_no_phone", http.StatusConflict,
		"No phone is linked to this account: enter a one-time code or a backup code.")
	// ErrPushExpired is a request answered after PushTTL.
	ErrPushExpired = apperr.Register("push_challenge_expired", http.StatusGone,
		"This sign-in request has expired: it was refused. Sign in again on your computer.")
	// ErrPushNumberWrong is a request answered with another number than the
	// browser's: the request is rejected.
	ErrPushNumberWrong = apperr.Register("push_number_wrong", http.StatusUnprocessableEntity,
		"That was not the number shown on your computer: the sign-in was refused. If it was you, sign in again.")
	// ErrPushPending says the phone has not answered yet.
	ErrPushPending = apperr.Register("push_pending", http.StatusConflict,
		"Your phone has not answered yet: open alpage on your phone and tap the number shown here.")
	// ErrPushRefused ends a sign-in refused on the phone or left unanswered.
	ErrPushRefused = apperr.Register("push_refused", http.StatusUnauthorized,
		"This sign-in was refused on your phone, or not answered in time: sign in again.")
)

// Push is a push request of a pending sign-in, as the browser shows it.
type Push struct {
	ID        string
	Number    int // the number to pick on the phone
	State     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// HasPhones reports whether userID has a linked phone.
func (s *Service) HasPhones(ctx context.Context, userID string) (bool, error) {
	if !id.Valid(userID) {
		return false, apperr.NotFound
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM authenticator_links WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("security: counting phones: %w", err)
	}
	return n > 0, nil
}

// pushNumber draws the number to match, 10..99.
func pushNumber() (int, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(90))
	if err != nil {
		return 0, fmt.Errorf("security: reading random bytes: %w", err)
	}
	return 10 + int(n.Int64()), nil
}

// PushFor returns the push request of the pending sign-in of token, pending
// or just approved, starting one when there is none (the page was opened).
// ErrNoPhone when the user has no phone; ErrChallengeInvalid when the
// sign-in ended; ErrPushRefused when the last request ran out unanswered
// (the sign-in ends now).
func (s *Service) PushFor(ctx context.Context, token string, meta audit.Meta) (Push, error) {
	return s.startPush(ctx, token, false, meta)
}

// SendPushAgain rejects the pending push request of the pending sign-in of
// token, if any, and starts a new one with a new number ("Send again").
func (s *Service) SendPushAgain(ctx context.Context, token string, meta audit.Meta) (Push, error) {
	return s.startPush(ctx, token, true, meta)
}

func (s *Service) startPush(ctx context.Context, token string, again bool, meta audit.Meta) (Push, error) {
	number, err := pushNumber()
	if err != nil {
		return Push{}, err
	}
	var p Push
	var refused bool
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		c, err := openChallenge(ctx, tx, token, now)
		if err != nil {
			return err
		}
		var phones int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM authenticator_links WHERE user_id = $1`, c.userID).Scan(&phones); err != nil {
			return fmt.Errorf("security: counting phones: %w", err)
		}
		if phones == 0 {
			return ErrNoPhone
		}
		if !again {
			last, err := latestPush(ctx, tx, token)
			switch {
			case errors.Is(err, sql.ErrNoRows):
			case err != nil:
				return fmt.Errorf("security: loading the push request: %w", err)
			default:
				if refused, err = expirePush(ctx, tx, last, meta, now); err != nil || refused {
					return err // the request ran out unseen: the sign-in is refused
				}
				if st := last.state(now); st == PushPending || st == PushApproved {
					p = Push{ID: last.id, Number: last.number, State: st, CreatedAt: last.created, ExpiresAt: last.expires}
					return nil
				}
			}
		}
		// One request at a time: the one replaced cannot be approved any more.
		if _, err := tx.ExecContext(ctx, `UPDATE push_challenges SET status = 'rejected', answered_at = $1
			WHERE signin_challenge_id = $2 AND status = 'pending'`, now, c.id); err != nil {
			return fmt.Errorf("security: replacing the push request: %w", err)
		}
		p = Push{ID: id.New(), Number: number, State: PushPending, CreatedAt: now, ExpiresAt: now.Add(PushTTL)}
		if _, err := tx.ExecContext(ctx, `INSERT INTO push_challenges (id, signin_challenge_id, user_id, number, ip,
			user_agent, status, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)`,
			p.ID, c.id, c.userID, p.Number, meta.IP, truncate(meta.UserAgent, 300), now, p.ExpiresAt); err != nil {
			return fmt.Errorf("security: sending the push request: %w", err)
		}
		return nil
	})
	if err != nil {
		return Push{}, err
	}
	if refused {
		return Push{}, ErrPushRefused
	}
	return p, nil
}

// pushRow is a push request with what decides its state.
type pushRow struct {
	id, challengeID, userID, status string
	number                          int
	created, expires                time.Time
	answered                        sql.NullTime
	device                          sql.NullString
}

// state is the push request's state at now. A request answered at or after
// its end was closed by expiry.
func (p pushRow) state(now time.Time) string {
	switch {
	case p.status == PushApproved:
		return PushApproved
	case p.status == PushRejected && p.answered.Valid && !p.answered.Time.Before(p.expires):
		return PushExpired
	case p.status == PushRejected:
		return PushRejected
	case !p.expires.After(now):
		return PushExpired
	}
	return PushPending
}

const pushColumns = `id, signin_challenge_id, user_id, status, number, created_at, expires_at, answered_at, CAST(device_id AS text)`

func scanPush(row *sql.Row) (pushRow, error) {
	var p pushRow
	err := row.Scan(&p.id, &p.challengeID, &p.userID, &p.status, &p.number, &p.created, &p.expires, &p.answered, &p.device)
	p.created, p.expires = p.created.UTC(), p.expires.UTC()
	return p, err
}

// latestPush returns the newest push request of the sign-in of token,
// whether that sign-in is still pending or not; sql.ErrNoRows when none.
func latestPush(ctx context.Context, tx *sql.Tx, token string) (pushRow, error) {
	return scanPush(tx.QueryRowContext(ctx, `SELECT `+pushColumns+` FROM push_challenges
		WHERE signin_challenge_id = (SELECT id FROM signin_challenges WHERE token_hash = $1)
		ORDER BY created_at DESC, id DESC LIMIT 1`, hashHex(token)))
}

// endSignIn ends a pending sign-in refused by push: it cannot complete any
// more, by any method.
func endSignIn(ctx context.Context, tx *sql.Tx, challengeID string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE signin_challenges SET expires_at = $1
		WHERE id = $2 AND completed_at IS NULL AND expires_at > $1`, now, challengeID); err != nil {
		return fmt.Errorf("security: ending the refused sign-in: %w", err)
	}
	return nil
}

// expirePush closes p when its time is up and it was not answered: the
// request is refused, the sign-in ends, and "session.push_expired" is
// audited, once. It reports whether p is expired.
func expirePush(ctx context.Context, tx *sql.Tx, p pushRow, meta audit.Meta, now time.Time) (bool, error) {
	if p.state(now) != PushExpired {
		return false, nil
	}
	if p.status != PushPending {
		return true, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE push_challenges SET status = 'rejected', answered_at = expires_at
		WHERE id = $1 AND status = 'pending'`, p.id)
	if err != nil {
		return false, fmt.Errorf("security: closing the expired push request: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return true, nil
	}
	if err := endSignIn(ctx, tx, p.challengeID, now); err != nil {
		return false, err
	}
	return true, audit.Record(ctx, tx, audit.Event{SubjectUserID: p.userID, Action: "session.push_expired",
		IP: meta.IP, UserAgent: meta.UserAgent, Data: map[string]string{"push": p.id}, CreatedAt: now})
}

// CheckPush is the browser's question "has my phone answered?" for the
// pending sign-in of token. Approved: the sign-in is completed (method
// "push") and the user returned, for the caller to open the session.
// Pending: ErrPushPending, with the request. Refused on the phone, or
// expired (PushTTL): ErrPushRefused — the sign-in has ended. Without a
// request, or for a sign-in that ended otherwise: ErrChallengeInvalid.
func (s *Service) CheckPush(ctx context.Context, token string, meta audit.Meta) (account.User, Push, error) {
	var p pushRow
	var state string
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var err error
		p, err = latestPush(ctx, tx, token)
		if errors.Is(err, sql.ErrNoRows) || token == "" {
			return ErrChallengeInvalid
		}
		if err != nil {
			return fmt.Errorf("security: loading the push request: %w", err)
		}
		if _, err := expirePush(ctx, tx, p, meta, now); err != nil {
			return err
		}
		state = p.state(now)
		if state != PushApproved {
			return nil
		}
		c, err := openChallenge(ctx, tx, token, now)
		if err != nil {
			return err
		}
		return completeChallenge(ctx, tx, c.id, c.userID, "push", meta, now)
	})
	push := Push{ID: p.id, Number: p.number, State: state, CreatedAt: p.created, ExpiresAt: p.expires}
	switch {
	case err != nil:
		return account.User{}, push, err
	case state == PushPending:
		return account.User{}, push, ErrPushPending
	case state != PushApproved:
		return account.User{}, push, ErrPushRefused
	}
	u, err := s.accounts.Get(ctx, p.userID)
	if errors.Is(err, apperr.NotFound) {
		return account.User{}, push, ErrChallengeInvalid
	}
	return u, push, err
}

// decoys are the two wrong numbers the phone shows with number, and the
// place of the right one: drawn from the request's id, so that they stay
// the same each time the phone asks, and differ from number and each other.
func decoys(pushID string, number int) [3]int {
	sum := sha256.Sum256([]byte("alpage push numbers " + pushID))
	var out [3]int
	pos := int(sum[0]) % 3
	out[pos] = number
	seen := map[int]bool{number: true}
	k := 1
	for i := range out {
		if i == pos {
			continue
		}
		n := 10 + int(sum[k])%90
		for seen[n] { // the next free number
			n = 10 + (n-10+1)%90
		}
		seen[n], out[i] = true, n
		k++
	}
	return out
}
