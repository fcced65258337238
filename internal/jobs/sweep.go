package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// A Sweep answers "what is due as of now?" and does it (DESIGN.md): it must be
// idempotent, so that running it twice, or once after a week of downtime, does
// the right thing once. Time rules (14 days before a due date, 72 hours…) are
// evaluated by sweeps, never by timers set far ahead.
type Sweep struct {
	Name  string
	Every time.Duration // how often it becomes due, in clock time
	Run   func(ctx context.Context, now time.Time) error
}

// AddSweep registers a sweep. Call it before the queue starts.
func (q *Queue) AddSweep(s Sweep) {
	q.sweeps = append(q.sweeps, s)
}

var sweepMu sync.Mutex // one runner at a time in this process

// RunDueSweeps runs every sweep whose last run is at least Every ago on the
// clock, and records the run. Sweeps are idempotent, so two instances (or the
// periodic job and the test clock) running the same sweep is harmless; the
// record only spares needless work.
func (q *Queue) RunDueSweeps(ctx context.Context) error {
	sweepMu.Lock()
	defer sweepMu.Unlock()
	now := q.clock.Now()
	var errs []error
	for _, s := range q.sweeps {
		var last time.Time
		err := q.db.QueryRowContext(ctx, `SELECT last_run_at FROM sweep_runs WHERE name = $1`, s.Name).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			errs = append(errs, fmt.Errorf("jobs: reading sweep %s: %w", s.Name, err))
			continue
		}
		if err == nil && now.Sub(last) < s.Every {
			continue
		}
		if err := s.Run(ctx, now); err != nil {
			errs = append(errs, fmt.Errorf("jobs: sweep %s: %w", s.Name, err))
			continue
		}
		_, err = q.db.ExecContext(ctx, `INSERT INTO sweep_runs (name, last_run_at) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at`, s.Name, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("jobs: recording sweep %s: %w", s.Name, err))
		}
	}
	return errors.Join(errs...)
}

// SweepArgs is the periodic job that runs the due sweeps.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "sweep" }

// InsertOpts makes the periodic sweep job unique while waiting, so that
// instances do not pile them up.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 30 * time.Second}}
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	q *Queue
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	return w.q.RunDueSweeps(ctx)
}
