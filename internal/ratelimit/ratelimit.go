// Package ratelimit counts requests per bucket (an API token, a client
// address) over a rolling window, in the database, so that every instance of
// the server shares the same count (API-3): adding instances does not raise
// the limit.
//
// Each allowed request is one row of rate_limit_hits(id, bucket, at). A check
// runs in one transaction: delete the bucket's rows that left the window,
// count the rest, refuse when the count reached the limit, else insert a row.
// Time comes from the injected clock.
package ratelimit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/store"
)

// Window is the rolling window of every limit: one minute.
const Window = time.Minute

// Limiter checks and records requests.
type Limiter struct {
	db    *store.DB
	clock clock.Clock
}

// New returns a limiter on db reading time from clk.
func New(db *store.DB, clk clock.Clock) *Limiter {
	return &Limiter{db: db, clock: clk}
}

// Result is the state of a bucket after a check, for the RateLimit-* headers.
type Result struct {
	Allowed   bool
	Limit     int           // requests allowed per window
	Remaining int           // requests left in the window after this one
	Reset     time.Duration // until the oldest counted request leaves the window
}

// ResetSeconds is Reset rounded up to whole seconds (at least 1 when a
// request is counted), the value of RateLimit-Reset and Retry-After.
func (r Result) ResetSeconds() int {
	s := int((r.Reset + time.Second - 1) / time.Second)
	if s < 0 {
		return 0
	}
	return s
}

// Allow counts one request in bucket against limit per Window. When the
// bucket is full the request is refused and not counted.
func (l *Limiter) Allow(ctx context.Context, bucket string, limit int) (Result, error) {
	if limit <= 0 {
		return Result{}, errors.New("ratelimit: limit must be positive")
	}
	res := Result{Limit: limit}
	err := l.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := l.clock.Now()
		if l.db.Engine == store.Postgres {
			// Two instances must not both see "59" and both insert: the
			// bucket's row is locked, so requests on one bucket count one
			// after the other (SQLite has one writer at a time already).
			if _, err := tx.ExecContext(ctx, `INSERT INTO rate_limit_buckets (bucket) VALUES ($1)
				ON CONFLICT (bucket) DO NOTHING`, bucket); err != nil {
				return fmt.Errorf("ratelimit: creating bucket %s: %w", bucket, err)
			}
			if _, err := tx.ExecContext(ctx, `SELECT bucket FROM rate_limit_buckets WHERE bucket = $1 FOR UPDATE`,
				bucket); err != nil {
				return fmt.Errorf("ratelimit: locking bucket %s: %w", bucket, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM rate_limit_hits WHERE bucket = $1 AND at <= $2`,
			bucket, now.Add(-Window)); err != nil {
			return fmt.Errorf("ratelimit: expiring hits of %s: %w", bucket, err)
		}
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_limit_hits WHERE bucket = $1`,
			bucket).Scan(&count); err != nil {
			return fmt.Errorf("ratelimit: counting hits of %s: %w", bucket, err)
		}
		oldest := now
		if count > 0 {
			if err := tx.QueryRowContext(ctx, `SELECT at FROM rate_limit_hits WHERE bucket = $1 ORDER BY at LIMIT 1`,
				bucket).Scan(&oldest); err != nil {
				return fmt.Errorf("ratelimit: reading oldest hit of %s: %w", bucket, err)
			}
		}
		res.Reset = oldest.Add(Window).Sub(now)
		if count >= limit {
			res.Allowed, res.Remaining = false, 0
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rate_limit_hits (id, bucket, at) VALUES ($1, $2, $3)`,
			id.New(), bucket, now); err != nil {
			return fmt.Errorf("ratelimit: recording hit of %s: %w", bucket, err)
		}
		res.Allowed, res.Remaining = true, limit-count-1
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// Sweep deletes the hits of every bucket that left the window, including
// buckets no longer used (a revoked token), so the table stays small.
func Sweep(db *store.DB) jobs.Sweep {
	return jobs.Sweep{
		Name:  "ratelimit.expire_hits",
		Every: 10 * time.Minute,
		Run: func(ctx context.Context, now time.Time) error {
			if _, err := db.ExecContext(ctx, `DELETE FROM rate_limit_hits WHERE at <= $1`, now.Add(-Window)); err != nil {
				return fmt.Errorf("ratelimit: sweeping hits: %w", err)
			}
			return nil
		},
	}
}
