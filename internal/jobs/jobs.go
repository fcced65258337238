// Package jobs is alpage's background work: River on the same database as the
// data, behind a small interface, and the periodic sweep runner.
//
// Every side effect of a change (an e-mail, an SMS, a payment attempt, a
// webhook) is enqueued with EnqueueTx in the transaction that makes the change:
// a rolled-back change drops its jobs, a committed one cannot lose them.
//
// Use:
//
//	q := jobs.New(db, clk, logger)
//	jobs.AddWorker(q, &myWorker{})      // before Open
//	q.AddSweep(jobs.Sweep{Name: "renewals", Every: time.Hour, Run: f})
//	q.Open(true)                        // false for insert-only (CLI)
//	q.Start(ctx); defer q.Stop(ctx)
package jobs

import (
	"context"
	"database/sql"

	"github.com/riverqueue/river"
)

// Enqueuer enqueues work in the caller's transaction. Domain packages depend
// on this interface, not on River's client.
type Enqueuer interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// AddWorker registers a River worker on q. Call it before q.Open.
func AddWorker[T river.JobArgs](q *Queue, w river.Worker[T]) {
	river.AddWorker(q.workers, w)
}
