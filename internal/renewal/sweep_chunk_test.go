package renewal_test

import (
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// REN-3, REN-5: products swept together (one chunk, sharing its
// transactions) come out each on its own — one renewed, one declined with
// its notice, one whose charge's answer was lost renewed once the charge
// is found by its key (not charged again); a second sweep does nothing.
func TestREN3_ProductsSweptTogetherComeOutEachOnItsOwn(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{})
		visa := b.card(sandbox.CardVisa)
		renews := b.buy("domain", "", "renews.ch", "1y", visa)
		declines := b.buy("domain", "", "declines.ch", "1y", visa)
		lost := b.buy("domain", "", "lost.ch", "1y", visa)
		b.exec(`UPDATE products SET payment_method_id = $1 WHERE id = $2`, b.card(sandbox.CardDeclined), declines)
		b.exec(`UPDATE products SET payment_method_id = $1 WHERE id = $2`, b.card(sandbox.CardTimeout), lost)
		due := b.due(renews)
		if b.due(declines) != due || b.due(lost) != due {
			t.Fatal("the three products are not due the same day")
		}
		charges := b.charges()

		b.sweepOn(due.AddDays(-14))
		if got, want := b.due(renews), due.AddMonths(12); got != want || b.renewalInvoices(renews) != 1 {
			t.Errorf("renews.ch: due %s, %d invoices; want %s and 1", got, b.renewalInvoices(renews), want)
		}
		if b.due(declines) != due || b.renewalInvoices(declines) != 0 {
			t.Errorf("declines.ch moved or invoiced")
		}
		if n := b.count(`SELECT COUNT(*) FROM renewal_steps WHERE product_id = $1 AND kind = 'attempt' AND outcome = 'card_declined'`,
			declines); n != 1 {
			t.Errorf("declines.ch: %d declined attempts recorded, want 1", n)
		}
		if n := len(b.mails("lr@example.ch", "renewal_charge_failed", "")); n != 1 {
			t.Errorf("charge-failed notices: %d, want 1 (declines.ch)", n)
		}
		if got, want := b.due(lost), due.AddMonths(12); got != want || b.renewalInvoices(lost) != 1 {
			t.Errorf("lost.ch: due %s, %d invoices; want %s and 1 (the charge found by its key)", got, b.renewalInvoices(lost), want)
		}
		// Each of the three got its 14-day reminder, in the chunk's first
		// transaction.
		if n := len(b.mails("lr@example.ch", "renewal_reminder", "")); n != 3 {
			t.Errorf("reminders: %d, want 3", n)
		}
		madeOnce := b.charges()
		if madeOnce != charges+2 { // renews.ch and lost.ch, once each
			t.Errorf("charges: %d, want %d", madeOnce, charges+2)
		}

		b.sweep() // the same day: nothing more
		if b.charges() != madeOnce || b.renewalInvoices(renews) != 1 || b.renewalInvoices(lost) != 1 {
			t.Errorf("the second sweep charged or invoiced again: %d charges, %d and %d invoices", b.charges(),
				b.renewalInvoices(renews), b.renewalInvoices(lost))
		}
		if n := b.count(`SELECT COUNT(*) FROM renewal_steps WHERE product_id = $1 AND kind = 'attempt'`, declines); n != 1 {
			t.Errorf("declines.ch: %d attempts at D−14, want 1", n)
		}
	})
}

// A product whose step fails in a chunk (here: a billing contact's address
// the mailer refuses) is undone alone — no reminder, no step, no charge —
// and reported by the sweep; the other organization's product in the same
// chunk renews. Once the address is fixed, the next sweep does it.
func TestREN3_AProductThatFailsInAChunkIsUndoneAlone(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{})
		good := b.buy("domain", "", "good.ch", "1y", b.card(sandbox.CardVisa))
		org, lr := b.org, b.lr
		b.org = b.newOrg("Kaputt GmbH")
		b.lr = b.member(b.org, "kaputt@example.ch", "de", "legal_representative", "billing")
		bad := b.buy("domain", "", "kaputt.ch", "1y", b.card(sandbox.CardVisa))
		broken := b.member(b.org, "not an address", "de", "administrator", "billing")
		b.org, b.lr = org, lr
		due := b.due(good)
		charges := b.charges()

		b.at(due.AddDays(-14), 9)
		err := b.ren.Sweep(swCtx, b.clk.Now())
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Fatalf("Sweep = %v, want the error of product %s", err, bad)
		}
		if got, want := b.due(good), due.AddMonths(12); got != want || b.renewalInvoices(good) != 1 {
			t.Errorf("good.ch: due %s, %d invoices; want %s and 1", got, b.renewalInvoices(good), want)
		}
		if n := b.count(`SELECT COUNT(*) FROM renewal_steps WHERE product_id = $1`, bad); n != 0 {
			t.Errorf("kaputt.ch: %d steps recorded, want none (undone)", n)
		}
		if n := len(b.mails("kaputt@example.ch", "renewal_reminder", "")); n != 0 {
			t.Errorf("kaputt.ch: %d reminders left behind by the undone step", n)
		}
		if b.charges() != charges+1 || b.due(bad) != due {
			t.Errorf("charges %d (want %d), kaputt.ch due %s (want %s)", b.charges(), charges+1, b.due(bad), due)
		}

		b.exec(`UPDATE users SET email = 'fixed@example.ch' WHERE id = $1`, broken)
		b.sweep()
		if got, want := b.due(bad), due.AddMonths(12); got != want || b.renewalInvoices(bad) != 1 {
			t.Errorf("kaputt.ch after the fix: due %s, %d invoices; want %s and 1", got, b.renewalInvoices(bad), want)
		}
		if n := len(b.mails("fixed@example.ch", "renewal_reminder", "")); n != 1 {
			t.Errorf("reminders to the fixed address: %d, want 1", n)
		}
	})
}
