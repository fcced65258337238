package renewal_test

import (
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// Tests of the review's findings on the timeline, the auto-renewal switch
// and termination (ORG-8, REN-2, PRD-4). Fixtures: terminate_fixtures_test.go.

// grant gives userID direct access to productID (ORG-3, ORG-8).
func (b *lcBundle) grant(userID, productID string) {
	b.t.Helper()
	b.exec(`INSERT INTO product_grants (organization_id, user_id, product_id, created_at) VALUES ($1, $2, $3, $4)`,
		b.org, userID, productID, b.clk.Now())
}

// paidIn orders one product billed in currency and pays it with a saved
// Visa card.
func (b *lcBundle) paidIn(currency, typ, name, plan, period string) string {
	b.t.Helper()
	o, err := b.bill.CreateOrder(lcCtx, b.lr, b.org, currency, []billing.OrderItem{{Type: typ, Name: name, Plan: plan, Period: period}}, lcMeta(b.lr))
	if err != nil {
		b.t.Fatalf("CreateOrder(%s, %s): %v", currency, name, err)
	}
	r, err := b.bill.Pay(lcCtx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, PaymentMethodID: b.card()}, lcMeta(b.lr))
	if err != nil || r.Status != "succeeded" {
		b.t.Fatalf("Pay(%s): %+v, %v", name, r, err)
	}
	return o.Items[0].ProductID
}

// postFinance saves a PostFinance Card for the organization as the
// gateway's page would (settle.go, saveMethodTx): there is no test seam
// that saves one without the hosted page.
func (b *lcBundle) postFinance(isDefault bool) string {
	b.t.Helper()
	pmID := id.New()
	if isDefault {
		b.exec(`UPDATE payment_methods SET is_default = $1 WHERE organization_id = $2`, false, b.org)
	}
	b.exec(`INSERT INTO payment_methods (id, organization_id, type, gateway, token, brand, last4, exp_month, exp_year, label,
		is_default, created_by, created_at) VALUES ($1, $2, 'postfinance', $3, $4, 'PostFinance Card', '', 0, 0, 'PostFinance Card', $5, $6, $7)`,
		pmID, b.org, sandbox.Name, "pf_"+pmID, isDefault, b.lr, b.clk.Now().UTC())
	return pmID
}

// methodOf is the saved method product pid renews with ("" for none).
func (b *lcBundle) methodOf(pid string) string {
	b.t.Helper()
	var m string
	if err := b.db.QueryRowContext(lcCtx, `SELECT COALESCE(CAST(payment_method_id AS text), '') FROM products WHERE id = $1`, pid).Scan(&m); err != nil {
		b.t.Fatal(err)
	}
	return m
}

// terminationStatus is the status of the newest termination request of pid.
func (b *lcBundle) terminationStatus(pid string) string {
	b.t.Helper()
	var s string
	if err := b.db.QueryRowContext(lcCtx, `SELECT status FROM termination_requests WHERE product_id = $1
		ORDER BY created_at DESC LIMIT 1`, pid).Scan(&s); err != nil {
		b.t.Fatal(err)
	}
	return s
}

// rvBillingKinds are the past events that belong to billing (ORG-8).
func rvIsBilling(kind string) bool {
	return kind == renewal.EventInvoicePaid || strings.HasPrefix(kind, "payment.") || strings.HasPrefix(kind, "invoice.")
}

