package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// A batch shares one transaction, each change in its savepoint: the change
// that fails is undone whole (even after a unique violation, which aborts a
// PostgreSQL transaction without one), the others commit.
func TestSavepointUndoesOneChangeAndKeepsTheOthers(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		emails := []string{"a@example.com", "b@example.com", "a@example.com", "c@example.com"}
		errBoom := errors.New("boom")
		var errs []error
		err := db.WithTx(ctx, func(tx *sql.Tx) error {
			errs = errs[:0]
			for i, e := range emails {
				errs = append(errs, store.Savepoint(ctx, tx, func() error {
					if _, err := insertUser(ctx, tx, e); err != nil {
						return err
					}
					if i == 3 { // written, then given up: undone
						return errBoom
					}
					return nil
				}))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("WithTx: %v", err)
		}
		if errs[0] != nil || errs[1] != nil || !store.IsUniqueViolation(errs[2]) || !errors.Is(errs[3], errBoom) {
			t.Fatalf("errors = %v, want nil, nil, unique violation, boom", errs)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("%d users committed, want 2 (a and b; the duplicate and c undone)", n)
		}
	})
}
