package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// Concurrent callers of a Group share commits (on SQLite; each has its
// own on PostgreSQL), and each one's change is whole or absent as in its
// own transaction: a duplicate fails alone with its unique violation, a
// call that fails after writing leaves nothing.
func TestGroupCommitsConcurrentChangesEachWholeOrAbsent(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		g := store.NewGroup(db)
		const n = 60
		errBoom := errors.New("boom")
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := fmt.Sprintf("u%d@example.com", i)
				if i%10 == 1 { // the same address as i-1: one of the two fails
					email = fmt.Sprintf("u%d@example.com", i-1)
				}
				errs[i] = g.Do(ctx, func(tx *sql.Tx) error {
					if _, err := insertUser(ctx, tx, email); err != nil {
						return err
					}
					if i%10 == 2 {
						return errBoom
					}
					return nil
				})
			}()
		}
		wg.Wait()
		var dup, boom int
		for i, err := range errs {
			switch {
			case err == nil:
			case store.IsUniqueViolation(err) && (i%10 == 0 || i%10 == 1):
				dup++
			case errors.Is(err, errBoom) && i%10 == 2:
				boom++
			default:
				t.Errorf("call %d: %v", i, err)
			}
		}
		if dup != n/10 || boom != n/10 {
			t.Fatalf("%d duplicates and %d failures refused, want %d each", dup, boom, n/10)
		}
		var users int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
			t.Fatal(err)
		}
		if want := n - 2*n/10; users != want {
			t.Fatalf("%d users committed, want %d", users, want)
		}
	})
}
