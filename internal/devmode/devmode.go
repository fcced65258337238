// Package devmode is the test mode of `alpage serve --dev` (API.md "Test
// mode"): a clock that can be moved forward, whose offset is kept in the
// database so that the CLI and a restarted server see the same time.
package devmode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/store"
)

const offsetKey = "dev_clock_offset_ns"

// ErrJobsStillRunning answers a clock move whose sweeps ran but whose jobs
// (e-mails, webhooks, payments) were not all done within 30 seconds.
var ErrJobsStillRunning = apperr.Register("jobs_still_running", http.StatusServiceUnavailable,
	"The clock moved and the sweeps ran, but the jobs they enqueued (e-mails, webhooks) are still running: "+
		"read the outbox again in a moment; do not move the clock again to wait.")

// LoadOffset reads the persisted test-clock offset (0 when never moved).
func LoadOffset(ctx context.Context, db *store.DB) (time.Duration, error) {
	var v string
	err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, offsetKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("devmode: reading clock offset: %w", err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("devmode: bad clock offset %q: %w", v, err)
	}
	return time.Duration(n), nil
}

// Clock is the test clock.
type Clock struct {
	mu     sync.Mutex
	db     *store.DB
	offset *clock.Offset
	queue  *jobs.Queue
}

// New returns the test clock over the application's offset clock.
func New(db *store.DB, offset *clock.Offset, q *jobs.Queue) *Clock {
	return &Clock{db: db, offset: offset, queue: q}
}

// Now returns the test clock's time.
func (c *Clock) Now() time.Time { return c.offset.Now() }

// Offset returns how far the clock runs ahead of the wall clock.
func (c *Clock) Offset() time.Duration { return c.offset.Offset() }

// Advance moves the clock forward by d, persists the offset, runs every sweep
// that became due and waits for the jobs they enqueued, then returns the new
// time. Requests are served one at a time.
func (c *Clock) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	if d <= 0 {
		return time.Time{}, errors.New("devmode: the clock only moves forward")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := c.offset.Offset() + d
	_, err := c.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		offsetKey, strconv.FormatInt(int64(next), 10), c.offset.Now())
	if err != nil {
		return time.Time{}, fmt.Errorf("devmode: saving clock offset: %w", err)
	}
	c.offset.Set(next)
	if err := c.queue.RunDueSweeps(ctx); err != nil {
		return c.Now(), err
	}
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := c.queue.WaitIdle(wait); err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return c.Now(), ErrJobsStillRunning
		}
		return c.Now(), fmt.Errorf("devmode: waiting for jobs: %w", err)
	}
	return c.Now(), nil
}
