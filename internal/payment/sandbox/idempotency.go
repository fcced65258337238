package sandbox

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/store"
)

// Operations recorded with an idempotency key.
const (
	opCheckout  = "checkout"
	opAuthorize = "authorize"
	opCharge    = "charge"
	opCapture   = "capture"
	opCancel    = "cancel"
	opRefund    = "refund"
)

// request is what an idempotency key carried and what it made.
type request struct {
	op          string
	fingerprint string
	objectID    string // the checkout, payment or refund
	paymentID   string // the payment made or changed, "" if none
}

// errRace means another call with the same key committed first.
var errRace = errors.New("sandbox: idempotency key taken concurrently")

// fingerprint hashes a call's parameters.
func fingerprint(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

// mutate runs fn in a transaction under an idempotency key: a key seen
// before returns what it recorded (replay true) or ErrIdempotencyKeyReuse
// when op or fp differ; otherwise fn runs and its request is recorded in
// the same transaction. An error from fn rolls everything back and records
// nothing, so the key can be used again. Concurrent calls share their
// commits (store.Group), as a real gateway serves many calls at once.
func (g *Gateway) mutate(ctx context.Context, key, op, fp string,
	fn func(tx *sql.Tx, now time.Time) (request, error)) (rec request, replay bool, err error) {
	err = g.group.Do(ctx, func(tx *sql.Tx) error {
		replay = false
		prev, err := lookupKey(ctx, tx, key)
		if err != nil {
			return err
		}
		if prev != nil {
			rec, replay = *prev, true
			return sameCall(*prev, op, fp)
		}
		now := g.clock.Now()
		r, err := fn(tx, now)
		if err != nil {
			return err
		}
		r.op, r.fingerprint = op, fp
		if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_requests
			(idempotency_key, operation, fingerprint, object_id, payment_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, key, op, fp, r.objectID, nullable(r.paymentID), now); err != nil {
			if store.IsUniqueViolation(err) {
				return errRace
			}
			return fmt.Errorf("sandbox: recording the idempotency key: %w", err)
		}
		rec = r
		return nil
	})
	if errors.Is(err, errRace) {
		prev, lerr := lookupKey(ctx, g.db, key)
		if lerr != nil {
			return request{}, false, lerr
		}
		if prev == nil {
			return request{}, false, fmt.Errorf("sandbox: idempotency key vanished after a conflict")
		}
		return *prev, true, sameCall(*prev, op, fp)
	}
	return rec, replay, err
}

// sameCall refuses a key used for another call.
func sameCall(prev request, op, fp string) error {
	if prev.op != op || prev.fingerprint != fp {
		return payment.Errorf(payment.ErrIdempotencyKeyReuse,
			fmt.Sprintf("this idempotency key was used for another %s request (or another operation: %s)", op, prev.op))
	}
	return nil
}

func lookupKey(ctx context.Context, q store.Querier, key string) (*request, error) {
	var r request
	var pid sql.NullString
	err := q.QueryRowContext(ctx, `SELECT operation, fingerprint, CAST(object_id AS text), CAST(payment_id AS text)
		FROM sandbox_requests WHERE idempotency_key = $1`, key).Scan(&r.op, &r.fingerprint, &r.objectID, &pid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: reading the idempotency key: %w", err)
	}
	r.paymentID = pid.String
	return &r, nil
}

// nullable turns "" into NULL, for optional uuid columns.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
