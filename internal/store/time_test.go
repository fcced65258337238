package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestTimesRoundTripInUTCWithMicroseconds(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := setSetting(ctx, db, "k", "v", t0); err != nil {
			t.Fatalf("inserting: %v", err)
		}
		var got time.Time
		if err := db.QueryRowContext(ctx, "SELECT updated_at FROM settings WHERE key = $1", "k").Scan(&got); err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if !got.Equal(t0) {
			t.Fatalf("read back %s, wrote %s", got.Format(time.RFC3339Nano), t0.Format(time.RFC3339Nano))
		}
		if _, offset := got.Zone(); offset != 0 {
			t.Fatalf("read back %s: want a UTC offset of 0", got)
		}

	})
}

func TestNullTimesScanAsNilOrUTC(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		uid, err := insertUser(ctx, db, "null@example.com")
		if err != nil {
			t.Fatalf("inserting a user: %v", err)
		}
		read := func() *time.Time {
			t.Helper()
			var nt sql.NullTime
			if err := db.QueryRowContext(ctx, "SELECT email_confirmed_at FROM users WHERE id = $1", uid).Scan(&nt); err != nil {
				t.Fatalf("reading email_confirmed_at: %v", err)
			}
			return store.NullTime(nt)
		}
		if got := read(); got != nil {
			t.Fatalf("NULL email_confirmed_at read as %s", got)
		}
		if _, err := db.ExecContext(ctx, "UPDATE users SET email_confirmed_at = $1 WHERE id = $2", t0, uid); err != nil {
			t.Fatalf("setting email_confirmed_at: %v", err)
		}
		got := read()
		if got == nil || !got.Equal(t0) || got.Location() != time.UTC {
			t.Fatalf("email_confirmed_at read as %v, want %s in UTC", got, t0)
		}
	})
}

func TestTimesCompareAndSortByParameter(t *testing.T) {
	t.Parallel()
	// Fractions of different lengths: SQLite compares the stored text.
	times := map[string]time.Time{
		"a": t0.Truncate(time.Second),
		"b": t0.Truncate(time.Second).Add(time.Microsecond),
		"c": t0.Truncate(time.Second).Add(100 * time.Millisecond),
		"d": t0,
		"e": t0.Truncate(time.Second).Add(time.Second),
		"f": t0.Add(24 * time.Hour),
	}
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, k := range []string{"f", "c", "a", "e", "b", "d"} {
			if err := setSetting(ctx, db, k, "v", times[k]); err != nil {
				t.Fatalf("inserting %s: %v", k, err)
			}
		}
		keys := func(query string, args ...any) []string {
			t.Helper()
			rows, err := db.QueryContext(ctx, query, args...)
			if err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			defer rows.Close()
			var ks []string
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					t.Fatalf("scanning: %v", err)
				}
				ks = append(ks, k)
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return ks
		}
		if got := keys("SELECT key FROM settings ORDER BY updated_at"); !slices.Equal(got, []string{"a", "b", "c", "d", "e", "f"}) {
			t.Errorf("ORDER BY updated_at = %v", got)
		}
		if got := keys("SELECT key FROM settings WHERE updated_at > $1 ORDER BY updated_at", times["a"]); !slices.Equal(got, []string{"b", "c", "d", "e", "f"}) {
			t.Errorf("updated_at > a = %v", got)
		}
		if got := keys("SELECT key FROM settings WHERE updated_at <= $1 ORDER BY updated_at DESC", times["c"]); !slices.Equal(got, []string{"c", "b", "a"}) {
			t.Errorf("updated_at <= c = %v", got)
		}
		if got := keys("SELECT key FROM settings WHERE updated_at >= $1 AND updated_at < $2 ORDER BY key", times["d"], times["f"]); !slices.Equal(got, []string{"d", "e"}) {
			t.Errorf("d <= updated_at < f = %v", got)
		}
	})
}
