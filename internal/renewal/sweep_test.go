package renewal_test

import (
	"fmt"
	"testing"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// REN-1, REN-3, REN-6, BIL-8: a product bought with a card renews with it;
// reminders at 60, 30, 14 and 1 days come once each in the contact's
// language; nothing is charged at D−15; at D−14 one charge, one invoice,
// the due date one period later and a receipt; a second sweep the same
// day does nothing more.
func TestREN3_ChargesOnceFourteenDaysBeforeTheDueDate(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{})
		visa := b.card(sandbox.CardVisa)
		pid := b.buy("domain", "", "example.ch", "1y", visa)
		status, _, auto, pm := b.product(pid)
		if status != "active" || !auto || pm != visa {
			t.Fatalf("after paying the order with a card: status %s, auto_renew %v with %q; want active, on with %s (REN-1)", status, auto, pm, visa)
		}
		if n := b.events("product.activated", pid); n != 1 {
			t.Errorf("product.activated events: %d, want 1 (PRD-5)", n)
		}
		due := b.due(pid)
		charges := b.charges()

		b.sweepOn(due.AddDays(-61))
		if n := len(b.mails("lr@example.ch", "renewal_reminder", "")); n != 0 {
			t.Fatalf("reminders at D−61: %d, want 0", n)
		}
		b.sweepOn(due.AddDays(-60))
		b.sweep() // twice the same day: once
		b.sweepOn(due.AddDays(-30))
		b.sweepOn(due.AddDays(-15))
		if b.charges() != charges || b.due(pid) != due {
			t.Fatalf("D−15: charged or moved (charges %d → %d, due %s → %s)", charges, b.charges(), due, b.due(pid))
		}
		if n := len(b.mails("lr@example.ch", "renewal_reminder", "fr")); n != 2 {
			t.Fatalf("French reminders by D−15: %d, want 2 (60, 30 days)", n)
		}

		invoiceMails := len(b.mails("lr@example.ch", "invoice_issued", ""))
		b.sweepOn(due.AddDays(-14))
		if got := b.charges(); got != charges+1 {
			t.Fatalf("charges at D−14: %d, want %d", got, charges+1)
		}
		if got, want := b.due(pid), due.AddMonths(12); got != want {
			t.Fatalf("due date after the renewal: %s, want %s (REN-6)", got, want)
		}
		if n := b.renewalInvoices(pid); n != 1 {
			t.Fatalf("renewal invoices: %d, want 1", n)
		}
		b.sweep()
		b.sweepOn(due.AddDays(-13))
		if got := b.charges(); got != charges+1 || b.renewalInvoices(pid) != 1 {
			t.Fatalf("after more sweeps: %d charges, %d invoices; want %d, 1", got, b.renewalInvoices(pid), charges+1)
		}
		receipts := b.mails("lr@example.ch", "renewal_renewed", "fr")
		if n := len(receipts); n != 1 {
			t.Fatalf("French receipts: %d, want 1", n)
		}
		// The receipt is the renewal invoice's e-mail: no second message.
		var number, invID string
		if err := db.QueryRowContext(swCtx, `SELECT i.number, CAST(i.id AS text) FROM invoices i
			JOIN invoice_lines l ON l.invoice_id = i.id WHERE l.product_id = $1 AND l.order_id IS NULL`, pid).Scan(&number, &invID); err != nil {
			t.Fatal(err)
		}
		if !swHas(receipts[0].BodyText, number) || !swHas(receipts[0].BodyText, "/invoices/"+invID+"/pdf") {
			t.Errorf("the receipt does not carry invoice %s and its PDF link:\n%s", number, receipts[0].BodyText)
		}
		if n := len(b.mails("lr@example.ch", "invoice_issued", "")); n != invoiceMails {
			t.Errorf("invoice e-mails after the automatic renewal: %d, want %d (the receipt is the invoice's e-mail)", n, invoiceMails)
		}
		if n := len(b.mails("admin@example.ch", "renewal_renewed", "de")); n != 1 {
			t.Errorf("German receipts: %d, want 1", n)
		}
		if n := len(b.mails("collab@example.ch", "renewal_renewed", "")); n != 0 {
			t.Errorf("a member without billing notices got %d receipts", n)
		}
		rem := b.mails("lr@example.ch", "renewal_reminder", "fr")
		if len(rem) != 3 {
			t.Fatalf("French reminders by D−13: %d, want 3 (60, 30, 14 days)", len(rem))
		}
		if rem[0].Subject == "" || !swHas(rem[0].BodyText, "Visa") {
			t.Errorf("the 14-day reminder does not announce the charge with the card: %q", rem[0].BodyText)
		}
		for _, ev := range []string{"product.renewed", "invoice.paid"} {
			if n := b.events(ev, pid); n < 1 {
				t.Errorf("no %s event for the renewal (PRD-5)", ev)
			}
		}
		// The next period's reminders count afresh, each once.
		next := b.due(pid)
		b.sweepOn(next.AddDays(-60))
		b.sweepOn(next.AddDays(-60).AddDays(0))
		if n := len(b.mails("admin@example.ch", "renewal_reminder", "de")); n != 4 {
			t.Errorf("German reminders: %d, want 4 (60, 30, 14 days, then 60 of the next period)", n)
		}
	})
}

