package renewal_test

import (
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
