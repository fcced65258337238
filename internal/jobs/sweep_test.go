package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func newQueue(t *testing.T, db *store.DB, clk clock.Clock) *jobs.Queue {
	t.Helper()
	return jobs.New(db, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// A sweep runs when it became due on the clock, once, and again only after
// its interval — however often the runner is called (DESIGN.md "sweeps").
func TestSweepRunsWhenDueOnTheClock(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC))
		q := newQueue(t, db, clk)
		var runs []time.Time
		q.AddSweep(jobs.Sweep{Name: "daily", Every: 24 * time.Hour, Run: func(_ context.Context, now time.Time) error {
			runs = append(runs, now)
			return nil
		}})
		ctx := context.Background()
		for range 3 {
			if err := q.RunDueSweeps(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if len(runs) != 1 {
			t.Fatalf("ran %d times at once, want 1", len(runs))
		}
		clk.Advance(23 * time.Hour)
		_ = q.RunDueSweeps(ctx)
		clk.Advance(15 * 24 * time.Hour) // a long downtime: one catch-up run
		_ = q.RunDueSweeps(ctx)
		_ = q.RunDueSweeps(ctx)
		if len(runs) != 2 || !runs[1].Equal(clk.Now()) {
			t.Fatalf("runs = %v, want a second run at %v", runs, clk.Now())
		}
	})
}

func TestFailedSweepIsRetriedNextTime(t *testing.T) {
	t.Parallel()
	db := testutil.OpenDB(t, store.SQLite)
	clk := clock.NewFixed(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	q := newQueue(t, db, clk)
	fail := true
	calls := 0
	q.AddSweep(jobs.Sweep{Name: "flaky", Every: time.Hour, Run: func(context.Context, time.Time) error {
		calls++
		if fail {
			return errors.New("boom")
		}
		return nil
	}})
	if err := q.RunDueSweeps(context.Background()); err == nil {
		t.Fatal("a failed sweep reported no error")
	}
	fail = false
	if err := q.RunDueSweeps(context.Background()); err != nil || calls != 2 {
		t.Fatalf("retry: err %v, calls %d", err, calls)
	}
}

type noteArgs struct{ Text string }

func (noteArgs) Kind() string { return "test_note" }

type noteWorker struct {
	river.WorkerDefaults[noteArgs]
	db *store.DB
}

func (w *noteWorker) Work(ctx context.Context, j *river.Job[noteArgs]) error {
	_, err := w.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, 'done', $2)`,
		"note:"+j.Args.Text, time.Unix(0, 0).UTC())
	return err
}

// A job enqueued in a rolled-back transaction never runs; one enqueued in a
// committed transaction does (DESIGN.md "Every change is one transaction").
func TestEnqueueTxFollowsTheTransaction(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db, clock.System{})
		jobs.AddWorker(q, &noteWorker{db: db})
		if err := q.Open(true); err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = q.Stop(context.Background()) })
		rollback := errors.New("rollback")
		err := db.WithTx(ctx, func(tx *sql.Tx) error {
			if err := q.EnqueueTx(ctx, tx, noteArgs{Text: "lost"}, nil); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if err := db.WithTx(ctx, func(tx *sql.Tx) error { return q.EnqueueTx(ctx, tx, noteArgs{Text: "kept"}, nil) }); err != nil {
			t.Fatal(err)
		}
		wait, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := q.WaitIdle(wait); err != nil {
			t.Fatal(err)
		}
		var n int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'note:%'`).Scan(&n)
		var kept int
		_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = 'note:kept'`).Scan(&kept)
		if n != 1 || kept != 1 {
			t.Fatalf("%d notes (kept: %d), want only the committed job's", n, kept)
		}
	})
}

// blockWorker runs until released.
type blockArgs struct{}

func (blockArgs) Kind() string { return "test.block" }

type blockWorker struct {
	river.WorkerDefaults[blockArgs]
	started, release chan struct{}
}

func (w *blockWorker) Work(ctx context.Context, _ *river.Job[blockArgs]) error {
	w.started <- struct{}{}
	select {
	case <-w.release:
	case <-ctx.Done():
	}
	return nil
}

// WaitIdle waits for the jobs this process runs, not for a job a killed
// process left running (it runs again once the queue rescues it).
func TestWaitIdleWaitsForItsOwnJobsNotForOrphans(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := newQueue(t, db, clock.System{})
		w := &blockWorker{started: make(chan struct{}, 1), release: make(chan struct{})}
		jobs.AddWorker(q, w)
		if err := q.Open(true); err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = q.Stop(context.Background()) })
		// An orphan: a job of a queue nobody works, marked running by a
		// client that is gone.
		orphan := `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = $1, attempted_by = '["dead-client"]'
			WHERE queue = 'elsewhere'`
		if db.Engine == store.Postgres {
			orphan = `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = $1, attempted_by = ARRAY['dead-client']
				WHERE queue = 'elsewhere'`
		}
		err := db.WithTx(ctx, func(tx *sql.Tx) error {
			if err := q.EnqueueTx(ctx, tx, blockArgs{}, &river.InsertOpts{Queue: "elsewhere"}); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, orphan, time.Now().UTC())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := q.WaitIdle(short); err != nil {
			t.Fatalf("WaitIdle waited for an orphan: %v", err)
		}
		// A job of its own, running: waited for.
		if err := db.WithTx(ctx, func(tx *sql.Tx) error { return q.EnqueueTx(ctx, tx, blockArgs{}, nil) }); err != nil {
			t.Fatal(err)
		}
		<-w.started
		brief, cancel2 := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel2()
		if err := q.WaitIdle(brief); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WaitIdle = %v while its own job runs, want it to wait", err)
		}
		close(w.release)
		done, cancel3 := context.WithTimeout(ctx, 20*time.Second)
		defer cancel3()
		if err := q.WaitIdle(done); err != nil {
			t.Fatal(err)
		}
	})
}