// REN-5, BIL-7, BIL-8: a declined card is retried at −10, −7, −3, −1 and 0
// days, each failure told to the billing contacts with the next attempt;
// the block is announced, then done at D+1; paying by hand unblocks at once
// and moves the due date from the old due date (REN-6).
func TestREN5_RetriesNoticesBlockAndManualPaymentUnblocks(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{})
		visa := b.card(sandbox.CardVisa)
		pid := b.buy("domain", "", "failing.ch", "1y", visa)
		declined := b.card(sandbox.CardDeclined)
		b.exec(`UPDATE products SET payment_method_id = $1 WHERE id = $2`, declined, pid)
		due := b.due(pid)
		charges := b.charges()

		for i, days := range []int{-14, -10, -7, -3, -1, 0} {
			b.sweepOn(due.AddDays(days))
			b.sweep()
			fails := b.mails("lr@example.ch", "renewal_charge_failed", "fr")
			if len(fails) != i+1 {
				t.Fatalf("failure notices after the attempt at %d days: %d, want %d", days, len(fails), i+1)
			}
			if days == -1 && !swHas(fails[0].BodyText, "réessaierons") {
				t.Errorf("the notice at −1 does not tell the next attempt: %q", fails[0].BodyText)
			}
			if days == 0 && swHas(fails[0].BodyText, "réessaierons") {
				t.Errorf("the last notice announces another attempt: %q", fails[0].BodyText)
			}
			if days == -1 { // the 1-day notice comes after four declines
				rem := b.mails("lr@example.ch", "renewal_reminder", "fr")
				if len(rem) == 0 || swHas(rem[0].BodyText, "rien à faire") || !swHas(rem[0].BodyText, "ont échoué") {
					t.Errorf("the notice the day before, after declines, says: %q", rem[0].BodyText)
				}
			}
		}
		if n := b.count(`SELECT COUNT(*) FROM renewal_steps WHERE product_id = $1 AND kind = 'attempt' AND outcome = 'card_declined'`, pid); n != 6 {
			t.Errorf("declined attempts recorded: %d, want 6", n)
		}
		if n := b.events("payment.failed", pid); n != 6 {
			t.Errorf("payment.failed events: %d, want 6", n)
		}
		if b.charges() != charges {
			t.Fatalf("a declined card took money")
		}
		if n := len(b.mails("lr@example.ch", "renewal_block_notice", "fr")); n != 1 {
			t.Errorf("block notices: %d, want 1", n)
		}
		if n := len(b.mails("lr@example.ch", "payment_failed", "")); n != 0 {
			t.Errorf("billing's generic payment_failed e-mail was sent %d times as well", n)
		}
		if status, _, _, _ := b.product(pid); status != "active" {
			t.Fatalf("status on the due date: %s, want active", status)
		}

		b.sweepOn(due.AddDays(1))
		b.sweep()
		if status, _, _, _ := b.product(pid); status != "blocked" {
			t.Fatalf("status at D+1: %s, want blocked", status)
		}
		if b.events("product.blocked", pid) != 1 || len(b.mails("admin@example.ch", "renewal_blocked", "de")) != 1 {
			t.Fatalf("block: %d events, %d German e-mails; want 1, 1", b.events("product.blocked", pid),
				len(b.mails("admin@example.ch", "renewal_blocked", "de")))
		}

		b.sweepOn(due.AddDays(3))
		r, err := b.bill.Pay(swCtx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{ProductID: pid}}, PaymentMethodID: visa}, swMeta(b.lr))
		if err != nil || r.Status != billing.StatusSucceeded {
			t.Fatalf("paying by hand: %v %+v", err, r)
		}
		status, _, auto, pm := b.product(pid)
		if status != "active" || b.due(pid) != due.AddMonths(12) {
			t.Fatalf("after paying: %s due %s; want active due %s", status, b.due(pid), due.AddMonths(12))
		}
		if !auto || pm != visa {
			t.Errorf("paying with a card switches auto-renewal on with it (REN-1): %v %q", auto, pm)
		}
		if b.events("product.unblocked", pid) != 1 {
			t.Errorf("product.unblocked events: %d, want 1", b.events("product.unblocked", pid))
		}
		b.sweepOn(due.AddDays(31))
		if status, _, _, _ := b.product(pid); status != "active" {
			t.Errorf("a paid product was %s after the termination date", status)
		}
	})
}

