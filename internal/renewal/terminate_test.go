package renewal_test

import (
	"github.com/alpage/alpage/internal/billing"
	"testing"

	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// PRD-4: without its link nothing happens, even 8 days later; the link
// expires after 7 days.
func TestPRD4_TerminationWaitsForItsLink(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("web_hosting", "muster.ch", "starter", "1y")
		term, err := b.ren.RequestTermination(lcCtx, b.lr, b.org, pid, renewal.WhenNow, lcMeta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		if !term.NeedsConfirmation || term.Status != "pending" || !term.ExpiresAt.Equal(b.clk.Now().Add(renewal.TerminationLinkTTL)) {
			t.Fatalf("request: %+v", term)
		}
		if got := b.outbox("lr@example.ch"); len(got) == 0 || got[0] != "termination_confirm" {
			t.Fatalf("requester's outbox %v", got)
		}
		token := b.token("lr@example.ch")
		b.days(8)
		if err := b.ren.ApplyScheduledTerminations(lcCtx, b.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := b.product(pid); status != "active" {
			t.Fatalf("after 8 days without confirmation the product is %s", status)
		}
		if n := b.count(`SELECT COUNT(*) FROM webhook_events WHERE type = 'product.terminated'`); n != 0 {
			t.Errorf("%d product.terminated events", n)
		}
		_, err = b.ren.ConfirmTermination(lcCtx, token, lcMeta(""))
		lcWantCode(t, "expired link", err, "termination_link_invalid")
		_, err = b.ren.TerminationByToken(lcCtx, token)
		lcWantCode(t, "expired link shown", err, "termination_link_invalid")
		if status, _, _ := b.product(pid); status != "active" {
			t.Errorf("an expired link terminated the product: %s", status)
		}
	})
}

// PRD-4, PRD-5: a confirmed termination "now" terminates the product,
// publishes product.terminated, marks its data for deletion, leaves open
// invoices due and tells the other administrators.
func TestPRD4_ConfirmedTerminationNow(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("web_hosting", "muster.ch", "starter", "1y")
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		b.exec(`UPDATE invoices SET status = 'unpaid'`) // an open fee
		_, err := b.ren.RequestTermination(lcCtx, b.collab, b.org, pid, renewal.WhenNow, lcMeta(b.collab))
		lcWantCode(t, "collaborator", err, "object_not_found") // not granted: not reached
		_, err = b.ren.RequestTermination(lcCtx, b.lr, b.org, pid, "tomorrow", lcMeta(b.lr))
		lcWantCode(t, "bad when", err, "validation_failed")
		if _, err := b.ren.RequestTermination(lcCtx, b.lr, b.org, pid, renewal.WhenNow, lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		b.days(6)
		shown, err := b.ren.TerminationByToken(lcCtx, b.token("lr@example.ch"))
		if err != nil || shown.ProductName != "muster.ch" || shown.When != renewal.WhenNow {
			t.Fatalf("link shows %+v, %v", shown, err)
		}
		term, err := b.ren.ConfirmTermination(lcCtx, b.token("lr@example.ch"), lcMeta(""))
		if err != nil || term.Status != "done" || term.DoneAt == nil {
			t.Fatalf("confirm: %+v, %v", term, err)
		}
		status, _, on := b.product(pid)
		if status != "terminated" || on {
			t.Errorf("product %s, auto-renew %v", status, on)
		}
		if n := b.count(`SELECT COUNT(*) FROM webhook_events WHERE type = 'product.terminated' AND payload LIKE $1`, "%"+pid+"%"); n != 1 {
			t.Errorf("%d product.terminated events, want 1", n)
		}
		if n := b.count(`SELECT COUNT(*) FROM product_data_deletions WHERE product_id = $1 AND reason = 'customer'`, pid); n != 1 {
			t.Errorf("data not marked for deletion")
		}
		if n := b.count(`SELECT COUNT(*) FROM invoices WHERE status = 'unpaid'`); n != 1 {
			t.Errorf("open fees: %d unpaid invoices, want the 1 still due", n)
		}
		if got := b.outbox("admin@example.ch"); got[0] != "termination_notice" || lcContains(got[1:], "termination_notice") {
			t.Errorf("the other administrator got %v", got)
		}
		if got := b.outbox("collab@example.ch"); lcContains(got, "termination_notice") || lcContains(got, "termination_done") {
			t.Errorf("the collaborator got %v", got)
		}
		if got := b.outbox("lr@example.ch"); got[0] != "termination_done" {
			t.Errorf("the requester got %v", got)
		}
		_, err = b.ren.ConfirmTermination(lcCtx, b.token("lr@example.ch"), lcMeta(""))
		lcWantCode(t, "second use", err, "termination_link_invalid")
		_, err = b.ren.RequestTermination(lcCtx, b.lr, b.org, pid, renewal.WhenNow, lcMeta(b.lr))
		lcWantCode(t, "terminated", err, "product_not_terminable")
	})
}