// ORG-8: without the billing right, a collaborator who reaches the product
// sees its timeline without invoices, payments, amounts or payment
// methods; the legal representative sees them.
func TestORG8_TimelineWithoutBillingRightHidesInvoicesAndPayments(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		// An audited switch carrying the payment method.
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, false, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		// A declined renewal by hand publishes payment.failed with its amount.
		declined, err := b.bill.AddTestCard(lcCtx, b.lr, b.org, sandbox.CardDeclined, lcMeta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.bill.Pay(lcCtx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{ProductID: pid, Period: "1y"}},
			PaymentMethodID: declined.ID}, lcMeta(b.lr))
		lcWantCode(t, "declined renewal", err, "card_declined")
		if n := b.count(`SELECT COUNT(*) FROM webhook_events WHERE type = 'payment.failed' AND payload LIKE $1`, "%"+pid+"%"); n != 1 {
			t.Fatalf("%d payment.failed events about the product, want 1 (fixture)", n)
		}
		b.grant(b.collab, pid)

		// The legal representative sees the billing.
		tl, err := b.ren.Timeline(lcCtx, b.lr, b.org, pid)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]map[string]string{}
		for _, e := range tl.Past {
			seen[e.Kind] = e.Data
		}
		if inv, ok := seen[renewal.EventInvoicePaid]; !ok || inv["number"] == "" || inv["amount"] == "" {
			t.Errorf("the legal representative's past lacks the paid invoice with its number and amount: %v", seen)
		}
		if pf, ok := seen["payment.failed"]; !ok || pf["amount"] == "" {
			t.Errorf("the legal representative's past lacks payment.failed with its amount: %v", seen)
		}
		if on, ok := seen["product.auto_renew_on"]; !ok || on["payment_method"] == "" {
			t.Errorf("the legal representative's past lacks the switch's payment method: %v", seen)
		}

		// The collaborator without the billing right does not.
		tl, err = b.ren.Timeline(lcCtx, b.collab, b.org, pid)
		if err != nil {
			t.Fatalf("collaborator with a grant: %v", err)
		}
		var kinds []string
		for _, e := range tl.Past {
			kinds = append(kinds, e.Kind)
			if rvIsBilling(e.Kind) {
				t.Errorf("the collaborator sees a billing event %s %v", e.Kind, e.Data)
			}
			for _, k := range []string{"amount", "number", "payment_method", "payment_method_id", "currency"} {
				if v, ok := e.Data[k]; ok {
					t.Errorf("the collaborator sees %s = %q in %s", k, v, e.Kind)
				}
			}
		}
		for _, want := range []string{renewal.EventCreated, renewal.EventActivated, "product.auto_renew_on"} {
			if !lcContains(kinds, want) {
				t.Errorf("the collaborator's past %v lacks %s", kinds, want)
			}
		}
		if tl.DueDate != "2027-03-02" || tl.Status != "active" {
			t.Errorf("the collaborator's timeline head %+v", tl)
		}

		// A collaborator with the billing right sees the invoice.
		payer := b.member(b.org, "payer@example.ch", "Pia", "de", "collaborator", true)
		b.grant(payer, pid)
		tl, err = b.ren.Timeline(lcCtx, payer, b.org, pid)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range tl.Past {
			found = found || e.Kind == renewal.EventInvoicePaid
		}
		if !found {
			t.Errorf("a collaborator with the billing right does not see the paid invoice")
		}
	})
}

// REN-2, BIL-4: PostFinance Card pays in CHF only, so auto-renewal of a
// product billed in EUR is refused with it, and nothing changes.
func TestREN2_AutoRenewRefusesPostFinanceForEUR(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		eur := b.paidIn("EUR", "domain", "euro-muster.ch", "", "1y")
		chf := b.paid("domain", "muster.ch", "", "1y")
		card := b.methodOf(eur)
		if card == "" {
			t.Fatal("the EUR product has no method after paying by card (fixture)")
		}
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{eur, chf}, false, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		before := b.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'product.auto_renew_on'`)
		pf := b.postFinance(true)

		_, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{eur}, true, pf, lcMeta(b.lr))
		if e := lcWantCode(t, "PostFinance for EUR", err, "payment_method_not_allowed"); e.Attribute != "payment_method_id" ||
			!strings.Contains(e.Message, "euro-muster.ch") {
			t.Errorf("refusal %+v", e)
		}
		_, err = b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{eur}, true, "", lcMeta(b.lr))
		lcWantCode(t, "PostFinance as the default for EUR", err, "payment_method_not_allowed")
		_, err = b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{chf, eur}, true, pf, lcMeta(b.lr))
		lcWantCode(t, "a selection with an EUR product", err, "payment_method_not_allowed")
		for _, pid := range []string{eur, chf} {
			if _, _, on := b.product(pid); on {
				t.Errorf("auto-renewal of %s is on after the refusal", pid)
			}
		}
		if m := b.methodOf(eur); m != card {
			t.Errorf("the EUR product's method is %q after the refusal, want the card %q", m, card)
		}
		if n := b.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'product.auto_renew_on'`); n != before {
			t.Errorf("%d auto_renew_on events recorded by refusals", n-before)
		}

		// In CHF PostFinance is fine; the card is fine in EUR.
		got, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{chf}, true, pf, lcMeta(b.lr))
		if err != nil || len(got) != 1 || got[0].PaymentMethodID != pf {
			t.Errorf("PostFinance for CHF: %+v, %v", got, err)
		}
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{eur}, true, card, lcMeta(b.lr)); err != nil {
			t.Errorf("a card for EUR: %v", err)
		}
	})
}

