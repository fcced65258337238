package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/store"
)

// Queue wraps one River client on alpage's database, on either engine.
type Queue struct {
	db      *store.DB
	clock   clock.Clock
	logger  *slog.Logger
	workers *river.Workers
	client  *river.Client[*sql.Tx]
	sweeps  []Sweep
	working bool
	// SweepInterval is how often the periodic runner looks for due sweeps.
	SweepInterval time.Duration
}

// New returns a queue with no workers; register them with AddWorker, then Open.
func New(db *store.DB, clk clock.Clock, logger *slog.Logger) *Queue {
	q := &Queue{db: db, clock: clk, logger: logger, workers: river.NewWorkers(), SweepInterval: time.Minute}
	river.AddWorker(q.workers, &sweepWorker{q: q})
	return q
}

// Open creates the River client. With work false the client only inserts
// jobs (the CLI); with work true it also works them once started (serve).
func (q *Queue) Open(work bool) error {
	cfg := &river.Config{
		Logger:            q.logger.With("component", "jobs"),
		FetchPollInterval: 200 * time.Millisecond,
		FetchCooldown:     100 * time.Millisecond,
		JobTimeout:        2 * time.Minute,
		// A job left "running" by a killed process is worked again after
		// this; workers are idempotent, so a rare second run is harmless.
		RescueStuckJobsAfter: 5 * time.Minute,
		MaxAttempts:          10,
	}
	q.working = work
	if work {
		workers := 10
		if q.db.Engine == store.SQLite {
			workers = 2
		}
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}}
		cfg.Workers = q.workers
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(q.SweepInterval),
				func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		}
	}
	var err error
	if q.db.Engine == store.Postgres {
		q.client, err = river.NewClient(riverdatabasesql.New(q.db.DB), cfg)
	} else {
		q.client, err = river.NewClient(riversqlite.New(q.db.DB), cfg)
	}
	if err != nil {
		return fmt.Errorf("jobs: creating client: %w", err)
	}
	return nil
}

// EnqueueTx inserts a job in tx; it runs once tx commits.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if q.client == nil {
		return errors.New("jobs: queue not opened")
	}
	if _, err := q.client.InsertTx(ctx, tx, args, opts); err != nil {
		return fmt.Errorf("jobs: enqueueing %s: %w", args.Kind(), err)
	}
	return nil
}

// Start starts working jobs.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: starting: %w", err)
	}
	return nil
}

// Stop waits for running jobs to finish, or for ctx to end.
func (q *Queue) Stop(ctx context.Context) error {
	if q.client == nil {
		return nil
	}
	return q.client.Stop(ctx)
}

// Subscribe exposes River's completion events, for metrics.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return q.client.Subscribe(kinds...)
}

// WaitIdle returns when no job is waiting to run now or running here, or
// when ctx ends. The test clock calls it so that the e-mails a sweep
// enqueued are in the outbox when its request returns. A job another
// process left running (killed) is not waited for: it runs again once the
// queue rescues it (RescueStuckJobsAfter).
func (q *Queue) WaitIdle(ctx context.Context) error {
	mine := `CAST(attempted_by AS text) LIKE '%"' || $2 || '"%'` // a JSON array on SQLite
	if q.db.Engine == store.Postgres {
		mine = `$2 = ANY(attempted_by)`
	}
	for {
		var n int
		err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job WHERE state = 'available'
			OR (state = 'running' AND `+mine+`)
			OR (state IN ('retryable', 'scheduled') AND scheduled_at <= $1)`,
			clock.System{}.Now(), q.client.ID()).Scan(&n) // River schedules jobs in wall-clock time
		if err != nil {
			return fmt.Errorf("jobs: counting pending jobs: %w", err)
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Working reports whether the queue works jobs (it was opened with work true).
func (q *Queue) Working() bool { return q.working }
