package store_test

import (
	"context"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestParametersBindByNumberReorderedAndReused(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// $3 first, $1 twice: bound by number, not by position.
		_, err := db.ExecContext(ctx, `
			INSERT INTO settings (updated_at, value, key) VALUES ($3, $1, $2)
			ON CONFLICT (key) DO UPDATE SET value = $1 || '!'`, "value", "key", t0)
		if err != nil {
			t.Fatalf("inserting with reordered parameters: %v", err)
		}
		var key, value string
		err = db.QueryRowContext(ctx, `
			SELECT key, value FROM settings
			WHERE value = $2 AND (key = $1 OR value = $1) AND updated_at = $3 AND key = $1`,
			"key", "value", t0).Scan(&key, &value)
		if err != nil {
			t.Fatalf("selecting with reused parameters: %v", err)
		}
		if key != "key" || value != "value" {
			t.Fatalf("got (%q, %q), want (key, value)", key, value)
		}
		// The conflict branch reuses $1.
		if _, err := db.ExecContext(ctx, `
			INSERT INTO settings (updated_at, value, key) VALUES ($3, $1, $2)
			ON CONFLICT (key) DO UPDATE SET value = $1 || '!'`, "again", "key", t0); err != nil {
			t.Fatalf("upserting: %v", err)
		}
		if err := db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", "key").Scan(&value); err != nil {
			t.Fatalf("reading: %v", err)
		}
		if value != "again!" {
			t.Fatalf("value = %q after upsert, want again!", value)
		}
	})
}
