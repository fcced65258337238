package billing_test

import (
	"testing"
	"time"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestREN6_DueDatesAreCalendarDaysInTheCatalogTimeZone(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		pm := b.card(sandbox.CardVisa)
		b.clk.Advance(14*time.Hour + 30*time.Minute) // 23:30 UTC is already the 23rd in Zurich
		o := b.order("domain", "late.ch", "1y")
		month := b.product("web_hosting", "month.ch", "starter", "1m", "2027-01-31")
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}, {ProductID: month}},
			PaymentMethodID: pm}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		if res.Invoice.IssueDate != "2026-11-23" {
			t.Fatalf("issue date %s", res.Invoice.IssueDate)
		}
		if _, due := b.productRow(o.Items[0].ProductID); due != "2027-11-23" {
			t.Fatalf("new product due %s", due)
		}
		// 31 January + 1 month = the last day of February.
		if _, due := b.productRow(month); due != "2027-02-28" {
			t.Fatalf("renewed product due %s", due)
		}
		if l := res.Invoice.Lines[1]; l.PeriodStart != "2027-01-31" || l.PeriodEnd != "2027-02-27" {
			t.Fatalf("renewal line %+v", l)
		}
	})
}

func TestBIL4_NewProformaReplacesTheOlderOne(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o := b.order("domain", "example.ch", "1y")
		first, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "iban"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.bill.ImportBankFile(ctx, camt(t, "2.00", first.Invoice.Reference, "P1"), "p1", meta("")); err != nil {
			t.Fatal(err)
		}
		pm := b.card(sandbox.CardVisa)
		// Paying the pro-forma by card takes what the bank already brought into account.
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{InvoiceID: first.Invoice.ID}},
			PaymentMethodID: pm}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		if res.Invoice.Total != chf("16.22") || len(res.Invoice.Payments) != 2 {
			t.Fatalf("invoice %+v", res.Invoice)
		}
		if n := b.count(`SELECT COALESCE(SUM(captured_minor), 0) FROM sandbox_payments`); n != 1422 {
			t.Fatalf("card charged %d, want 14.22", n)
		}
		pf, _ := b.bill.GetInvoice(ctx, b.lr, b.org, first.Invoice.ID)
		if pf.Status != "paid" || pf.InvoiceID != res.Invoice.ID {
			t.Fatalf("pro-forma %+v", pf)
		}
		// A second transfer order for a renewal voids the first pro-forma.
		p := b.product("domain", "renew.ch", ".ch", "1y", "2026-12-15")
		a, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{ProductID: p}}, Method: "iban"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		c, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{ProductID: p, Period: "2y"}}, Method: "iban"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		old, _ := b.bill.GetInvoice(ctx, b.lr, b.org, a.Invoice.ID)
		if old.Status != "void" || c.Invoice.Number != "P2026-000003" || c.Invoice.Total != chf("32.43") {
			t.Fatalf("old %s, new %s %s", old.Status, c.Invoice.Number, c.Invoice.Total)
		}
	})
}
