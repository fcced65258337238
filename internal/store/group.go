package store

import (
	"context"
	"database/sql"
	"sync"
)

// Group commits small independent transactions together: the functions
// passed to Do by concurrent callers while a commit is under way run in
// the next shared transaction, each in its own savepoint, and every caller
// returns once that transaction committed (group commit). Each function's
// changes are whole or absent and fail alone, as in its own transaction;
// what they share is the commit, which on SQLite (one writer, the WAL
// frames written at each commit) costs more than a small transaction's
// statements. A caller alone runs at once: nothing waits for company.
//
// On PostgreSQL each call runs in its own transaction: its commits go side
// by side, and calls sharing a transaction would hold one another's row
// locks (two instances inserting the same keys in another order deadlock).
//
// The functions must only touch the database through the tx given, be
// safe to run again (WithTx retries the shared transaction) and not
// depend on one another's effects being committed.
type Group struct {
	db *DB

	mu      sync.Mutex
	queue   []*groupCall
	leading bool
}

type groupCall struct {
	fn   func(tx *sql.Tx) error
	done chan error
}

// NewGroup returns a Group committing on db.
func NewGroup(db *DB) *Group { return &Group{db: db} }

// Do runs fn in the next shared transaction and returns fn's error, or the
// shared transaction's when it could not commit.
func (g *Group) Do(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if g.db.Engine == Postgres {
		return g.db.WithTx(ctx, fn)
	}
	c := &groupCall{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if g.leading {
		g.mu.Unlock()
		select {
		case err := <-c.done:
			return err
		case <-ctx.Done():
			// The call may still run and commit with its group: as with a
			// transaction whose commit's answer was lost.
			return ctx.Err()
		}
	}
	// No commit under way: this caller commits for everyone who comes
	// meanwhile, until the queue is empty.
	g.leading = true
	for len(g.queue) > 0 {
		calls := g.queue
		g.queue = nil
		g.mu.Unlock()
		g.commit(context.WithoutCancel(ctx), calls)
		g.mu.Lock()
	}
	g.leading = false
	g.mu.Unlock()
	return <-c.done
}

// commit runs calls in one transaction, each in its savepoint, and tells
// each its outcome.
func (g *Group) commit(ctx context.Context, calls []*groupCall) {
	errs := g.db.EachInTx(ctx, len(calls), func(tx *sql.Tx, i int) error { return calls[i].fn(tx) })
	for i, c := range calls {
		c.done <- errs[i]
	}
}
