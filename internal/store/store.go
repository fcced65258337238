// Package store is alpage's one SQL layer over database/sql, for SQLite
// (modernc, WAL, immediate transactions) and PostgreSQL (pgx). Queries use $1
// parameters, which both drivers bind; only the migrations differ per engine.
//
// Domain packages write their SQL inline next to its Scan, take a Querier
// (the *sql.DB or the *sql.Tx they are in), pass every time as a parameter
// taken from the clock (never now() in SQL), and scope rows by organization.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Querier is what *sql.DB and *sql.Tx have in common.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database of either engine.
type DB struct {
	*sql.DB
	Engine Engine
	// Path is the SQLite file, empty on PostgreSQL.
	Path string
}

// ErrNotFound is returned by store helpers when a row does not exist.
var ErrNotFound = errors.New("store: not found")

// Open opens the database named by url ("postgres://…") or, when url is
// empty, the SQLite database in dataDir (created if missing).
func Open(ctx context.Context, dataDir, url string) (*DB, error) {
	if url != "" {
		if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
			return nil, fmt.Errorf("store: database URL must start with postgres:// (got %q)", redact(url))
		}
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, fmt.Errorf("store: reading the PostgreSQL URL %s: %w", redact(url), err)
		}
		// Times come back in UTC whatever the machine's time zone.
		db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
			c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
				Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
			return nil
		}))
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: connecting to PostgreSQL at %s: %w", redact(url), err)
		}
		return &DB{DB: db, Engine: Postgres}, nil
	}
	if dataDir == "" {
		dataDir = "alpage-data"
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("store: creating data directory: %w", err)
	}
	path := filepath.Join(dataDir, "alpage.db")
	dsn := "file:" + path + "?_txlock=immediate&_time_format=sqlite" +
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		// 64 MiB of page cache (SQLite's default is 2 MiB): the indexes on
		// random keys (idempotency keys, e-mail recipients) outgrow the
		// default with the tables, and every insert then reads its page
		// from the file again (bench/README.md).
		"&_pragma=cache_size(-65536)" +
		// Savepoints (a renewal chunk's products, store.Savepoint) keep the
		// pages they change in a sub-journal: in memory, not a temporary
		// file written at each change.
		"&_pragma=temp_store(2)"
	db, err := openSQLite(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: opening SQLite: %w", err)
	}
	// One connection: SQLite has one writer, and River's SQLite driver advises
	// it to avoid SQLITE_BUSY. A transaction therefore must never use db.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	return &DB{DB: db, Engine: SQLite, Path: path}, nil
}

// openSQLite opens the registered modernc driver's database dsn with
// connections that keep their statements prepared (stmtcache.go).
func openSQLite(dsn string) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", dsn) // opens no connection: only to reach the driver
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	if err := probe.Close(); err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{dsn: dsn, drv: drv}), nil
}

// redact hides the password of a database URL.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return url
	}
	creds := url[scheme+3 : at]
	if user, _, ok := strings.Cut(creds, ":"); ok {
		return url[:scheme+3] + user + ":***" + url[at:]
	}
	return url
}

// WithTx runs fn in one transaction and commits it, or rolls it back when fn
// fails. Serialization failures and SQLite busy errors are retried a few
// times: fn must therefore only touch the database through tx (and enqueue its
// jobs in tx), so that running it again is safe.
func (db *DB) WithTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = db.tryTx(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(10*(attempt+1)) * time.Millisecond):
		}
	}
	return err
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: beginning transaction: %w", err)
	}
	// Rolls back on error and on panic; after a commit it does nothing.
	defer func() { _ = tx.Rollback() }()
	flush, forget := gather(tx)
	defer forget()
	if err = fn(tx); err != nil {
		return err
	}
	if err = flush(ctx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: committing: %w", err)
	}
	return nil
}

// Savepoint runs fn inside a savepoint of tx: when fn fails, what it did is
// undone (with what it gathered for the commit, AtCommit's Gathered) and
// the rest of tx stays, so that a batch of independent changes
// shares one transaction (one commit) while each change is whole or absent.
// A failure the whole transaction must retry (Retryable) is returned as is:
// pass it up to WithTx.
func Savepoint(ctx context.Context, tx *sql.Tx, fn func() error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT alpage_item`); err != nil {
		return fmt.Errorf("store: opening a savepoint: %w", err)
	}
	lens := gatheredLens(tx)
	if err := fn(); err != nil {
		if Retryable(err) {
			return err
		}
		dropGathered(tx, lens)
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT alpage_item`); rerr != nil {
			return errors.Join(err, fmt.Errorf("store: rolling back to the savepoint: %w", rerr))
		}
		if _, rerr := tx.ExecContext(ctx, `RELEASE SAVEPOINT alpage_item`); rerr != nil {
			return errors.Join(err, fmt.Errorf("store: releasing the savepoint: %w", rerr))
		}
		return err
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT alpage_item`); err != nil {
		return fmt.Errorf("store: releasing the savepoint: %w", err)
	}
	return nil
}

// EachInTx runs fn for the items 0 to n-1 in one transaction (WithTx),
// each in its own savepoint: an item whose fn fails is undone alone and
// answered its error, the others commit together. A failure of the
// transaction itself (its commit, retries given up) is every item's error.
func (db *DB) EachInTx(ctx context.Context, n int, fn func(tx *sql.Tx, i int) error) []error {
	errs := make([]error, n)
	err := db.WithTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			errs[i] = Savepoint(ctx, tx, func() error { return fn(tx, i) })
			if Retryable(errs[i]) {
				return errs[i]
			}
		}
		return nil
	})
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}

// Retryable reports whether err is a failure that running the whole
// transaction again may cure (a serialization failure or a deadlock on
// PostgreSQL, a busy database on SQLite): WithTx retries those.
func Retryable(err error) bool { return err != nil && retryable(err) }

func retryable(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 40001") || strings.Contains(msg, "SQLSTATE 40P01") ||
		strings.Contains(msg, "SQLITE_BUSY")
}

// IsUniqueViolation reports whether err is a unique-constraint violation, so
// that callers let the index decide instead of checking before inserting.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "UNIQUE constraint failed")
}

// NoRows turns sql.ErrNoRows into ErrNotFound and wraps anything else.
func NoRows(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// NullTime turns a possibly-NULL time into a pointer.
func NullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