// PRD-4: a product whose termination at its due date is confirmed does not
// renew: switching auto-renewal on is refused.
func TestPRD4_AutoRenewRefusedWhileTerminationScheduled(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		if _, err := b.ren.RequestTermination(lcCtx, b.lr, b.org, pid, renewal.WhenDueDate, lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		term, err := b.ren.ConfirmTermination(lcCtx, b.token("lr@example.ch"), lcMeta(""))
		if err != nil || term.Status != "scheduled" {
			t.Fatalf("confirm: %+v, %v", term, err)
		}
		if _, _, on := b.product(pid); on {
			t.Fatal("auto-renewal is still on after the termination was scheduled")
		}
		_, err = b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, "", lcMeta(b.lr))
		if e := lcWantCode(t, "switch on", err, "termination_already_scheduled"); e.Attribute != "product_ids" || !lcContains(e.Values, pid) {
			t.Errorf("refusal %+v", e)
		}
		if status, _, on := b.product(pid); on || status != "active" {
			t.Errorf("after the refusal: %s, auto-renew %v", status, on)
		}
		if s := b.terminationStatus(pid); s != "scheduled" {
			t.Errorf("the termination is %s after the refusal", s)
		}
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, false, "", lcMeta(b.lr)); err != nil {
			t.Errorf("switching off stays allowed: %v", err)
		}
	})
}

// ORG-8: a collaborator with the billing right switches auto-renewal of
// the products they reach only; a selection with another one is
// object_not_found and changes nothing.
func TestORG8_BulkAutoRenewOnlyOnReachedProducts(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		a := b.paid("domain", "granted.ch", "", "1y")
		other := b.paid("domain", "other.ch", "", "1y")
		payer := b.member(b.org, "payer@example.ch", "Pia", "de", "collaborator", true)
		b.grant(payer, a)
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{a}, false, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		if _, _, on := b.product(other); !on {
			t.Fatal("other.ch does not renew automatically (fixture)")
		}

		_, err := b.ren.SetAutoRenew(lcCtx, payer, b.org, []string{a, other}, false, "", lcMeta(payer))
		lcWantCode(t, "switching off a product not granted", err, "object_not_found")
		if _, _, on := b.product(other); !on {
			t.Error("other.ch was switched off by a collaborator it is not granted to")
		}
		_, err = b.ren.SetAutoRenew(lcCtx, payer, b.org, []string{a, other}, true, "", lcMeta(payer))
		lcWantCode(t, "switching on a product not granted", err, "object_not_found")
		if _, _, on := b.product(a); on {
			t.Error("granted.ch was switched on although the selection was refused")
		}
		if n := b.count(`SELECT COUNT(*) FROM audit_events WHERE actor_user_id = $1`, payer); n != 0 {
			t.Errorf("%d audit events by refused switches", n)
		}

		// Reaching the product is not enough without the billing right.
		b.grant(b.collab, a)
		_, err = b.ren.SetAutoRenew(lcCtx, b.collab, b.org, []string{a}, true, "", lcMeta(b.collab))
		lcWantCode(t, "granted collaborator without the billing right", err, "billing_right_required")

		got, err := b.ren.SetAutoRenew(lcCtx, payer, b.org, []string{a}, true, "", lcMeta(payer))
		if err != nil || len(got) != 1 || got[0].ID != a || !got[0].AutoRenew {
			t.Fatalf("switching the granted product on: %+v, %v", got, err)
		}
		if _, _, on := b.product(a); !on {
			t.Error("granted.ch is not on")
		}
	})
}

