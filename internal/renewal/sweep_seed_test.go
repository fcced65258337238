package renewal_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
)

// swSeed makes orgs organizations, each with a billing contact, a saved
// sandbox Visa card and perOrg .ch domains due on due that renew
// automatically with it. It returns the products' ids.
func swSeed(tb testing.TB, b *swBundle, orgs, perOrg int, due string) []string {
	tb.Helper()
	var products []string
	now := b.clk.Now()
	for o := 0; o < orgs; o++ {
		orgID := id.New()
		uid := id.New()
		var pm string
		if err := b.db.WithTx(swCtx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(swCtx, `INSERT INTO organizations (id, name, street, postcode, city, country, created_at, updated_at)
				VALUES ($1, $2, 'Musterstrasse 1', '8000', 'Zürich', 'CH', $3, $3)`, orgID, fmt.Sprintf("Org %d", o), now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(swCtx, `INSERT INTO users (id, email, password_hash, first_name, last_name, language,
				email_confirmed_at, created_at, updated_at) VALUES ($1, $2, 'x', 'First', 'Last', 'de', $3, $3, $3)`,
				uid, fmt.Sprintf("billing%d-%s@example.ch", o, orgID[len(orgID)-6:]), now); err != nil {
				return err
			}
			_, err := tx.ExecContext(swCtx, `INSERT INTO memberships (organization_id, user_id, role, billing, contact_preferences, created_at)
				VALUES ($1, $2, 'legal_representative', $3, 'billing', $4)`, orgID, uid, false, now)
			return err
		}); err != nil {
			tb.Fatal(err)
		}
		m, err := b.bill.AddTestCard(swCtx, uid, orgID, sandbox.CardVisa, swMeta(uid))
		if err != nil {
			tb.Fatal(err)
		}
		pm = m.ID
		for start := 0; start < perOrg; start += 200 {
			n := min(200, perOrg-start)
			var rows []string
			var args []any
			for i := 0; i < n; i++ {
				pid := id.New()
				products = append(products, pid)
				k := len(args)
				rows = append(rows, fmt.Sprintf("($%d, $%d, 'domain', $%d, 'active', $%d, '.ch', '1y', 'CHF', $%d, $%d, $%d, $%d)",
					k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+7))
				args = append(args, pid, orgID, fmt.Sprintf("o%d-p%d.ch", o, start+i), due, true, pm, now)
			}
			if _, err := b.db.ExecContext(swCtx, `INSERT INTO products (id, organization_id, type, name, status, due_date, plan,
				period, currency, auto_renew, payment_method_id, created_at, updated_at) VALUES `+strings.Join(rows, ", "), args...); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return products
}

// swCheckOnce checks that every product was renewed exactly once: one
// renewal invoice line, one succeeded gateway payment per invoice, one
// sandbox charge per payment, the due date moved by one year.
func swCheckOnce(tb testing.TB, db *store.DB, products []string, due, next string) {
	tb.Helper()
	var lines, distinct, moved int
	if err := db.QueryRowContext(swCtx, `SELECT COUNT(*), COUNT(DISTINCT l.product_id) FROM invoice_lines l
		JOIN invoices i ON i.id = l.invoice_id WHERE i.kind = 'invoice' AND l.order_id IS NULL AND l.period_start = $1`, due).
		Scan(&lines, &distinct); err != nil {
		tb.Fatal(err)
	}
	if err := db.QueryRowContext(swCtx, `SELECT COUNT(*) FROM products WHERE due_date = $1`, next).Scan(&moved); err != nil {
		tb.Fatal(err)
	}
	if lines != len(products) || distinct != len(products) || moved != len(products) {
		tb.Fatalf("%d products: %d renewal lines for %d products, %d moved to %s", len(products), lines, distinct, moved, next)
	}
	var invoicesWithout, paymentsWithout, doubles int
	if err := db.QueryRowContext(swCtx, `SELECT COUNT(*) FROM invoices i WHERE i.kind = 'invoice' AND NOT EXISTS
		(SELECT 1 FROM payments p WHERE p.invoice_id = i.id AND p.status = 'succeeded')`).Scan(&invoicesWithout); err != nil {
		tb.Fatal(err)
	}
	if err := db.QueryRowContext(swCtx, `SELECT COUNT(*) FROM payments p WHERE p.status = 'succeeded' AND p.purpose = 'invoice'
		AND p.invoice_id IS NULL`).Scan(&paymentsWithout); err != nil {
		tb.Fatal(err)
	}
	if err := db.QueryRowContext(swCtx, `SELECT COUNT(*) FROM (SELECT invoice_id FROM payments WHERE status = 'succeeded'
		AND method <> 'prepaid' GROUP BY invoice_id HAVING COUNT(*) > 1) d`).Scan(&doubles); err != nil {
		tb.Fatal(err)
	}
	var charged, succeeded int
	if err := db.QueryRowContext(swCtx, `SELECT COUNT(*) FROM sandbox_payments WHERE captured_minor > 0`).Scan(&charged); err != nil {
		tb.Fatal(err)
	}
	if err := db.QueryRowContext(swCtx, `SELECT COUNT(*) FROM payments WHERE status = 'succeeded' AND method <> 'prepaid'`).Scan(&succeeded); err != nil {
		tb.Fatal(err)
	}
	if invoicesWithout != 0 || paymentsWithout != 0 || doubles != 0 || charged != succeeded {
		tb.Fatalf("invoices without payment %d, payments without invoice %d, invoices paid twice %d, gateway charges %d for %d payments",
			invoicesWithout, paymentsWithout, doubles, charged, succeeded)
	}
}
