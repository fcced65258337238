package billing_test

import (
	"testing"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestBIL9_RefundGoesBackToTheCardAndToPrepaid(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		b.deposit("10.00")
		o := b.order("domain", "example.ch", "1y")
		pm := b.card(sandbox.CardVisa)
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}},
			PaymentMethodID: pm, Prepaid: chf("4.00")}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		var card, prepaid billing.Payment
		for _, p := range res.Payments {
			if p.Method == "prepaid" {
				prepaid = p
			} else {
				card = p
			}
		}
		r, err := b.bill.Refund(ctx, card.ID, chf("5.41"), "goodwill", meta(""))
		if err != nil || r.Status != "succeeded" || r.CreditNote == nil {
			t.Fatalf("%+v, %v", r, err)
		}
		cn := r.CreditNote
		if cn.Number != "C2026-000001" || cn.Kind != "credit_note" || cn.Total != chf("5.41") || cn.Net.Minor+cn.VAT.Minor != 541 ||
			cn.VAT != chf("0.41") || cn.CreditedInvoiceID != res.Invoice.ID {
			t.Fatalf("credit note %+v", cn)
		}
		if n := b.count(`SELECT COALESCE(SUM(refunded_minor), 0) FROM sandbox_payments`); n != 541 {
			t.Fatalf("sandbox refunded %d", n)
		}
		// Never more than paid: 12.22 was charged on the card, 5.41 given back.
		_, err = b.bill.Refund(ctx, card.ID, chf("6.82"), "", meta(""))
		if e := wantCode(t, err, "refund_exceeds_payment"); e.Values[0] != "6.81" {
			t.Fatalf("%+v", e)
		}
		if _, err := b.bill.Refund(ctx, card.ID, chf("6.81"), "", meta("")); err != nil {
			t.Fatal(err)
		}
		// The prepaid part goes back to the prepaid account.
		bal0, n0 := b.balance()
		if _, err := b.bill.Refund(ctx, prepaid.ID, chf("4.00"), "", meta("")); err != nil {
			t.Fatal(err)
		}
		if bal, n := b.balance(); bal != bal0+400 || n != n0+1 {
			t.Fatalf("balance %d → %d, entries %d → %d", bal0, bal, n0, n)
		}
		if n := b.count(`SELECT COUNT(*) FROM invoices WHERE kind = 'credit_note'`); n != 3 {
			t.Fatalf("%d credit notes", n)
		}
		_, name, err := b.bill.InvoicePDF(ctx, b.lr, b.org, cn.ID)
		if err != nil || name != "credit-note-C2026-000001.pdf" {
			t.Fatalf("%s: %v", name, err)
		}
	})
}
