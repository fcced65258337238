// Package testutil holds helpers shared by alpage's tests: migrated
// databases on both engines, and the directory for test artifacts.
//
// A package whose tests use PostgreSQL should stop the shared cluster when
// they end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package testutil

import (
	"context"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

// Engines lists the engines every store-backed suite runs on.
var Engines = []store.Engine{store.SQLite, store.Postgres}

// OpenDB returns a migrated, empty database of the given engine, closed when
// the test ends: SQLite in a temporary directory, or a fresh PostgreSQL
// database from pgtest (the test is skipped, or failed under CI, when
// PostgreSQL is not available).
func OpenDB(tb testing.TB, engine store.Engine) *store.DB {
	tb.Helper()
	db := OpenUnmigrated(tb, engine)
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("testutil: migrating %s: %v", engine, err)
	}
	return db
}

// OpenUnmigrated is OpenDB without the migrations, for tests of Migrate.
func OpenUnmigrated(tb testing.TB, engine store.Engine) *store.DB {
	tb.Helper()
	var dataDir, url string
	switch engine {
	case store.SQLite:
		dataDir = tb.TempDir()
	case store.Postgres:
		url = pgtest.URL(tb)
	default:
		tb.Fatalf("testutil: unknown engine %q", engine)
	}
	db, err := store.Open(context.Background(), dataDir, url)
	if err != nil {
		tb.Fatalf("testutil: opening %s: %v", engine, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("testutil: closing %s: %v", engine, err)
		}
	})
	return db
}

// ForEachEngine runs fn as a parallel subtest named after each engine
// ("sqlite", "postgres"), each with its own migrated, empty database.
func ForEachEngine(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, OpenDB(t, engine))
		})
	}
}

// ForEachEngineUnmigrated is ForEachEngine with databases left unmigrated.
func ForEachEngineUnmigrated(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			fn(t, OpenUnmigrated(t, engine))
		})
	}
}
