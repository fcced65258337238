package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

// Migration 00017 lists what the payment attempts open at the upgrade pay
// (checkout_items), read from their JSON selections, on both engines;
// finished attempts need none.
func TestMigration17ListsWhatOpenAttemptsPay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	engines := map[string]func() *store.DB{
		"sqlite": func() *store.DB {
			db, err := store.Open(ctx, t.TempDir(), "")
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
		"postgres": func() *store.DB {
			db, err := store.Open(ctx, "", pgtest.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			db := open()
			defer db.Close()
			if err := db.MigrateUpTo(ctx, 16); err != nil {
				t.Fatal(err)
			}
			org, product, order, proforma := id.New(), id.New(), id.New(), id.New()
			now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
			if _, err := db.ExecContext(ctx, `INSERT INTO organizations (id, name, created_at, updated_at) VALUES ($1, 'Acme', $2, $2)`,
				org, now); err != nil {
				t.Fatal(err)
			}
			open, done := id.New(), id.New()
			sel := `{"currency":"CHF","lines":[{"type":"domain","product_id":"` + product + `","order_id":"` + order +
				`","description":"x","unit":100,"quantity":1,"vat_rate":810}],"orders":["` + order + `"],"proformas":["` +
				proforma + `"],"total":100,"language":"en"}`
			for _, c := range []struct{ id, status string }{{open, "open"}, {done, "completed"}} {
				if _, err := db.ExecContext(ctx, `INSERT INTO checkouts (id, organization_id, purpose, selection, method,
					amount_minor, currency, status, created_at, expires_at) VALUES ($1, $2, 'pay', $3, 'card', 100, 'CHF', $4, $5, $5)`,
					c.id, org, sel, c.status, now); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			rows, err := db.QueryContext(ctx, `SELECT CAST(object_id AS text), CAST(checkout_id AS text) FROM checkout_items
				ORDER BY 1`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			got := map[string]bool{}
			for rows.Next() {
				var obj, c string
				if err := rows.Scan(&obj, &c); err != nil {
					t.Fatal(err)
				}
				if c != open {
					t.Errorf("an item of the finished attempt was listed: %s", obj)
				}
				got[obj] = true
			}
			if len(got) != 3 || !got[product] || !got[order] || !got[proforma] {
				t.Fatalf("items %v, want the product, the order and the pro-forma", got)
			}
		})
	}
}
