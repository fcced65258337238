package store

import (
	"context"
	"database/sql"
	"sync"
)

// Work gathered during a transaction and done once at its end, in it: the
// e-mails of a renewal sweep's chunk are hundreds of outbox rows, and one
// delivery job for them all costs less than one each (bench/README.md).

// atCommit holds, per transaction begun by WithTx, the work to do before
// its commit.
var atCommit sync.Map // *sql.Tx → *commitWork

type commitWork struct {
	mu    sync.Mutex
	keys  map[string]any
	order []func(ctx context.Context, tx *sql.Tx) error
}

// AtCommit answers the value gathered under key for tx, made by mk the
// first time, when flush(ctx, tx, value) is also registered to run in tx
// once WithTx's function returned without error, just before the commit
// (in registration order; an error rolls tx back as the function's would).
// ok is false when tx was not begun by WithTx: nothing is gathered, the
// caller does its work at once.
//
// A value that is a Gathered list loses what was added to it inside a
// savepoint that rolled back (Savepoint); any other keeps it, and its flush
// must bear references to rows that are not there.
func AtCommit[T any](tx *sql.Tx, key string, mk func() T, flush func(ctx context.Context, tx *sql.Tx, v T) error) (v T, ok bool) {
	x, found := atCommit.Load(tx)
	if !found {
		return v, false
	}
	w := x.(*commitWork)
	w.mu.Lock()
	defer w.mu.Unlock()
	if kept, seen := w.keys[key]; seen {
		return kept.(T), true
	}
	v = mk()
	if w.keys == nil {
		w.keys = map[string]any{}
	}
	w.keys[key] = v
	w.order = append(w.order, func(ctx context.Context, tx *sql.Tx) error { return flush(ctx, tx, v) })
	return v, true
}

// gather registers tx for AtCommit; the function returned runs the work
// gathered and forgets tx.
func gather(tx *sql.Tx) (flush func(ctx context.Context) error, forget func()) {
	w := &commitWork{}
	atCommit.Store(tx, w)
	flush = func(ctx context.Context) error {
		for i := 0; ; i++ { // work a flush gathers runs too
			w.mu.Lock()
			if i >= len(w.order) {
				w.mu.Unlock()
				return nil
			}
			f := w.order[i]
			w.mu.Unlock()
			if err := f(ctx, tx); err != nil {
				return err
			}
		}
	}
	return flush, func() { atCommit.Delete(tx) }
}

// Gathered is a list of work gathered with AtCommit that a rolled-back
// savepoint shortens back to its length before the savepoint.
type Gathered interface {
	Len() int
	Truncate(n int)
}

// gatheredLens notes the lengths of tx's Gathered values (nil when there
// are none), for dropGathered.
func gatheredLens(tx *sql.Tx) map[string]int {
	x, found := atCommit.Load(tx)
	if !found {
		return nil
	}
	w := x.(*commitWork)
	w.mu.Lock()
	defer w.mu.Unlock()
	var lens map[string]int
	for k, v := range w.keys {
		if g, ok := v.(Gathered); ok {
			if lens == nil {
				lens = map[string]int{}
			}
			lens[k] = g.Len()
		}
	}
	return lens
}

// dropGathered shortens tx's Gathered values back to lens; a value first
// gathered since is emptied.
func dropGathered(tx *sql.Tx, lens map[string]int) {
	x, found := atCommit.Load(tx)
	if !found {
		return
	}
	w := x.(*commitWork)
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, v := range w.keys {
		if g, ok := v.(Gathered); ok {
			g.Truncate(lens[k])
		}
	}
}