// BIL-7: a product never paid is announced, then terminated at D+30, its
// data marked for deletion and the provider's systems told; a sweep after a
// long downtime does the latest step only.
func TestBIL7_UnpaidProductIsTerminated(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{})
		visa := b.card(sandbox.CardVisa)
		manual := b.buy("web_hosting", "starter", "shop.example.ch", "1m", visa)
		b.exec(`UPDATE products SET auto_renew = $1 WHERE id = $2`, false, manual)
		due := b.due(manual)
		b.sweepOn(due.AddDays(-1))
		if b.charges() != 1 {
			t.Fatalf("auto-renewal off, yet charged")
		}
		b.sweepOn(due.AddDays(1))
		if status, _, _, _ := b.product(manual); status != "blocked" {
			t.Fatalf("D+1: %s, want blocked", status)
		}
		b.sweepOn(due.AddDays(27))
		if n := len(b.mails("lr@example.ch", "renewal_terminate_notice", "fr")); n != 1 {
			t.Errorf("termination notices: %d, want 1", n)
		}
		b.sweepOn(due.AddDays(29))
		if status, _, _, _ := b.product(manual); status != "blocked" {
			t.Fatalf("D+29: %s, want blocked", status)
		}
		b.sweepOn(due.AddDays(30))
		b.sweep()
		if status, _, _, _ := b.product(manual); status != "terminated" {
			t.Fatalf("D+30: %s, want terminated", status)
		}
		if b.events("product.terminated", manual) != 1 || len(b.mails("lr@example.ch", "renewal_terminated", "fr")) != 1 {
			t.Errorf("termination: %d events, %d e-mails; want 1, 1", b.events("product.terminated", manual),
				len(b.mails("lr@example.ch", "renewal_terminated", "fr")))
		}
		if n := b.count(`SELECT COUNT(*) FROM product_data_deletions WHERE product_id = $1`, manual); n != 1 {
			t.Errorf("data marked for deletion: %d rows, want 1", n)
		}

		// Downtime: a product last swept long before its due date is not
		// terminated without warning when the sweep comes back after D+30:
		// the termination's notice goes out first, late, and the
		// termination follows the notice's days later (BIL-7: each step
		// announced beforehand).
		late := b.buy("web_hosting", "starter", "late.example.ch", "1m", visa)
		b.exec(`UPDATE products SET auto_renew = $1 WHERE id = $2`, false, late)
		lateDue := b.due(late)
		before := len(b.mails("lr@example.ch", "renewal_block_notice", ""))
		notices := len(b.mails("lr@example.ch", "renewal_terminate_notice", "fr"))
		b.sweepOn(lateDue.AddDays(45))
		if status, _, _, _ := b.product(late); status == "terminated" {
			t.Fatal("after the downtime: terminated without its notice")
		}
		sent := b.mails("lr@example.ch", "renewal_terminate_notice", "fr")
		if len(sent) != notices+1 {
			t.Fatalf("termination notices after the downtime: %d, want 1", len(sent)-notices)
		}
		if want := lateDue.AddDays(48); !swHas(sent[0].BodyText, fmt.Sprintf("%02d.%02d.%d", want.Day, want.Month, want.Year)) {
			t.Errorf("the late notice does not announce the termination 3 days on (%s): %q", want, sent[0].BodyText)
		}
		if got := len(b.mails("lr@example.ch", "renewal_block_notice", "")); got != before {
			t.Errorf("a block notice was sent after the block date")
		}
		b.sweepOn(lateDue.AddDays(47))
		if status, _, _, _ := b.product(late); status == "terminated" {
			t.Fatal("terminated before the announced day")
		}
		b.sweepOn(lateDue.AddDays(48))
		if status, _, _, _ := b.product(late); status != "terminated" {
			t.Fatalf("on the announced day: %s, want terminated", status)
		}
		if got := len(b.mails("lr@example.ch", "renewal_terminate_notice", "fr")); got != notices+1 {
			t.Errorf("termination notices: %d, want 1", got-notices)
		}
	})
}

