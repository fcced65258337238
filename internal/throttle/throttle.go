// Package throttle slows down and stops the guessing of passwords and
// second-factor codes (issue 4, "Sessions and abuse"). Failed sign-ins are
// counted in the database, so every instance of the server shares the
// count, per account (the login e-mail, hashed, known or not) and per client
// address, with times from the injected clock.
//
// Policy, over a rolling Window of 15 minutes:
//   - an account's first FreeFailures (5) failures cost nothing; from then on
//     each attempt must wait Delay(n) after the last failure (1 s, 2 s, 4 s …,
//     at most MaxDelay), and an attempt inside the delay is refused without
//     looking at the password;
//   - the LockFailures-th (10th) failure locks the account for LockDuration
//     (15 minutes): every attempt is refused, even with the right password;
//   - the IPLockFailures-th (50th) failure from one address refuses that
//     address for IPLockDuration (15 minutes);
//   - a completed sign-in clears the account's failures (Reset).
//
// A refusal is one generic error, ErrTooManyAttempts (429), the same for an
// account that exists and one that does not.
package throttle

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/store"
)

// The policy.
const (
	Window         = 15 * time.Minute // failures older than this do not count
	FreeFailures   = 5                // failures of an account before delays start
	FirstDelay     = time.Second      // the delay after FreeFailures failures, doubled by each further one
	MaxDelay       = 60 * time.Second // the longest delay
	LockFailures   = 10               // failures of an account that lock it
	LockDuration   = 15 * time.Minute // how long an account stays locked
	IPLockFailures = 50               // failures from one address that refuse it
	IPLockDuration = 15 * time.Minute // how long an address stays refused
)

// ErrTooManyAttempts is the one refusal of a throttled sign-in. Its message
// does not say whether the account exists.
var ErrTooManyAttempts = apperr.Register("too_many_attempts", http.StatusTooManyRequests,
	"Too many attempts: wait a few minutes and try again.")

// Refusal is a throttled attempt: it unwraps to ErrTooManyAttempts (with the
// wait in its English message) and tells how long to wait.
type Refusal struct {
	RetryAfter time.Duration
	err        *apperr.Error
}

func newRefusal(wait time.Duration) *Refusal {
	r := &Refusal{RetryAfter: wait}
	r.err = ErrTooManyAttempts.With(fmt.Sprintf("Too many attempts: wait %d minutes and try again.", r.Minutes()))
	return r
}

func (r *Refusal) Error() string { return r.err.Error() }

// Unwrap returns the *apperr.Error, so apperr.As and errors.Is work.
func (r *Refusal) Unwrap() error { return r.err }

// Seconds is the wait rounded up to whole seconds, at least 1: the value of
// Retry-After.
func (r *Refusal) Seconds() int {
	return max(1, int((r.RetryAfter+time.Second-1)/time.Second))
}

// Minutes is the wait rounded up to whole minutes, at least 1: the number in
// the message.
func (r *Refusal) Minutes() int {
	return max(1, int((r.RetryAfter+time.Minute-1)/time.Minute))
}

// AsRefusal returns err's *Refusal, or nil.
func AsRefusal(err error) *Refusal {
	var r *Refusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}

// Delay is how long an account must wait after its last failure when it has
// n failures in the window: nothing up to FreeFailures-1, then FirstDelay
// doubled at each further failure, at most MaxDelay.
func Delay(n int) time.Duration {
	if n < FreeFailures {
		return 0
	}
	d := FirstDelay
	for i := FreeFailures; i < n; i++ {
		d *= 2
		if d >= MaxDelay {
			return MaxDelay
		}
	}
	return d
}

// Throttle counts failures and refuses attempts.
type Throttle struct {
	engine store.Engine
	clock  clock.Clock
}

// New returns a throttle for a database of engine, reading time from clk.
func New(engine store.Engine, clk clock.Clock) *Throttle {
	return &Throttle{engine: engine, clock: clk}
}

// AccountBucket is the bucket of a login e-mail (already normalized): its
// sha256, so the table holds no addresses.
func AccountBucket(email string) string {
	sum := sha256.Sum256([]byte(email))
	return "account:" + hex.EncodeToString(sum[:])
}

func ipBucket(ip string) string { return "ip:" + ip }

