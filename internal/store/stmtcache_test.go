package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// SQLite's connections keep their statements prepared (stmtcache.go): the
// same text run again, nested in its own open rows, failing, inside and
// outside transactions and past the cache's size answers as a fresh one.
func TestSQLiteKeptStatementsAnswerAsFreshOnes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testutil.OpenDB(t, store.SQLite)
	const q = `SELECT value FROM settings WHERE key = $1`
	for i := range 3 {
		if err := setSetting(ctx, db, fmt.Sprintf("k%d", i), fmt.Sprintf("v%d", i), t0); err != nil {
			t.Fatal(err)
		}
	}
	// The same statement nested in its own open rows, in one transaction
	// (one connection): the inner one must not reset the outer one.
	const list = `SELECT key FROM settings WHERE key LIKE $1 ORDER BY key`
	var seen []string
	err := db.WithTx(ctx, func(tx *sql.Tx) error {
		outer, err := tx.QueryContext(ctx, list, "k%")
		if err != nil {
			return err
		}
		defer outer.Close()
		for outer.Next() {
			var k string
			if err := outer.Scan(&k); err != nil {
				return err
			}
			inner, err := tx.QueryContext(ctx, list, k)
			if err != nil {
				return err
			}
			for inner.Next() {
				var same, v string
				if err := inner.Scan(&same); err != nil {
					inner.Close()
					return err
				}
				if err := tx.QueryRowContext(ctx, q, same).Scan(&v); err != nil {
					inner.Close()
					return err
				}
				seen = append(seen, same+"="+v)
			}
			if err := inner.Close(); err != nil {
				return err
			}
		}
		return outer.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(seen); got != "[k0=v0 k1=v1 k2=v2]" {
		t.Fatalf("nested reads = %s, want [k0=v0 k1=v1 k2=v2]", got)
	}
	// Read the same text many times, with different arguments and a miss.
	for round := range 2 {
		for i := range 4 {
			var v string
			err := db.QueryRowContext(ctx, q, fmt.Sprintf("k%d", i)).Scan(&v)
			if i == 3 {
				if err != sql.ErrNoRows {
					t.Fatalf("round %d: k3 = %q, %v; want no rows", round, v, err)
				}
				continue
			}
			if err != nil || v != fmt.Sprintf("v%d", i) {
				t.Fatalf("round %d: k%d = %q, %v", round, i, v, err)
			}
		}
	}
	// A failing statement (unique violation) runs again and succeeds.
	const ins = `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)`
	if _, err := db.ExecContext(ctx, ins, "k0", "again", t0); !store.IsUniqueViolation(err) {
		t.Fatalf("duplicate insert = %v, want a unique violation", err)
	}
	if _, err := db.ExecContext(ctx, ins, "k9", "v9", t0); err != nil {
		t.Fatalf("insert after the failure: %v", err)
	}
	// More texts than the cache keeps.
	for i := range 500 {
		var n int
		if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) + %d FROM settings`, i)).Scan(&n); err != nil || n != 4+i {
			t.Fatalf("statement %d = %d, %v; want %d", i, n, err, 4+i)
		}
	}
	var v string
	if err := db.QueryRowContext(ctx, q, "k9").Scan(&v); err != nil || v != "v9" {
		t.Fatalf("k9 = %q, %v after the cache was full", v, err)
	}
}