// PRD-4: a termination at the due date is scheduled, then applied once by
// the sweep on that date.
func TestPRD4_TerminationAtTheDueDate(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		if _, err := b.ren.RequestTermination(lcCtx, b.admin, b.org, pid, renewal.WhenDueDate, lcMeta(b.admin)); err != nil {
			t.Fatal(err)
		}
		term, err := b.ren.ConfirmTermination(lcCtx, b.token("admin@example.ch"), lcMeta(""))
		if err != nil || term.Status != "scheduled" || term.EffectiveDate != "2027-03-02" {
			t.Fatalf("confirm: %+v, %v", term, err)
		}
		if got := b.outbox("lr@example.ch"); len(got) == 0 || got[0] != "termination_notice" {
			t.Errorf("the legal representative got %v", got)
		}
		_, err = b.ren.RequestTermination(lcCtx, b.lr, b.org, pid, renewal.WhenNow, lcMeta(b.lr))
		lcWantCode(t, "again", err, "termination_already_scheduled")
		b.days(364) // the day before
		if err := b.ren.ApplyScheduledTerminations(lcCtx, b.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := b.product(pid); status != "active" {
			t.Fatalf("terminated before its due date: %s", status)
		}
		b.days(1)
		for range 2 {
			if err := b.ren.ApplyScheduledTerminations(lcCtx, b.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if status, _, _ := b.product(pid); status != "terminated" {
			t.Fatalf("on its due date the product is %s", status)
		}
		if n := b.count(`SELECT COUNT(*) FROM webhook_events WHERE type = 'product.terminated'`); n != 1 {
			t.Errorf("%d product.terminated events, want exactly 1", n)
		}
		if got := b.outbox("admin@example.ch"); got[0] != "termination_done" {
			t.Errorf("the requester got %v", got)
		}
	})
}

// PRD-4: a renewal paid by hand after a confirmed termination at the due
// date keeps the product, and says so: the termination is canceled, the
// requester and the other administrators are told, and the provider's
// systems (product.termination_canceled); the old due date passes without
// a termination.
func TestPRD4_RenewalPaidAfterConfirmingKeepsTheProductAndSaysSo(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		b.endsAtDueDate(pid)
		b.days(300)
		r, err := b.bill.Pay(lcCtx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{ProductID: pid, Period: "1y"}},
			PaymentMethodID: b.card()}, lcMeta(b.lr))
		if err != nil || r.Status != "succeeded" {
			t.Fatalf("renewing by hand: %+v, %v", r, err)
		}
		if n := b.count(`SELECT COUNT(*) FROM termination_requests WHERE product_id = $1 AND status = 'scheduled'`, pid); n != 0 {
			t.Fatalf("%d terminations still scheduled after the renewal", n)
		}
		if n := b.count(`SELECT COUNT(*) FROM webhook_events WHERE type = 'product.termination_canceled' AND payload LIKE $1`, "%"+pid+"%"); n != 1 {
			t.Errorf("%d product.termination_canceled events, want 1", n)
		}
		if n := b.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'product.termination_canceled'`); n != 1 {
			t.Errorf("%d audit rows of the cancellation, want 1", n)
		}
		for _, email := range []string{"admin@example.ch", "lr@example.ch"} {
			if got := b.outbox(email); !lcContains(got, "termination_canceled") {
				t.Errorf("%s was not told the termination is canceled: %v", email, got)
			}
		}
		if got := b.outbox("collab@example.ch"); lcContains(got, "termination_canceled") {
			t.Errorf("the collaborator was told: %v", got)
		}
		b.days(70) // past the old due date
		if err := b.ren.ApplyScheduledTerminations(lcCtx, b.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := b.product(pid); status != "active" {
			t.Fatalf("after the renewal and the old due date the product is %s, want active", status)
		}
	})
}

// PRD-4, BIL-8: a product whose termination at its due date is confirmed
// gets no renewal notice, no charge and no notice of a block before it
// ends on that date.
func TestPRD4_NoRenewalNoticesForAProductEndingAtItsDueDate(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		b.endsAtDueDate(pid)
		charges := b.count(`SELECT COUNT(*) FROM sandbox_payments`)
		for _, day := range []int{305, 30, 16, 14, 1} { // D−60, −30, −14, −1, D; then D+1 before the termination sweep
			b.days(day - 1)
			if err := b.ren.Sweep(lcCtx, b.clk.Now()); err != nil {
				t.Fatal(err)
			}
			b.days(1)
		}
		if err := b.ren.Sweep(lcCtx, b.clk.Now()); err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"lr@example.ch", "admin@example.ch"} {
			for _, tpl := range []string{"renewal_reminder", "renewal_block_notice", "renewal_blocked", "payment_failed"} {
				if lcContains(b.outbox(email), tpl) {
					t.Errorf("%s got %s for a product ending at its due date: %v", email, tpl, b.outbox(email))
				}
			}
		}
		if n := b.count(`SELECT COUNT(*) FROM sandbox_payments`); n != charges {
			t.Errorf("%d charges for a product ending at its due date", n-charges)
		}
		if err := b.ren.ApplyScheduledTerminations(lcCtx, b.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := b.product(pid); status != "terminated" {
			t.Errorf("on its due date the product is %s, want terminated", status)
		}
	})
}

// PRD-4: a type whose catalog entry asks for no confirmation is terminated
// at once.
func TestPRD4_TypeWithoutConfirmationTerminatesAtOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("ssl_certificate", "muster.ch", "dv", "1y")
		term, err := b.ren.RequestTermination(lcCtx, b.lr, b.org, pid, renewal.WhenNow, lcMeta(b.lr))
		if err != nil || term.NeedsConfirmation || term.Status != "done" {
			t.Fatalf("request: %+v, %v", term, err)
		}
		if status, _, _ := b.product(pid); status != "terminated" {
			t.Errorf("product %s", status)
		}
		if got := b.outbox("lr@example.ch"); lcContains(got, "termination_confirm") {
			t.Errorf("a link was sent: %v", got)
		}
	})
}
