package billing_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestBIL4_SavedMethodsAddDefaultAndRemove(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		visa := b.card(sandbox.CardVisa)
		// Through the payment page, without paying.
		res, err := b.bill.AddPaymentMethod(ctx, b.lr, b.org, "card", "CHF", "add-1", "/r", "/c", meta(b.lr))
		if err != nil || res.Status != "requires_action" {
			t.Fatalf("%+v, %v", res, err)
		}
		b.payOnPage(res.RedirectURL, sandbox.CardMastercard)
		if done, err := b.bill.CompleteCheckout(ctx, res.CheckoutID); err != nil || done.Status != "succeeded" {
			t.Fatalf("%+v, %v", done, err)
		}
		methods, err := b.bill.ListPaymentMethods(ctx, b.lr, b.org)
		if err != nil || len(methods) != 2 || methods[0].ID != visa || !methods[0].Default || methods[1].Label != "Mastercard •••• 4444" {
			t.Fatalf("%+v, %v", methods, err)
		}
		mc := methods[1].ID
		if err := b.bill.SetDefaultPaymentMethod(ctx, b.admin, b.org, mc, meta(b.admin)); err != nil {
			t.Fatal(err)
		}
		if methods, _ = b.bill.ListPaymentMethods(ctx, b.lr, b.org); methods[0].ID != mc || methods[1].Default {
			t.Fatalf("default %+v", methods)
		}
		_, err = b.bill.AddTestCard(ctx, b.lr, b.org, "4111111111111111", meta(b.lr))
		if e := wantCode(t, err, "validation_failed"); e.Attribute != "card_number" {
			t.Fatalf("%+v", e)
		}
		// A method products renew with is not removed.
		pid := b.product("domain", "renews.ch", ".ch", "1y", "2027-06-01")
		b.exec(`UPDATE products SET auto_renew = $1, payment_method_id = $2 WHERE id = $3`, true, mc, pid)
		err = b.bill.RemovePaymentMethod(ctx, b.lr, b.org, mc, meta(b.lr))
		if e := wantCode(t, err, "payment_method_in_use"); e.Status != 409 || !slices.Equal(e.Values, []string{"renews.ch"}) {
			t.Fatalf("%+v", e)
		}
		b.exec(`UPDATE products SET auto_renew = $1 WHERE id = $2`, false, pid)
		if err := b.bill.RemovePaymentMethod(ctx, b.lr, b.org, mc, meta(b.lr)); err != nil {
			t.Fatal(err)
		}
		methods, _ = b.bill.ListPaymentMethods(ctx, b.lr, b.org)
		if len(methods) != 1 || methods[0].ID != visa || !methods[0].Default {
			t.Fatalf("after removal %+v", methods)
		}
		if err := b.bill.RemovePaymentMethod(ctx, b.lr, b.org, mc, meta(b.lr)); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("removed twice: %v", err)
		}
		// Twint is saved at the first payment (BIL-4).
		o := b.order("domain", "tw.ch", "1y")
		res, err = b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "twint",
			ReturnURL: "/r", CancelURL: "/c"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		b.approveOnPage(res.RedirectURL)
		if done, err := b.bill.CompleteCheckout(ctx, res.CheckoutID); err != nil || done.Status != "succeeded" {
			t.Fatalf("%+v, %v", done, err)
		}
		if methods, _ = b.bill.ListPaymentMethods(ctx, b.lr, b.org); len(methods) != 2 || methods[1].Type != "twint" {
			t.Fatalf("twint not saved: %+v", methods)
		}
	})
}

// BIL-4: a card refused when saved is only the page's answer: nothing was
// owed, so no payment_failed e-mail and no payment.failed event. The test
// card that saves and then declines every charge is saved, and its
// charges fail (to try failed renewals in the console).
func TestBIL4_RefusedCardOnSavingIsNoFailedPayment(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		res, err := b.bill.AddPaymentMethod(ctx, b.lr, b.org, "card", "CHF", "add-declined", "/r", "/c", meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		b.payOnPage(res.RedirectURL, sandbox.CardDeclined)
		if done, err := b.bill.CompleteCheckout(ctx, res.CheckoutID); err != nil || done.Status != "failed" {
			t.Fatalf("saving a declined card: %+v, %v", done, err)
		}
		if mails := b.outbox("lr@example.ch"); slices.Contains(mails, "payment_failed") {
			t.Errorf("saving a refused card sent %v", mails)
		}
		if n := b.count(`SELECT COUNT(*) FROM webhook_events WHERE type = 'payment.failed'`); n != 0 {
			t.Errorf("%d payment.failed events for a card refused when saved", n)
		}

		res, err = b.bill.AddPaymentMethod(ctx, b.lr, b.org, "card", "CHF", "add-later", "/r", "/c", meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		b.payOnPage(res.RedirectURL, sandbox.CardDeclinesCharges)
		if done, err := b.bill.CompleteCheckout(ctx, res.CheckoutID); err != nil || done.Status != "succeeded" {
			t.Fatalf("saving the card that declines charges: %+v, %v", done, err)
		}
		methods, _ := b.bill.ListPaymentMethods(ctx, b.lr, b.org)
		if len(methods) != 1 || methods[0].Label != "Visa •••• 0341" {
			t.Fatalf("methods %+v", methods)
		}
		o := b.order("domain", "later.ch", "1y")
		_, err = b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, PaymentMethodID: methods[0].ID}, meta(b.lr))
		if e := wantCode(t, err, "card_declined"); e == nil {
			t.Fatal("a charge of the card that declines charges went through")
		}
	})
}