// PRD-4: a confirmation link carries its requester's rights of now: an
// administrator demoted or removed since asking cannot terminate.
func TestPRD4_ConfirmationLinkDiesWithTheRequesterRights(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		now := b.paid("web_hosting", "now.ch", "starter", "1y")
		later := b.paid("domain", "later.ch", "", "1y")
		admin2 := b.member(b.org, "admin2@example.ch", "Ida", "it", "administrator", false)

		if _, err := b.ren.RequestTermination(lcCtx, b.admin, b.org, now, renewal.WhenNow, lcMeta(b.admin)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.ren.RequestTermination(lcCtx, admin2, b.org, later, renewal.WhenDueDate, lcMeta(admin2)); err != nil {
			t.Fatal(err)
		}
		demoted, removed := b.token("admin@example.ch"), b.token("admin2@example.ch")

		b.exec(`UPDATE memberships SET role = 'collaborator' WHERE organization_id = $1 AND user_id = $2`, b.org, b.admin)
		b.exec(`DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2`, b.org, admin2)

		// The page that asks to confirm already says so.
		_, err := b.ren.TerminationByToken(lcCtx, demoted)
		lcWantCode(t, "the confirmation page of a demoted requester", err, "termination_link_invalid")
		_, err = b.ren.TerminationByToken(lcCtx, removed)
		lcWantCode(t, "the confirmation page of a removed requester", err, "termination_link_invalid")

		_, err = b.ren.ConfirmTermination(lcCtx, demoted, lcMeta(""))
		lcWantCode(t, "requester demoted to collaborator", err, "termination_link_invalid")
		_, err = b.ren.ConfirmTermination(lcCtx, removed, lcMeta(""))
		lcWantCode(t, "requester removed", err, "termination_link_invalid")

		for _, pid := range []string{now, later} {
			if status, _, _ := b.product(pid); status != "active" {
				t.Errorf("product %s is %s", pid, status)
			}
			if s := b.terminationStatus(pid); s == "done" || s == "scheduled" {
				t.Errorf("the termination of %s is %s", pid, s)
			}
		}
		if n := b.count(`SELECT COUNT(*) FROM webhook_events WHERE type = 'product.terminated'`); n != 0 {
			t.Errorf("%d product.terminated events", n)
		}
		if n := b.count(`SELECT COUNT(*) FROM product_data_deletions`); n != 0 {
			t.Errorf("%d products' data marked for deletion", n)
		}
	})
}

// PRD-4: a termination confirmed for the due date is not applied when the
// product was renewed by hand since: the period paid for stands.
func TestPRD4_ScheduledTerminationSkippedAfterManualRenewal(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		if _, err := b.ren.RequestTermination(lcCtx, b.lr, b.org, pid, renewal.WhenDueDate, lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		term, err := b.ren.ConfirmTermination(lcCtx, b.token("lr@example.ch"), lcMeta(""))
		if err != nil || term.Status != "scheduled" || term.EffectiveDate != "2027-03-02" {
			t.Fatalf("confirm: %+v, %v", term, err)
		}
		b.days(30)
		r, err := b.bill.Pay(lcCtx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{ProductID: pid, Period: "1y"}},
			PaymentMethodID: b.card()}, lcMeta(b.lr))
		if err != nil || r.Status != "succeeded" {
			t.Fatalf("renewal by hand: %+v, %v", r, err)
		}
		if _, due, _ := b.product(pid); due != "2028-03-02" {
			t.Fatalf("due date after the renewal %s, want 2028-03-02", due)
		}

		b.days(335) // 2027-03-02, the date the termination was scheduled for
		for range 2 {
			if err := b.ren.ApplyScheduledTerminations(lcCtx, b.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if status, due, _ := b.product(pid); status != "active" || due != "2028-03-02" {
			t.Errorf("after the old due date: %s, due %s; want active, due 2028-03-02", status, due)
		}
		if s := b.terminationStatus(pid); s != "replaced" {
			t.Errorf("the termination request is %s, want replaced", s)
		}
		if n := b.count(`SELECT COUNT(*) FROM webhook_events WHERE type = 'product.terminated'`); n != 0 {
			t.Errorf("%d product.terminated events", n)
		}
		if n := b.count(`SELECT COUNT(*) FROM product_data_deletions WHERE product_id = $1`, pid); n != 0 {
			t.Error("the renewed product's data is marked for deletion")
		}

		// Nothing is left to apply at the new due date either.
		b.days(366)
		if err := b.ren.ApplyScheduledTerminations(lcCtx, b.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := b.product(pid); status == "terminated" {
			t.Error("the replaced termination was applied at the new due date")
		}
	})
}
