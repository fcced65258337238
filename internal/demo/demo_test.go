package demo_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/demo"
	"github.com/alpage/alpage/internal/product"
)

// --demo is idempotent: a second run adds nothing, and every printed
// credential signs in.
func TestDemoFillIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Account: account.Options{Password: account.PasswordParams{Memory: 1024, Time: 1, Threads: 1}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	first, err := demo.Fill(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	counts := func() (users, orgs int) {
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users)
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations`).Scan(&orgs)
		return
	}
	others := func() string {
		var p, m, t, i, o, inv int
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders`).Scan(&o)
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM invoices`).Scan(&inv)
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM products`).Scan(&p)
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships`).Scan(&m)
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams`).Scan(&t)
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations`).Scan(&i)
		return fmt.Sprintf("products %d, memberships %d, teams %d, invitations %d, orders %d, invoices %d", p, m, t, i, o, inv)
	}
	u1, o1 := counts()
	before := others()
	second, err := demo.Fill(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	u2, o2 := counts()
	if u1 != len(first) || u1 != u2 || o1 != o2 || len(second) != len(first) {
		t.Fatalf("after two runs: users %d→%d, organizations %d→%d, credentials %d/%d", u1, u2, o1, o2, len(first), len(second))
	}
	if after := others(); after != before || before != "products 8, memberships 8, teams 1, invitations 1, orders 3, invoices 2" {
		t.Fatalf("company data: first run %s, second run %s", before, after)
	}
	if o1 != u1+1 {
		t.Errorf("%d organizations for %d customers, want one each plus Ada's second", o1, u1)
	}
	languages := map[string]bool{}
	for _, c := range first {
		u, err := a.Accounts.Authenticate(ctx, c.Email, c.Password, audit.Meta{})
		if err != nil {
			t.Fatalf("demo credential %s does not sign in: %v", c.Email, err)
		}
		languages[u.Language] = true
	}
	// ORG-8, TEAM-2: Claire reaches her direct grant and the team's products.
	claire, _ := a.Accounts.GetByEmail(ctx, "claire@demo.alpage.ch")
	var company string
	_ = a.DB.QueryRowContext(ctx, `SELECT id FROM organizations WHERE name = 'Muster Hosting GmbH'`).Scan(&company)
	reach, err := a.Products.ListForUser(ctx, claire.ID, company, product.Filter{})
	if err != nil || len(reach) != 4 {
		t.Errorf("Claire reaches %d products (%v), want 4", len(reach), err)
	}
	// PRD-1: the demo catalog is loaded once and sells every product type.
	var versions int
	_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM catalog_versions`).Scan(&versions)
	v, err := a.Catalog.Current(ctx)
	if err != nil || versions != 1 {
		t.Fatalf("catalog after two runs: %d versions, %v", versions, err)
	}
	for _, typ := range product.Types {
		if _, ok := v.Catalog.Type(typ); !ok {
			t.Errorf("the demo catalog lacks the type %s", typ)
		}
	}
	if _, ch, err := v.Catalog.Offer("domain", "example.ch", ""); err != nil || len(ch.Periods) < 5 || ch.Periods[len(ch.Periods)-1].Period != "10y" {
		t.Errorf(".ch domains: %+v, %v; want periods up to 10 years", ch, err)
	}
	// PRD-3, BIL-1, BIL-5: Ada's company has something to pay, a paid invoice and a prepaid balance.
	ada, _ := a.Accounts.GetByEmail(ctx, "ada@demo.alpage.ch")
	due, err := a.Billing.Due(ctx, ada.ID, company, true)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, d := range due {
		kinds[d.Kind]++
	}
	if kinds["order"] != 1 || kinds["proforma"] != 1 {
		t.Errorf("to pay: %v, want the pending order and the pro-forma", kinds)
	}
	prepaid, err := a.Billing.Prepaid(ctx, ada.ID, company)
	if err != nil || len(prepaid) != 1 || prepaid[0].Balance.String() != "50.00" {
		t.Errorf("prepaid accounts %+v, %v; want 50.00 CHF", prepaid, err)
	}
	if len(languages) != 5 {
		t.Errorf("demo customers speak %v, want all five languages", languages)
	}
}
