package billing_test

import (
	"path"
	"testing"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// The payment page sends the customer back with its own id (?checkout=):
// CompleteCheckoutFor finds the attempt by it, or by the attempt's id, and
// only within the organization (BIL-4, ORG-9).
func TestBIL4_ReturnFromThePaymentPageFindsTheAttemptByThePageID(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o := b.order("domain", "example.ch", "1y")
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "card",
			ReturnURL: "/billing/return", CancelURL: "/billing"}, meta(b.lr))
		if err != nil || res.Status != "requires_action" {
			t.Fatalf("%+v, %v", res, err)
		}
		page := path.Base(res.RedirectURL)
		if page == res.CheckoutID {
			t.Fatalf("the page id %s is the attempt id: this test proves nothing", page)
		}
		b.payOnPage(res.RedirectURL, sandbox.CardVisa)

		other := b.newOrg("Other AG")
		_, _, err = b.bill.CompleteCheckoutFor(ctx, b.lr, other, page)
		wantCode(t, err, "object_not_found")
		_, _, err = b.bill.CompleteCheckoutFor(ctx, b.lr, b.org, "no-such-page")
		wantCode(t, err, "object_not_found")

		done, purpose, err := b.bill.CompleteCheckoutFor(ctx, b.lr, b.org, page)
		if err != nil || done.Status != "succeeded" || done.Invoice == nil || purpose != "pay" {
			t.Fatalf("by the page id: %+v, %q, %v", done, purpose, err)
		}
		again, _, err := b.bill.CompleteCheckoutFor(ctx, b.lr, b.org, res.CheckoutID)
		if err != nil || again.Invoice == nil || again.Invoice.ID != done.Invoice.ID {
			t.Fatalf("by the attempt id: %+v, %v", again, err)
		}
	})
}

// PRD-2: a product's invoices are those with a line for it, in one query.
func TestPRD2_InvoicesOfAProduct(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		card := b.card(sandbox.CardVisa)
		mine := b.order("domain", "mine.ch", "1y")
		other := b.order("domain", "other.ch", "1y")
		for _, o := range []billing.Order{mine, other} {
			if _, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}},
				PaymentMethodID: card}, meta(b.lr)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := b.bill.ListInvoices(ctx, b.lr, b.org, billing.InvoiceFilter{ProductID: mine.Items[0].ProductID})
		if err != nil || len(got) != 1 {
			t.Fatalf("invoices of mine.ch: %+v, %v", got, err)
		}
		if none, err := b.bill.ListInvoices(ctx, b.lr, b.org, billing.InvoiceFilter{ProductID: "not-an-id"}); err != nil || len(none) != 0 {
			t.Fatalf("invoices of an unknown product: %+v, %v", none, err)
		}
	})
}
