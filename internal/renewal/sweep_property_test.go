package renewal_test

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/renewal"
)

func swGenDate(t *rapid.T, label string) calendar.Date {
	y := rapid.IntRange(2024, 2040).Draw(t, label+"_year")
	m := time.Month(rapid.IntRange(1, 12).Draw(t, label+"_month"))
	d := rapid.IntRange(1, calendar.DaysIn(y, m)).Draw(t, label+"_day")
	return calendar.Date{Year: y, Month: m, Day: d}
}

// REN-3, REN-5, BIL-7, BIL-8: whatever the due date and the type's grace
// periods, the steps are in date order, each at its days from the due date;
// attempts only with auto-renewal, the first 14 days before; reminders
// before the due date; block after it and termination after the block,
// each announced before.
func TestREN3_StepsProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		due := swGenDate(t, "due")
		block := rapid.IntRange(1, 30).Draw(t, "block")
		l := renewal.Lifecycle{Due: due, AutoRenew: rapid.Bool().Draw(t, "auto"), BlockAfterDays: block,
			TerminateAfterDays: block + rapid.IntRange(1, 90).Draw(t, "terminate")}
		sc := renewal.DefaultSchedule()
		steps := sc.Steps(l)
		if !slices.IsSortedFunc(steps, func(a, b renewal.Step) int { return a.Date.Compare(b.Date) }) {
			t.Fatalf("steps not in date order: %v", steps)
		}
		kinds := map[string][]renewal.Step{}
		for _, st := range steps {
			if st.Date != due.AddDays(st.Days) {
				t.Fatalf("%s at %s is not %d days from %s", st.Kind, st.Date, st.Days, due)
			}
			kinds[st.Kind] = append(kinds[st.Kind], st)
		}
		if l.AutoRenew != (len(kinds[renewal.StepAttempt]) == len(sc.Attempts)) || (!l.AutoRenew && len(kinds[renewal.StepAttempt]) > 0) {
			t.Fatalf("attempts %v with auto-renew %v", kinds[renewal.StepAttempt], l.AutoRenew)
		}
		if l.AutoRenew && kinds[renewal.StepAttempt][0].Days != -renewal.FirstAttemptDays {
			t.Fatalf("first attempt at %d days", kinds[renewal.StepAttempt][0].Days)
		}
		for _, r := range kinds[renewal.StepReminder] {
			if !r.Date.Before(due) {
				t.Fatalf("reminder on or after the due date: %v", r)
			}
		}
		b, term := kinds[renewal.StepBlock], kinds[renewal.StepTerminate]
		if len(b) != 1 || len(term) != 1 || !due.Before(b[0].Date) || !b[0].Date.Before(term[0].Date) {
			t.Fatalf("block %v, terminate %v", b, term)
		}
		if n := kinds[renewal.StepBlockNotice]; len(n) != 1 || !n[0].Date.Before(b[0].Date) {
			t.Fatalf("block notice %v", n)
		}
		if n := kinds[renewal.StepTerminateNotice]; len(n) > 1 || (len(n) == 1 && (!n[0].Date.Before(term[0].Date) || !b[0].Date.Before(n[0].Date))) {
			t.Fatalf("termination notice %v", n)
		}
	})
}

// REN-6: renewing moves the due date by calendar months: the same day, or
// the month's last day when it has fewer days; never across a month; and
// a renewal for n months then m months lands where n+m would, or earlier
// by the days a short month clamped.
func TestREN6_DueDateMovesByCalendarMonths(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		due := swGenDate(t, "due")
		months := rapid.SampledFrom([]int{1, 3, 6, 12, 24, 36, 60, 120}).Draw(t, "months")
		next := due.AddMonths(months)
		wantMonth := (int(due.Month)-1+months)%12 + 1
		wantYear := due.Year + (int(due.Month)-1+months)/12
		if int(next.Month) != wantMonth || next.Year != wantYear {
			t.Fatalf("%s + %d months = %s", due, months, next)
		}
		if want := min(due.Day, calendar.DaysIn(next.Year, next.Month)); next.Day != want {
			t.Fatalf("%s + %d months = %s, want day %d", due, months, next, want)
		}
		again := next.AddMonths(1)
		if direct := due.AddMonths(months + 1); again.After(direct) {
			t.Fatalf("renewing twice (%s) passes renewing once (%s)", again, direct)
		}
	})
}

// REN-6 across daylight saving: due dates are calendar days in the
// operator's zone (Europe/Zurich). On the days clocks change (last Sunday
// of March, 23 hours; of October, 25 hours) every instant of the local day
// is that day, so a sweep at any hour sees the same steps due, and the
// instant before the local midnight is still the day before.
func TestREN6_TodayIsTheLocalDayAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		year := rapid.IntRange(2024, 2040).Draw(t, "year")
		month := rapid.SampledFrom([]time.Month{time.March, time.October}).Draw(t, "month")
		last := time.Date(year, month, 31, 12, 0, 0, 0, swZurich)
		for last.Weekday() != time.Sunday {
			last = last.AddDate(0, 0, -1)
		}
		day := calendar.Of(last).AddDays(rapid.IntRange(-1, 1).Draw(t, "offset"))
		start, end := day.Start(swZurich), day.AddDays(1).Start(swZurich)
		if h := end.Sub(start).Hours(); day == calendar.Of(last) && h == 24 {
			t.Fatalf("%s should not last 24 hours in Zurich", day)
		}
		at := start.Add(time.Duration(rapid.Int64Range(0, int64(end.Sub(start))-1).Draw(t, "at")))
		if got := calendar.Today(at.UTC(), swZurich); got != day {
			t.Fatalf("Today(%s) = %s, want %s", at.UTC(), got, day)
		}
		if got := calendar.Today(start.Add(-time.Nanosecond).UTC(), swZurich); got != day.AddDays(-1) {
			t.Fatalf("the instant before %s's midnight is %s", day, got)
		}
		l := renewal.Lifecycle{Due: day.AddDays(14), AutoRenew: true, BlockAfterDays: 1, TerminateAfterDays: 30}
		first := renewal.DefaultSchedule().Steps(l)
		if first[0].Date != day.AddDays(14-60) {
			t.Fatalf("steps depend on the hour: %v", first[0])
		}
	})
}
