package store_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// migrationVersions lists the version numbers of the migration files of one
// engine (the digits before the first underscore).
func migrationVersions(t *testing.T, engine store.Engine) []int64 {
	t.Helper()
	dir := filepath.Join("migrations", string(engine))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	var versions []int64
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		digits, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			t.Fatalf("migration %s/%s: no version number before '_': %v", dir, e.Name(), err)
		}
		versions = append(versions, v)
	}
	slices.Sort(versions)
	return versions
}

func TestMigrationDirectoriesListTheSameVersions(t *testing.T) {
	t.Parallel()
	lite, pg := migrationVersions(t, store.SQLite), migrationVersions(t, store.Postgres)
	if len(lite) == 0 {
		t.Fatal("no SQLite migrations found")
	}
	if !slices.Equal(lite, pg) {
		t.Fatalf("migration versions differ:\n sqlite   %v\n postgres %v", lite, pg)
	}
	if len(slices.Compact(slices.Clone(lite))) != len(lite) {
		t.Fatalf("duplicate migration versions: %v", lite)
	}
}

func TestMigrateAppliesEverythingOnceAndIsIdempotent(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngineUnmigrated(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		files := migrationVersions(t, db.Engine)

		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("first Migrate: %v", err)
		}
		if n != len(files) {
			t.Fatalf("first Migrate applied %d migrations, want %d (one per file)", n, len(files))
		}
		n, err = db.Migrate(ctx)
		if err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if n != 0 {
			t.Fatalf("second Migrate applied %d migrations, want 0", n)
		}

		current, latest, err := db.MigrationVersions(ctx)
		if err != nil {
			t.Fatalf("MigrationVersions: %v", err)
		}
		if want := files[len(files)-1]; current != want || latest != want {
			t.Fatalf("MigrationVersions = (%d, %d), want (%d, %d)", current, latest, want, want)
		}
	})
}

func TestMigrateCreatesRiverTables(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		var n int
		if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM river_job").Scan(&n); err != nil {
			t.Fatalf("querying river_job after Migrate: %v", err)
		}
		if n != 0 {
			t.Fatalf("river_job has %d rows in a new database", n)
		}
	})
}
