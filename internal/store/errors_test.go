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

func TestIsUniqueViolationOnDuplicateEmail(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := insertUser(ctx, db, "dup@example.com"); err != nil {
			t.Fatalf("first insert: %v", err)
		}
		_, err := insertUser(ctx, db, "dup@example.com")
		if err == nil {
			t.Fatal("second insert with the same e-mail succeeded")
		}
		if !store.IsUniqueViolation(err) {
			t.Fatalf("IsUniqueViolation(%v) = false", err)
		}
		if !store.IsUniqueViolation(fmt.Errorf("account: creating user: %w", err)) {
			t.Fatal("IsUniqueViolation is false once the error is wrapped")
		}
		// Inside WithTx, as domain code does it.
		err = db.WithTx(ctx, func(tx *sql.Tx) error {
			_, err := insertUser(ctx, tx, "dup@example.com")
			return err
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("IsUniqueViolation(WithTx error %v) = false", err)
		}
	})
}

func TestIsUniqueViolationFalseForOtherErrors(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// A CHECK violation (unknown language) is not a unique violation.
		_, err := db.ExecContext(ctx, `
			INSERT INTO users (id, email, password_hash, first_name, last_name, language, created_at, updated_at)
			VALUES ($1, 'x@example.com', 'x', 'A', 'B', 'xx', $2, $2)`, "0195f1a0-0000-7000-8000-000000000001", t0)
		if err == nil {
			t.Fatal("insert with language xx succeeded")
		}
		if store.IsUniqueViolation(err) {
			t.Fatalf("IsUniqueViolation(%v) = true for a CHECK violation", err)
		}
		if store.IsUniqueViolation(nil) {
			t.Fatal("IsUniqueViolation(nil) = true")
		}
	})
}

func TestNoRowsMapsToErrNotFound(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		var v string
		err := db.QueryRowContext(context.Background(), "SELECT value FROM settings WHERE key = $1", "missing").Scan(&v)
		if got := store.NoRows(err, "reading setting"); !errors.Is(got, store.ErrNotFound) {
			t.Fatalf("NoRows(%v) = %v, want ErrNotFound", err, got)
		}
		other := errors.New("connection lost")
		if got := store.NoRows(other, "reading setting"); !errors.Is(got, other) || errors.Is(got, store.ErrNotFound) {
			t.Fatalf("NoRows(other) = %v, want it wrapped and not ErrNotFound", got)
		}
		if got := store.NoRows(nil, "reading setting"); got != nil {
			t.Fatalf("NoRows(nil) = %v", got)
		}
	})
}