// Check refuses an attempt for email from ip with a *Refusal when the
// address or the account is locked, or the account's delay has not passed.
// It reads only; nothing is counted.
func (t *Throttle) Check(ctx context.Context, q store.Querier, email, ip string) error {
	now := t.clock.Now()
	var wait time.Duration
	if ip != "" {
		until, err := lockedUntil(ctx, q, ipBucket(ip))
		if err != nil {
			return err
		}
		wait = max(wait, until.Sub(now))
	}
	bucket := AccountBucket(email)
	until, err := lockedUntil(ctx, q, bucket)
	if err != nil {
		return err
	}
	wait = max(wait, until.Sub(now))
	if wait <= 0 {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_failures WHERE bucket = $1 AND at > $2`,
			bucket, now.Add(-Window)).Scan(&n); err != nil {
			return fmt.Errorf("throttle: counting failures: %w", err)
		}
		if d := Delay(n); d > 0 {
			var last time.Time
			if err := q.QueryRowContext(ctx, `SELECT at FROM signin_failures WHERE bucket = $1
				ORDER BY at DESC LIMIT 1`, bucket).Scan(&last); err != nil {
				return fmt.Errorf("throttle: reading the last failure: %w", err)
			}
			wait = last.Add(d).Sub(now)
		}
	}
	if wait > 0 {
		return newRefusal(wait)
	}
	return nil
}

func lockedUntil(ctx context.Context, q store.Querier, bucket string) (time.Time, error) {
	var until sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT locked_until FROM signin_throttle WHERE bucket = $1`, bucket).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !until.Valid) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("throttle: reading lockout: %w", err)
	}
	return until.Time, nil
}

// Failed counts one failed attempt for email from ip in tx (the transaction
// that records the failure), and returns true when this failure locked the
// account — exactly once per lockout, so the caller alerts the owner.
func (t *Throttle) Failed(ctx context.Context, tx *sql.Tx, email, ip string) (accountLocked bool, err error) {
	now := t.clock.Now()
	if ip != "" {
		if _, err := t.count(ctx, tx, ipBucket(ip), IPLockFailures, IPLockDuration, now); err != nil {
			return false, err
		}
	}
	return t.count(ctx, tx, AccountBucket(email), LockFailures, LockDuration, now)
}

// count records a failure in bucket and locks it for lockFor when it has
// lockAt failures in the window; it returns true when it locked it now.
func (t *Throttle) count(ctx context.Context, tx *sql.Tx, bucket string, lockAt int, lockFor time.Duration,
	now time.Time) (bool, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO signin_throttle (bucket) VALUES ($1)
		ON CONFLICT (bucket) DO NOTHING`, bucket); err != nil {
		return false, fmt.Errorf("throttle: creating bucket: %w", err)
	}
	if t.engine == store.Postgres {
		// Attempts on one bucket from several instances count one after the
		// other (SQLite has one writer at a time already).
		if _, err := tx.ExecContext(ctx, `SELECT bucket FROM signin_throttle WHERE bucket = $1 FOR UPDATE`,
			bucket); err != nil {
			return false, fmt.Errorf("throttle: locking bucket: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE bucket = $1 AND at <= $2`,
		bucket, now.Add(-Window)); err != nil {
		return false, fmt.Errorf("throttle: expiring failures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO signin_failures (id, bucket, at) VALUES ($1, $2, $3)`,
		id.New(), bucket, now); err != nil {
		return false, fmt.Errorf("throttle: recording failure: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_failures WHERE bucket = $1 AND at > $2`,
		bucket, now.Add(-Window)).Scan(&n); err != nil {
		return false, fmt.Errorf("throttle: counting failures: %w", err)
	}
	if n < lockAt {
		return false, nil
	}
	until, err := lockedUntil(ctx, tx, bucket)
	if err != nil {
		return false, err
	}
	if until.After(now) {
		return false, nil // already locked: alerted when it was locked
	}
	if _, err := tx.ExecContext(ctx, `UPDATE signin_throttle SET locked_until = $1 WHERE bucket = $2`,
		now.Add(lockFor), bucket); err != nil {
		return false, fmt.Errorf("throttle: locking: %w", err)
	}
	return true, nil
}

// Reset clears the failures and any lockout of email's account: a sign-in
// completed.
func (t *Throttle) Reset(ctx context.Context, q store.Querier, email string) error {
	bucket := AccountBucket(email)
	if _, err := q.ExecContext(ctx, `DELETE FROM signin_failures WHERE bucket = $1`, bucket); err != nil {
		return fmt.Errorf("throttle: clearing failures: %w", err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM signin_throttle WHERE bucket = $1`, bucket); err != nil {
		return fmt.Errorf("throttle: clearing lockout: %w", err)
	}
	return nil
}

// Sweep deletes failures that left the window and buckets neither locked
// nor holding failures, so the tables stay small.
func Sweep(db *store.DB) jobs.Sweep {
	return jobs.Sweep{
		Name:  "throttle.expire_failures",
		Every: 15 * time.Minute,
		Run: func(ctx context.Context, now time.Time) error {
			if _, err := db.ExecContext(ctx, `DELETE FROM signin_failures WHERE at <= $1`, now.Add(-Window)); err != nil {
				return fmt.Errorf("throttle: sweeping failures: %w", err)
			}
			if _, err := db.ExecContext(ctx, `DELETE FROM signin_throttle WHERE (locked_until IS NULL OR locked_until <= $1)
				AND NOT EXISTS (SELECT 1 FROM signin_failures f WHERE f.bucket = signin_throttle.bucket)`, now); err != nil {
				return fmt.Errorf("throttle: sweeping buckets: %w", err)
			}
			return nil
		},
	}
}
