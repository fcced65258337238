package renewal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// REN-4: auto-renewal switches on 15 days before the due date, not 13; it
// switches off at any time; each change is audited once.
func TestREN4_SwitchOnRefusedInside14DaysOfTheDueDate(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		if _, due, _ := b.product(pid); due != "2027-03-02" {
			t.Fatalf("due date %s, want 2027-03-02", due)
		}
		if _, _, on := b.product(pid); !on {
			t.Fatal("paying with a card did not switch auto-renewal on (REN-1)")
		}
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, false, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		b.days(350) // D−15
		before := b.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'product.auto_renew_on'`)
		got, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, "", lcMeta(b.lr))
		if err != nil {
			t.Fatalf("switch on at D−15: %v", err)
		}
		if len(got) != 1 || !got[0].AutoRenew || got[0].PaymentMethodID == "" {
			t.Fatalf("switched on: %+v", got)
		}
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		if n := b.count(`SELECT COUNT(*) FROM audit_events WHERE action = 'product.auto_renew_on'`) - before; n != 1 {
			t.Errorf("%d auto_renew_on events, want 1 (the second switch changed nothing)", n)
		}
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, false, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		b.days(2) // D−13
		_, err = b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, "", lcMeta(b.lr))
		e := lcWantCode(t, "switch on at D−13", err, "auto_renew_too_close_to_due_date")
		if e.Status != 422 || !lcContains(e.Values, pid) || !strings.Contains(e.Message, "by hand") {
			t.Errorf("refusal %+v", e)
		}
		if _, _, on := b.product(pid); on {
			t.Error("auto-renewal is on after the refusal")
		}
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, false, "", lcMeta(b.lr)); err != nil {
			t.Errorf("switching off inside 14 days: %v", err)
		}
	})
}

// REN-4, REN-5: the 14-day limit is about switching auto-renewal on: a
// product renewing already may change its method inside it (after a
// declined attempt, the notice says to choose another method), and a
// switch that changes nothing writes nothing.
func TestREN4_MethodOfARenewingProductChangesInside14Days(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		first := b.count(`SELECT COUNT(*) FROM payment_methods`)
		other := b.card()
		if b.count(`SELECT COUNT(*) FROM payment_methods`) != first+1 {
			t.Fatal("no second card")
		}
		b.days(355) // D−10
		got, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, other, lcMeta(b.lr))
		if err != nil {
			t.Fatalf("changing the method at D−10: %v", err)
		}
		if len(got) != 1 || got[0].PaymentMethodID != other {
			t.Fatalf("after the change: %+v", got)
		}
		var updated string
		if err := db.QueryRowContext(lcCtx, `SELECT CAST(updated_at AS text) FROM products WHERE id = $1`, pid).Scan(&updated); err != nil {
			t.Fatal(err)
		}
		audits := b.count(`SELECT COUNT(*) FROM audit_events WHERE action LIKE 'product.auto_renew%'`)
		b.days(1)
		again, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, other, lcMeta(b.lr))
		if err != nil || len(again) != 1 || !again[0].UpdatedAt.Equal(got[0].UpdatedAt) {
			t.Fatalf("the same switch again: %+v, %v (updated_at moved)", again, err)
		}
		var after string
		if err := db.QueryRowContext(lcCtx, `SELECT CAST(updated_at AS text) FROM products WHERE id = $1`, pid).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != updated || b.count(`SELECT COUNT(*) FROM audit_events WHERE action LIKE 'product.auto_renew%'`) != audits {
			t.Errorf("a switch that changed nothing wrote: updated_at %s → %s", updated, after)
		}
	})
}

// REN-2, REN-4: a selection is switched all or none; the refusal names the
// products too close to their due date.
func TestREN2_SelectionNamesTheProductsTooClose(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		far := b.paid("domain", "far.ch", "", "1y")
		near := b.paid("domain", "near.ch", "", "1y")
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{far, near}, false, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		today := calendar.Today(b.clk.Now(), time.UTC)
		b.exec(`UPDATE products SET due_date = $1 WHERE id = $2`, today.AddDays(13).String(), near)
		_, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{far, near}, true, "", lcMeta(b.lr))
		e := lcWantCode(t, "bulk", err, "auto_renew_too_close_to_due_date")
		if len(e.Values) != 1 || e.Values[0] != near || e.Attribute != "product_ids" || !strings.Contains(e.Message, "near.ch") ||
			strings.Contains(e.Message, "far.ch") {
			t.Errorf("refusal names %v / %q, want near.ch only", e.Values, e.Message)
		}
		if _, _, on := b.product(far); on {
			t.Error("far.ch was switched on although the selection was refused")
		}
		got, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{far, near, far}, false, "", lcMeta(b.lr))
		if err != nil || len(got) != 2 {
			t.Errorf("switching the selection off: %d, %v", len(got), err)
		}
	})
}

// REN-2, ORG-8: switching on needs a saved method of the organization and
// the billing right.
func TestREN2_SwitchOnNeedsASavedMethodAndTheBillingRight(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		b.exec(`UPDATE payment_methods SET removed_at = $1`, b.clk.Now())
		_, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, "", lcMeta(b.lr))
		lcWantCode(t, "no method", err, "payment_method_required")
		pm := b.card()
		other := b.newOrg("Other AG")
		_, err = b.ren.SetAutoRenew(lcCtx, b.stranger, b.org, []string{pid}, true, pm, lcMeta(b.stranger))
		lcWantCode(t, "stranger", err, "object_not_found")
		_, err = b.ren.SetAutoRenew(lcCtx, b.lr, other, []string{pid}, true, pm, lcMeta(b.lr))
		lcWantCode(t, "another organization", err, "object_not_found")
		_, err = b.ren.SetAutoRenew(lcCtx, b.collab, b.org, []string{pid}, true, pm, lcMeta(b.collab))
		lcWantCode(t, "collaborator", err, "billing_right_required")
		_, err = b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, "0190f0f0-0000-7000-8000-000000000000", lcMeta(b.lr))
		if e := lcWantCode(t, "unknown method", err, "validation_failed"); e.Attribute != "payment_method_id" {
			t.Errorf("attribute %q", e.Attribute)
		}
		got, err := b.ren.SetAutoRenew(lcCtx, b.admin, b.org, []string{pid}, true, pm, lcMeta(b.admin))
		if err != nil || got[0].PaymentMethodID != pm {
			t.Fatalf("administrator with the method: %+v, %v", got, err)
		}
		_, err = b.ren.SetAutoRenew(lcCtx, b.lr, b.org, nil, true, pm, lcMeta(b.lr))
		lcWantCode(t, "empty selection", err, "validation_failed")
		b.exec(`UPDATE products SET status = 'terminated' WHERE id = $1`, pid)
		_, err = b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, pm, lcMeta(b.lr))
		lcWantCode(t, "terminated product", err, "product_not_renewable")
	})
}
