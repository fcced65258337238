package billing_test

import (
	"errors"
	"testing"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestPRD3_OrderPaidWithSavedCardGivesOneInvoiceOnePaymentAndActiveProducts(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o, err := b.bill.CreateOrder(ctx, b.lr, b.org, "CHF", []billing.OrderItem{
			{Type: "domain", Name: "Example.CH", Period: "1y"},
			{Type: "web_hosting", Plan: "starter", Name: "example.ch", Period: "1m"}}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != "pending" || len(o.Items) != 2 || o.Items[0].Name != "example.ch" || o.Net != chf("24.00") ||
			o.VAT != chf("1.95") || o.Total != chf("25.95") {
			t.Fatalf("order %+v", o)
		}
		for _, it := range o.Items {
			if st, due := b.productRow(it.ProductID); st != "pending" || due != "" {
				t.Fatalf("product before payment: %s %s", st, due)
			}
		}
		pm := b.card(sandbox.CardVisa)
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}},
			PaymentMethodID: pm, IdempotencyKey: "k1"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != billing.StatusSucceeded || res.Invoice == nil || len(res.Payments) != 1 {
			t.Fatalf("result %+v", res)
		}
		inv := res.Invoice
		if inv.Number != "2026-000001" || inv.Kind != billing.KindInvoice || inv.Status != "paid" || inv.Total != chf("25.95") ||
			inv.VAT != chf("1.95") || inv.Language != "fr" || inv.IssueDate != "2026-11-22" || inv.DueDate != "2026-12-22" ||
			inv.Buyer.Name != "Muster AG" || inv.Seller.Name != "Alpweide Hosting AG" || len(inv.Lines) != 2 {
			t.Fatalf("invoice %+v", inv)
		}
		l := inv.Lines[0]
		if l.Description != "Nom de domaine – Domaine .ch – example.ch" || l.VATRate != 810 || l.VAT != chf("1.22") ||
			l.PeriodStart != "2026-11-22" || l.PeriodEnd != "2027-11-21" || l.Detail != "1 an, 22.11.2026 – 21.11.2027" {
			t.Fatalf("line %+v", l)
		}
		if p := res.Payments[0]; p.Method != "card" || p.Amount != chf("25.95") || p.Status != "succeeded" || p.InvoiceID != inv.ID {
			t.Fatalf("payment %+v", p)
		}
		if n := b.sandboxCharges(); n != 1 {
			t.Fatalf("%d charges at the gateway", n)
		}
		for i, want := range []string{"2027-11-22", "2026-12-22"} {
			if st, due := b.productRow(o.Items[i].ProductID); st != "active" || due != want {
				t.Fatalf("product %d: %s %s, want active %s", i, st, due, want)
			}
		}
		got, err := b.bill.GetOrder(ctx, b.admin, b.org, o.ID)
		if err != nil || got.Status != "paid" || got.InvoiceID != inv.ID {
			t.Fatalf("order after payment %+v, %v", got, err)
		}
		mails := b.outbox("lr@example.ch")
		if len(mails) != 2 || mails[0] != "payment_received" && mails[1] != "payment_received" {
			t.Fatalf("notices to the billing contact: %v", mails)
		}
		if m := b.outbox("admin@example.ch"); len(m) != 0 {
			t.Fatalf("notices to a member not asking for billing: %v", m)
		}
		pdf, name, err := b.bill.InvoicePDF(ctx, b.lr, b.org, inv.ID)
		if err != nil || name != "invoice-2026-000001.pdf" || string(pdf[:5]) != "%PDF-" {
			t.Fatalf("pdf %s (%d bytes): %v", name, len(pdf), err)
		}
	})
}

func TestPRD3_CancelPendingOrderDeletesItsProducts(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o := b.order("domain", "example.ch", "2y")
		got, err := b.bill.CancelOrder(ctx, b.admin, b.org, o.ID, meta(b.admin))
		if err != nil || got.Status != "cancelled" || got.CancelledAt == nil {
			t.Fatalf("cancel: %+v, %v", got, err)
		}
		if n := b.count(`SELECT COUNT(*) FROM products WHERE organization_id = $1`, b.org); n != 0 {
			t.Fatalf("%d products left", n)
		}
		_, err = b.bill.CancelOrder(ctx, b.admin, b.org, o.ID, meta(b.admin))
		if e := wantCode(t, err, "order_not_pending"); e.Status != 409 {
			t.Fatalf("status %d", e.Status)
		}
		_, err = b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "prepaid"}, meta(b.lr))
		wantCode(t, err, "item_not_payable")
		if n := b.count(`SELECT COUNT(*) FROM audit_events WHERE organization_id = $1 AND action = 'order.cancelled'`, b.org); n != 1 {
			t.Fatalf("audited %d times", n)
		}
		// The same name can be ordered again once cancelled.
		b.order("domain", "example.ch", "1y")
	})
}

