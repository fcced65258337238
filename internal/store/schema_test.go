package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// column describes one column for the parity check.
type column struct {
	Name    string
	NotNull bool
}

// sqliteColumns lists alpage's tables (River's and SQLite's own excluded)
// and their columns. A PRIMARY KEY column counts as NOT NULL, as on
// PostgreSQL (SQLite alone would let a non-integer key be NULL).
func sqliteColumns(t *testing.T, db *store.DB) map[string][]column {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `
		SELECT m.name, p.name, p."notnull", p.pk
		FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name NOT LIKE 'river\_%' ESCAPE '\'
		ORDER BY m.name, p.name`)
	if err != nil {
		t.Fatalf("listing SQLite columns: %v", err)
	}
	defer rows.Close()
	tables := map[string][]column{}
	for rows.Next() {
		var table, name string
		var notNull, pk int
		if err := rows.Scan(&table, &name, &notNull, &pk); err != nil {
			t.Fatalf("scanning SQLite columns: %v", err)
		}
		tables[table] = append(tables[table], column{Name: name, NotNull: notNull == 1 || pk > 0})
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("listing SQLite columns: %v", err)
	}
	return tables
}

func postgresColumns(t *testing.T, db *store.DB) map[string][]column {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `
		SELECT table_name, column_name, is_nullable
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name NOT LIKE 'river\_%'
		ORDER BY table_name, column_name`)
	if err != nil {
		t.Fatalf("listing PostgreSQL columns: %v", err)
	}
	defer rows.Close()
	tables := map[string][]column{}
	for rows.Next() {
		var table, name, nullable string
		if err := rows.Scan(&table, &name, &nullable); err != nil {
			t.Fatalf("scanning PostgreSQL columns: %v", err)
		}
		tables[table] = append(tables[table], column{Name: name, NotNull: nullable == "NO"})
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("listing PostgreSQL columns: %v", err)
	}
	return tables
}

// Same tables, same column names, same NOT NULL constraints.
func TestEveryTableHasTheSameColumnsOnBothEngines(t *testing.T) {
	t.Parallel()
	lite := sqliteColumns(t, testutil.OpenDB(t, store.SQLite))
	pg := postgresColumns(t, testutil.OpenDB(t, store.Postgres))
	for _, table := range []string{"users", "organizations", "outbox", "goose_db_version"} {
		if len(lite[table]) == 0 {
			t.Errorf("table %s missing on SQLite (tables: %v)", table, keys(lite))
		}
	}
	// goose's own table differs in nullability (tstamp); compare its names only.
	for _, m := range []map[string][]column{lite, pg} {
		for i := range m["goose_db_version"] {
			m["goose_db_version"][i].NotNull = false
		}
	}
	if diff := cmp.Diff(lite, pg); diff != "" {
		t.Fatalf("tables differ between engines (-sqlite +postgres):\n%s", diff)
	}
}

func keys(m map[string][]column) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return strings.Join(ks, ", ")
}
