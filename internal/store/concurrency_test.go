package store_test

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// On SQLite, concurrent read-then-write transactions must neither fail with
// SQLITE_BUSY nor lose updates: the store uses immediate transactions on one
// connection.
func TestSQLiteConcurrentReadThenWriteTransactions(t *testing.T) {
	t.Parallel()
	db := testutil.OpenDB(t, store.SQLite)
	ctx := context.Background()
	if err := setSetting(ctx, db, "counter", "0", t0); err != nil {
		t.Fatalf("seeding the counter: %v", err)
	}
	const goroutines, rounds = 8, 25
	errs := make(chan error, goroutines*rounds)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range rounds {
				errs <- db.WithTx(ctx, func(tx *sql.Tx) error {
					var v string
					if err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'counter'").Scan(&v); err != nil {
						return err
					}
					n, err := strconv.Atoi(v)
					if err != nil {
						return err
					}
					return setSetting(ctx, tx, "counter", strconv.Itoa(n+1), t0)
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a transaction failed: %v", err)
		}
	}
	var v string
	if err := db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'counter'").Scan(&v); err != nil {
		t.Fatalf("reading the counter: %v", err)
	}
	if want := strconv.Itoa(goroutines * rounds); v != want {
		t.Fatalf("counter = %s, want %s (lost updates)", v, want)
	}
}