// REN-3, BIL-7: a sweep that comes back after a downtime (or a test clock
// moved by weeks) tries the latest automatic charge it missed before it
// blocks or terminates: a product renewing with a good card is renewed
// from its old due date, never blocked for the sweep's absence.
func TestREN3_CatchUpChargesBeforeBlocking(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{})
		visa := b.card(sandbox.CardVisa)
		for _, late := range []int{16, 255} { // past the block; past the termination
			pid := b.buy("web_hosting", "starter", fmt.Sprintf("late%d.example.ch", late), "1m", visa)
			due := b.due(pid)
			b.sweepOn(due.AddDays(-15))
			b.sweepOn(due.AddDays(late))
			status, _, _, _ := b.product(pid)
			t.Logf("D+%d: %s, due %s → %s, %d renewal invoices", late, status, due, b.due(pid), b.renewalInvoices(pid))
			if status != "active" || b.renewalInvoices(pid) != 1 {
				t.Fatalf("D+%d after a downtime: %s with %d renewals, want active with 1 (charged, not blocked)", late, status, b.renewalInvoices(pid))
			}
			if got, want := b.due(pid), due.AddMonths(1); got != want {
				t.Fatalf("D+%d: due date %s, want %s (renewed from the old due date)", late, got, want)
			}
			if n := b.events("product.blocked", pid) + b.events("product.terminated", pid); n != 0 {
				t.Errorf("D+%d: %d block or termination events", late, n)
			}
		}
	})
}

// BIL-8: a renewal notice whose day was past when the product got its due
// date (a monthly product renewed at D−14, or just ordered) is not owed:
// the next sweep sends no 60-day notice 44 days before.
func TestBIL8_NoNoticeForADayPastWhenTheDueDateWasSet(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{})
		visa := b.card(sandbox.CardVisa)
		pid := b.buy("web_hosting", "starter", "monthly.example.ch", "1m", visa)
		due := b.due(pid)
		var outcome string
		if err := db.QueryRowContext(swCtx, `SELECT outcome FROM renewal_steps WHERE product_id = $1 AND due_date = $2
			AND kind = 'reminder' AND days = -60`, pid, due.String()).Scan(&outcome); err != nil || outcome != "skipped" {
			t.Fatalf("the 60-day notice of a product ordered a month before its due date: %q, %v; want skipped", outcome, err)
		}
		b.sweepOn(due.AddDays(-14))
		next := b.due(pid)
		if next != due.AddMonths(1) {
			t.Fatalf("not renewed at D−14: due %s", next)
		}
		before := len(b.mails("lr@example.ch", "renewal_reminder", ""))
		b.sweepOn(due.AddDays(-13))
		if got := len(b.mails("lr@example.ch", "renewal_reminder", "")); got != before {
			t.Errorf("%d renewal notices the day after the renewal, want none (the 60-day one of %s was past)", got-before, next)
		}
		b.sweepOn(next.AddDays(-30))
		if got := len(b.mails("lr@example.ch", "renewal_reminder", "")); got != before+1 {
			t.Errorf("the 30-day notice of the new due date: %d sent, want 1", got-before)
		}
	})
}

// BIL-8, REN-4: the notice of a product renewed by hand advises switching
// auto-renewal on only while it still can be (14 days before the due
// date), not in the notice of the day before.
func TestBIL8_NoticeAdvisesAutoRenewalOnlyWhileItCanBeSwitchedOn(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{})
		visa := b.card(sandbox.CardVisa)
		pid := b.buy("domain", "", "byhand.ch", "1y", visa)
		b.exec(`UPDATE products SET auto_renew = $1 WHERE id = $2`, false, pid)
		due := b.due(pid)
		b.sweepOn(due.AddDays(-30))
		rem := b.mails("lr@example.ch", "renewal_reminder", "fr")
		if len(rem) != 1 || !swHas(rem[0].BodyText, "14 jours") {
			t.Fatalf("the 30-day notice does not advise auto-renewal: %d notices, %q", len(rem), rem[0].BodyText)
		}
		b.sweepOn(due.AddDays(-1))
		rem = b.mails("lr@example.ch", "renewal_reminder", "fr")
		if len(rem) != 2 || swHas(rem[0].BodyText, "14 jours") || !swHas(rem[0].BodyText, "Renouvelez-le") {
			t.Errorf("the notice of the day before: %q", rem[0].BodyText)
		}
	})
}

// REN-6: a product due on 31 January renewed for one month is due on the
// last day of February, then on 28 March (calendar months from the due date).
func TestREN6_RenewalAtTheMonthsEnd(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{})
		visa := b.card(sandbox.CardVisa)
		pid := b.buy("web_hosting", "starter", "month-end.example.ch", "1m", visa)
		b.exec(`UPDATE products SET due_date = '2027-01-31' WHERE id = $1`, pid)
		due := b.due(pid)
		b.sweepOn(due.AddDays(-14))
		if got := b.due(pid).String(); got != "2027-02-28" {
			t.Fatalf("31 January + 1 month = %s, want 2027-02-28", got)
		}
		b.sweepOn(b.due(pid).AddDays(-14))
		if got := b.due(pid).String(); got != "2027-03-28" {
			t.Fatalf("28 February + 1 month = %s, want 2027-03-28", got)
		}
	})
}

func swHas(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
