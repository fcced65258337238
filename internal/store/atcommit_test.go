package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// Work gathered with AtCommit runs once, in the transaction, just before
// its commit; its failure rolls the transaction back; a transaction not
// begun by WithTx gathers nothing.
func TestAtCommitRunsGatheredWorkOnceBeforeTheCommit(t *testing.T) {
	t.Parallel()
	db := testutil.OpenDB(t, store.SQLite)
	ctx := context.Background()
	type emails struct{ list []string }
	flushes := 0
	flush := func(ctx context.Context, tx *sql.Tx, v *emails) error {
		flushes++
		for _, e := range v.list {
			if _, err := insertUser(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	}
	mk := func() *emails { return &emails{} }
	err := db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, e := range []string{"a@example.com", "b@example.com"} {
			v, ok := store.AtCommit(tx, "users", mk, flush)
			if !ok {
				return errors.New("AtCommit refused a transaction of WithTx")
			}
			v.list = append(v.list, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if flushes != 1 || countUsers(t, db) != 2 {
		t.Fatalf("%d flushes, %d users; want 1 flush that inserted 2", flushes, countUsers(t, db))
	}
	// The flush fails (a duplicate): the whole transaction is rolled back.
	err = db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := insertUser(ctx, tx, "c@example.com"); err != nil {
			return err
		}
		v, _ := store.AtCommit(tx, "users", mk, flush)
		v.list = append(v.list, "a@example.com")
		return nil
	})
	if !store.IsUniqueViolation(err) || countUsers(t, db) != 2 {
		t.Fatalf("err %v, %d users; want the duplicate refused and c rolled back", err, countUsers(t, db))
	}
	// A transaction of its own: nothing gathered.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, ok := store.AtCommit(tx, "users", mk, flush); ok {
		t.Fatal("AtCommit gathered work for a transaction WithTx did not begin")
	}
}

func countUsers(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// gatheredEmails is a Gathered list.
type gatheredEmails struct{ list []string }

func (g *gatheredEmails) Len() int       { return len(g.list) }
func (g *gatheredEmails) Truncate(n int) { g.list = g.list[:n] }

// A savepoint that rolls back drops what its function gathered in a
// Gathered list; what was gathered before it, or in savepoints that
// released, stays.
func TestSavepointDropsWhatItGathered(t *testing.T) {
	t.Parallel()
	db := testutil.OpenDB(t, store.SQLite)
	ctx := context.Background()
	var flushed []string
	flush := func(_ context.Context, _ *sql.Tx, g *gatheredEmails) error {
		flushed = append(flushed, g.list...)
		return nil
	}
	mk := func() *gatheredEmails { return &gatheredEmails{} }
	err := db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, e := range []string{"kept-1", "dropped-1", "kept-2"} {
			_ = store.Savepoint(ctx, tx, func() error {
				g, _ := store.AtCommit(tx, "emails", mk, flush)
				g.list = append(g.list, e, e+"-bis")
				if e == "dropped-1" {
					return errors.New("given up")
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"kept-1", "kept-1-bis", "kept-2", "kept-2-bis"}
	if fmt.Sprint(flushed) != fmt.Sprint(want) {
		t.Fatalf("flushed %v, want %v", flushed, want)
	}
}
