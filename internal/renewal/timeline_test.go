package renewal_test

import (
	"github.com/alpage/alpage/internal/billing"
	"testing"

	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// REN-3, BIL-7, PRD-4: the timeline lists what happened (ordered, paid,
// auto-renewal switched on) and what comes next with the schedule's dates,
// from today on; a confirmed termination at the due date replaces them.
func TestREN3_TimelineListsPastAndNextSteps(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, false, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		b.days(345) // D−20: 2027-02-10
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, true, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		tl, err := b.ren.Timeline(lcCtx, b.lr, b.org, pid)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range tl.Past {
			kinds = append(kinds, e.Kind)
		}
		for _, want := range []string{renewal.EventCreated, renewal.EventActivated, renewal.EventInvoicePaid, "product.auto_renew_on"} {
			if !lcContains(kinds, want) {
				t.Errorf("past %v lacks %s", kinds, want)
			}
		}
		for i := 1; i < len(tl.Past); i++ {
			if tl.Past[i].At.Before(tl.Past[i-1].At) {
				t.Errorf("past events out of order: %v", tl.Past)
			}
		}
		if tl.Today.String() != "2027-02-10" || tl.DueDate != "2027-03-02" || !tl.AutoRenew {
			t.Errorf("timeline head %+v", tl)
		}
		at := map[string][]string{}
		for _, st := range tl.Next {
			if st.Date.Before(tl.Today) {
				t.Errorf("a step in the past: %+v", st)
			}
			at[st.Kind] = append(at[st.Kind], st.Date.String())
		}
		if len(tl.Next) == 0 || tl.Next[0].Kind != renewal.StepReminder || tl.Next[0].Date.String() != "2027-02-16" {
			t.Errorf("first next step %+v, want the reminder of 2027-02-16 (D−14)", tl.Next)
		}
		want := map[string][]string{
			renewal.StepAttempt:   {"2027-02-16", "2027-02-20", "2027-02-23", "2027-02-27", "2027-03-01", "2027-03-02"},
			renewal.StepDue:       {"2027-03-02"},
			renewal.StepBlock:     {"2027-03-03"},
			renewal.StepTerminate: {"2027-04-01"},
		}
		for kind, dates := range want {
			if got := at[kind]; len(got) != len(dates) || !lcEqual(got, dates) {
				t.Errorf("%s on %v, want %v", kind, got, dates)
			}
		}
		if lcContains(at[renewal.StepReminder], "2026-12-02") || lcContains(at[renewal.StepReminder], "2027-01-31") {
			t.Errorf("reminders already past are listed: %v", at[renewal.StepReminder])
		}

		// Auto-renewal off: no attempts.
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, false, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		tl, _ = b.ren.Timeline(lcCtx, b.lr, b.org, pid)
		for _, st := range tl.Next {
			if st.Kind == renewal.StepAttempt {
				t.Errorf("an attempt without auto-renewal: %+v", st)
			}
		}

		// A termination waiting for its link, then confirmed for the due date.
		if _, err := b.ren.RequestTermination(lcCtx, b.lr, b.org, pid, renewal.WhenDueDate, lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		tl, _ = b.ren.Timeline(lcCtx, b.lr, b.org, pid)
		if tl.Termination == nil || tl.Termination.Status != "pending" {
			t.Errorf("pending termination not shown: %+v", tl.Termination)
		}
		expires := 0
		for _, st := range tl.Next { // the link's end, 7 days on, relative to the due date as every step
			if st.Kind == renewal.StepConfirmationExpires {
				expires++
				if st.Date.String() != "2027-02-17" || st.Days != -13 {
					t.Errorf("the link's end %+v, want 2027-02-17, 13 days before the due date", st)
				}
			}
		}
		if expires != 1 {
			t.Errorf("the link's end is listed %d times, want once: %+v", expires, tl.Next)
		}
		if _, err := b.ren.ConfirmTermination(lcCtx, b.token("lr@example.ch"), lcMeta("")); err != nil {
			t.Fatal(err)
		}
		tl, _ = b.ren.Timeline(lcCtx, b.lr, b.org, pid)
		if len(tl.Next) != 1 || tl.Next[0].Kind != renewal.StepCustomerTermination || tl.Next[0].Date.String() != "2027-03-02" {
			t.Errorf("after scheduling, next %+v", tl.Next)
		}
		_, err = b.ren.Timeline(lcCtx, b.stranger, b.org, pid)
		lcWantCode(t, "stranger", err, "object_not_found")
	})
}

// BIL-8, REN-3: the notices the sweep sent are in the past of the
// timeline; a step done today is no longer among the next ones; a
// termination a renewal canceled is one event.
func TestREN3_TimelineShowsNoticesSentAndDropsStepsDoneToday(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		pid := b.paid("domain", "muster.ch", "", "1y")
		if _, err := b.ren.SetAutoRenew(lcCtx, b.lr, b.org, []string{pid}, false, "", lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		b.days(351) // D−14: 2027-02-16
		if err := b.ren.Sweep(lcCtx, b.clk.Now()); err != nil {
			t.Fatal(err)
		}
		tl, err := b.ren.Timeline(lcCtx, b.lr, b.org, pid)
		if err != nil {
			t.Fatal(err)
		}
		notices := 0
		for _, e := range tl.Past {
			if e.Kind == renewal.EventRenewalNotice {
				notices++
				if e.Data["days"] != "-14" || e.Data["due_date"] != "2027-03-02" {
					t.Errorf("notice sent %+v, want the 14-day one of 2027-03-02", e)
				}
			}
		}
		if notices != 1 {
			t.Errorf("%d renewal notices in the past, want 1: %+v", notices, tl.Past)
		}
		for _, st := range tl.Next {
			if st.Kind == renewal.StepReminder && st.Date.String() == "2027-02-16" {
				t.Errorf("the notice sent today is still next: %+v", tl.Next)
			}
		}
		if len(tl.Next) == 0 || tl.Next[0].Kind != renewal.StepBlockNotice || tl.Next[0].Date.String() != "2027-02-28" {
			t.Errorf("next %+v, want the block's notice of 2027-02-28 first", tl.Next)
		}

		// A termination confirmed, then a renewal by hand: one event.
		b.endsAtDueDate(pid)
		if _, err := b.bill.Pay(lcCtx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{ProductID: pid, Period: "1y"}},
			PaymentMethodID: b.card()}, lcMeta(b.lr)); err != nil {
			t.Fatal(err)
		}
		tl, _ = b.ren.Timeline(lcCtx, b.lr, b.org, pid)
		canceled := 0
		for _, e := range tl.Past {
			if e.Kind == "product.termination_canceled" {
				canceled++
			}
		}
		if canceled != 1 {
			t.Errorf("the canceled termination is %d events, want 1: %+v", canceled, tl.Past)
		}
	})
}

func lcEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