func TestPRD2_OrderRefusesWhatTheCatalogDoesNotSell(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.order("domain", "taken.ch", "1y")
		tests := []struct {
			name     string
			currency string
			items    []billing.OrderItem
			code     string
			attr     string
		}{
			{"duplicate", "CHF", []billing.OrderItem{{Type: "domain", Name: "taken.ch"}}, "product_already_exists", "name"},
			{"twice", "CHF", []billing.OrderItem{{Type: "domain", Name: "a.ch"}, {Type: "domain", Name: "A.ch"}}, "product_already_exists", "name"},
			{"www", "CHF", []billing.OrderItem{{Type: "domain", Name: "www.example.ch"}}, "validation_failed", "name"},
			{"hyphen", "CHF", []billing.OrderItem{{Type: "domain", Name: "-x.ch"}}, "validation_failed", "name"},
			{"ending", "CHF", []billing.OrderItem{{Type: "domain", Name: "example.zz"}}, "offer_not_in_catalog", "name"},
			{"type", "CHF", []billing.OrderItem{{Type: "spaceship", Name: "x"}}, "offer_not_in_catalog", "type"},
			{"period", "CHF", []billing.OrderItem{{Type: "domain", Name: "b.swiss", Period: "2y"}}, "period_not_allowed", "period"},
			{"currency", "USD", []billing.OrderItem{{Type: "domain", Name: "c.ch"}}, "currency_not_supported", "currency"},
			{"empty", "CHF", nil, "validation_failed", "items"},
		}
		for _, tc := range tests {
			_, err := b.bill.CreateOrder(ctx, b.lr, b.org, tc.currency, tc.items, meta(b.lr))
			if e := wantCode(t, err, tc.code); e.Attribute != tc.attr {
				t.Errorf("%s: attribute %q, want %q", tc.name, e.Attribute, tc.attr)
			}
		}
		if n := b.count(`SELECT COUNT(*) FROM orders`); n != 1 {
			t.Fatalf("%d orders, want 1", n)
		}
	})
}

func TestORG8_BillingNeedsTheBillingRight(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o := b.order("domain", "example.ch", "1y")
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "iban"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		for user, code := range map[string]string{b.collab: "billing_right_required", b.stranger: "object_not_found"} {
			_, err := b.bill.ListInvoices(ctx, user, b.org, billing.InvoiceFilter{})
			wantCode(t, err, code)
			_, err = b.bill.Due(ctx, user, b.org, true)
			wantCode(t, err, code)
			_, err = b.bill.ListOrders(ctx, user, b.org, "")
			wantCode(t, err, code)
			_, err = b.bill.Prepaid(ctx, user, b.org)
			wantCode(t, err, code)
			_, err = b.bill.CreateOrder(ctx, user, b.org, "CHF", []billing.OrderItem{{Type: "domain", Name: "x.ch"}}, meta(user))
			wantCode(t, err, code)
			_, err = b.bill.Pay(ctx, user, b.org, billing.PayInput{Items: []billing.PayItem{{InvoiceID: res.Invoice.ID}}, Method: "iban"}, meta(user))
			wantCode(t, err, code)
			// Objects: not found, so ids leak nothing.
			if _, err := b.bill.GetInvoice(ctx, user, b.org, res.Invoice.ID); !errors.Is(err, apperr.NotFound) {
				t.Fatalf("GetInvoice: %v", err)
			}
			if _, _, err := b.bill.InvoicePDF(ctx, user, b.org, res.Invoice.ID); !errors.Is(err, apperr.NotFound) {
				t.Fatalf("InvoicePDF: %v", err)
			}
			if _, err := b.bill.GetOrder(ctx, user, b.org, o.ID); !errors.Is(err, apperr.NotFound) {
				t.Fatalf("GetOrder: %v", err)
			}
		}
		// A collaborator with the billing right sees and pays.
		if invs, err := b.bill.ListInvoices(ctx, b.billing, b.org, billing.InvoiceFilter{Kind: "proforma"}); err != nil || len(invs) != 1 {
			t.Fatalf("billing collaborator: %d, %v", len(invs), err)
		}
		// Another organization's invoice is not found, even for its own member.
		other := b.newOrg("Other SA")
		if _, err := b.bill.GetInvoice(ctx, b.lr, other, res.Invoice.ID); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("foreign organization: %v", err)
		}
	})
}
