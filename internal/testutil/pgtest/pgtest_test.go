package pgtest_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("opening %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestURLGivesEachTestItsOwnDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := open(t, pgtest.URL(t)), open(t, pgtest.URL(t))

	var nameA, nameB string
	if err := a.QueryRowContext(ctx, "SELECT current_database()").Scan(&nameA); err != nil {
		t.Fatalf("reading database a: %v", err)
	}
	if err := b.QueryRowContext(ctx, "SELECT current_database()").Scan(&nameB); err != nil {
		t.Fatalf("reading database b: %v", err)
	}
	if nameA == nameB || !strings.HasPrefix(nameA, "test_") {
		t.Fatalf("databases %q and %q: want two distinct test_ databases", nameA, nameB)
	}
	if _, err := a.ExecContext(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatalf("creating a table in a: %v", err)
	}
	if _, err := b.ExecContext(ctx, "SELECT * FROM only_in_a"); err == nil {
		t.Fatal("a table created in database a is visible in database b")
	}
}

func TestURLDropsTheDatabaseWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	var inner string
	t.Run("user", func(t *testing.T) {
		u, err := url.Parse(pgtest.URL(t))
		if err != nil {
			t.Fatalf("parsing the URL: %v", err)
		}
		inner = strings.TrimPrefix(u.Path, "/")
	})
	if inner == "" {
		t.Skip("the subtest did not get a database")
	}
	db := open(t, pgtest.URL(t))
	var n int
	if err := db.QueryRowContext(context.Background(),
		"SELECT count(*) FROM pg_database WHERE datname = $1", inner).Scan(&n); err != nil {
		t.Fatalf("looking for %s: %v", inner, err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after its test ended", inner)
	}
}

func TestClusterRunsUnprivilegedWithoutFsync(t *testing.T) {
	t.Parallel()
	if os.Getenv(pgtest.EnvURL) != "" {
		t.Skipf("%s is set: the server is not ours", pgtest.EnvURL)
	}
	db := open(t, pgtest.URL(t))
	var fsync, listen, version string
	err := db.QueryRowContext(context.Background(),
		"SELECT current_setting('fsync'), current_setting('listen_addresses'), current_setting('server_version_num')").
		Scan(&fsync, &listen, &version)
	if err != nil {
		t.Fatalf("reading settings: %v", err)
	}
	if fsync != "off" || listen != "127.0.0.1" {
		t.Fatalf("fsync=%s listen_addresses=%s, want off and 127.0.0.1", fsync, listen)
	}
	if version < "130000" {
		t.Fatalf("server_version_num %s: want PostgreSQL 13 or later (DROP DATABASE … WITH (FORCE))", version)
	}
}
