package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// t0 is the fixed time the tests start from (with microseconds, UTC).
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

// insertUser adds a user with the given e-mail through q and returns its id.
func insertUser(ctx context.Context, q store.Querier, email string) (string, error) {
	uid := id.New()
	_, err := q.ExecContext(ctx, `
		INSERT INTO users (id, email, password_hash, first_name, last_name, created_at, updated_at)
		VALUES ($1, $2, 'x', 'Ada', 'Lovelace', $3, $3)`, uid, email, t0)
	return uid, err
}

// setSetting upserts one row of settings through q.
func setSetting(ctx context.Context, q store.Querier, key, value string, at time.Time) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3`, key, value, at)
	return err
}

// countSettings counts the settings rows with key.
func countSettings(t *testing.T, q store.Querier, key string) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(context.Background(), "SELECT count(*) FROM settings WHERE key = $1", key).Scan(&n); err != nil {
		t.Fatalf("counting settings %q: %v", key, err)
	}
	return n
}
