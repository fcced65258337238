package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestWithTxCommits(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.WithTx(ctx, func(tx *sql.Tx) error {
			return setSetting(ctx, tx, "committed", "v", t0)
		})
		if err != nil {
			t.Fatalf("WithTx: %v", err)
		}
		if n := countSettings(t, db, "committed"); n != 1 {
			t.Fatalf("%d rows after commit, want 1", n)
		}
	})
}

func TestWithTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		errFail := errors.New("refused")
		err := db.WithTx(ctx, func(tx *sql.Tx) error {
			if err := setSetting(ctx, tx, "rolled-back", "v", t0); err != nil {
				return err
			}
			return errFail
		})
		if !errors.Is(err, errFail) {
			t.Fatalf("WithTx returned %v, want the function's error", err)
		}
		if n := countSettings(t, db, "rolled-back"); n != 0 {
			t.Fatalf("%d rows after rollback, want 0", n)
		}
		if inUse := db.Stats().InUse; inUse != 0 {
			t.Fatalf("%d connections still in use after WithTx returned", inUse)
		}
	})
}

func TestWithTxRollsBackOnPanicAndRepanics(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		recovered := func() (r any) {
			defer func() { r = recover() }()
			_ = db.WithTx(ctx, func(tx *sql.Tx) error {
				if err := setSetting(ctx, tx, "panicked", "v", t0); err != nil {
					t.Errorf("inserting: %v", err)
				}
				panic("boom")
			})
			return nil
		}()
		if recovered != "boom" {
			t.Fatalf("recovered %v from WithTx, want the function's panic", recovered)
		}
		// A transaction left open would hold SQLite's only connection
		// forever: check before querying, so the test cannot hang.
		if inUse := db.Stats().InUse; inUse != 0 {
			t.Fatalf("store.WithTx left its transaction open when fn panicked (%d connections in use)", inUse)
		}
		if n := countSettings(t, db, "panicked"); n != 0 {
			t.Fatalf("%d rows after a panic, want 0", n)
		}
	})
}
