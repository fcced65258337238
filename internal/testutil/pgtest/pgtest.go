// Package pgtest gives tests a fresh PostgreSQL database on a throwaway
// cluster.
//
// The first call to URL in a test binary starts one PostgreSQL 15 cluster
// from the installed binaries (initdb + postgres in a temporary directory, on
// a free loopback port, fsync off), as the user "postgres" (or "nobody") when
// the tests run as root, because initdb refuses root. Every call to URL then
// creates its own database on that cluster and drops it when the test ends.
// When TEST_PG_URL is set, databases are created on that server instead.
//
// Call Main from TestMain so that the cluster is stopped and its directory
// removed when the tests finish:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// A test binary that dies without that still does not leave PostgreSQL
// running: the server gets SIGQUIT when its parent process exits.
//
// When PostgreSQL cannot be found or started, URL skips the test with a loud
// message, or fails it when the environment variable CI is set.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// EnvURL names the environment variable that points the tests at an existing
// server (a superuser URL such as postgres://postgres@localhost:5432/postgres).
const EnvURL = "TEST_PG_URL"

// server is where test databases are created: a cluster this process
// started, or the server named by TEST_PG_URL.
type server struct {
	// baseURL is an admin URL; test URLs are it with another database name.
	baseURL *url.URL
	admin   *sql.DB
	cluster *cluster // nil with TEST_PG_URL
}

var (
	mu       sync.Mutex
	started  bool
	shared   *server
	startErr error
)

// get starts the shared server on first use and returns it, or the error
// that prevented it from starting (remembered for every later call).
func get() (*server, error) {
	mu.Lock()
	defer mu.Unlock()
	if !started {
		started = true
		shared, startErr = startServer()
	}
	return shared, startErr
}

func startServer() (*server, error) {
	if raw := os.Getenv(EnvURL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("pgtest: parsing %s: %w", EnvURL, err)
		}
		admin, err := connect(u.String())
		if err != nil {
			return nil, fmt.Errorf("pgtest: connecting to %s: %w", EnvURL, err)
		}
		return &server{baseURL: u, admin: admin}, nil
	}
	c, err := startCluster()
	if err != nil {
		return nil, err
	}
	u := &url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     fmt.Sprintf("127.0.0.1:%d", c.port),
		Path:     "/postgres",
		RawQuery: "sslmode=disable",
	}
	admin, err := connect(u.String())
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("pgtest: connecting to the test cluster: %w%s", err, c.logTail())
	}
	return &server{baseURL: u, admin: admin, cluster: c}, nil
}

func connect(dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// URL creates an empty database for this test and returns its URL
// (postgres://…). The database is dropped when the test ends.
func URL(tb testing.TB) string {
	tb.Helper()
	s, err := get()
	if err != nil {
		unavailable(tb, err)
	}
	name, err := randomName()
	if err != nil {
		tb.Fatalf("pgtest: naming a database: %v", err)
	}
	ctx := context.Background()
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if _, err := s.admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	u := *s.baseURL
	u.Path = "/" + name
	return u.String()
}

// randomName returns test_ and 16 hex digits: a valid, unquoted identifier.
func randomName() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "test_" + hex.EncodeToString(b), nil
}

// unavailable fails the test under CI and skips it, loudly, otherwise.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("\n\n*** PostgreSQL is REQUIRED when CI is set, and it is not available: %v\n"+
			"*** Install it with `bash scripts/install-test-deps.sh` (Debian package postgresql-15),\n"+
			"*** or point %s at a server (superuser URL).\n\n", err, EnvURL)
	}
	tb.Skipf("\n\n*** PostgreSQL 15 not found: PostgreSQL tests SKIPPED — install postgresql-15 "+
		"(`bash scripts/install-test-deps.sh`) or set %s.\n*** Cause: %v\n\n", EnvURL, err)
}

// Shutdown stops the cluster started by this process, if any, and removes
// its directory. URL must not be called afterwards.
func Shutdown() {
	mu.Lock()
	defer mu.Unlock()
	if shared == nil {
		return
	}
	shared.admin.Close()
	if shared.cluster != nil {
		shared.cluster.stop()
	}
	shared = nil
	startErr = fmt.Errorf("pgtest: Shutdown was called")
}

// Main runs the tests, stops the cluster, and exits with the tests' code.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Shutdown()
	os.Exit(code)
}
