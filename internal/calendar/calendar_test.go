package calendar_test

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/alpage/alpage/internal/calendar"
)

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// REN-6: a product due on 31 January renewed for one month is due on the
// last day of February.
func TestREN6_AddMonthsKeepsTheDayOrTakesTheMonthsLast(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-01-31", 2, "2026-03-31"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-01-15", 1, "2026-02-15"},
		{"2026-12-31", 1, "2027-01-31"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-02-29", 48, "2028-02-29"},
		{"2026-11-22", 120, "2036-11-22"},
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-01-10", -13, "2024-12-10"},
	} {
		if got := date(t, tc.from).AddMonths(tc.months).String(); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}

// Due dates are days in the operator's zone: the change to and from summer
// time moves none of them.
func TestREN6_TodayAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		utc  string
		want string
	}{
		{"2026-03-28T22:59:59Z", "2026-03-28"}, // 23:59:59 CET
		{"2026-03-28T23:00:00Z", "2026-03-29"}, // midnight CET, the night clocks go forward
		{"2026-03-29T21:59:59Z", "2026-03-29"}, // 23:59:59 CEST
		{"2026-03-29T22:00:00Z", "2026-03-30"},
		{"2026-10-24T22:00:00Z", "2026-10-25"}, // midnight CEST, the night clocks go back
		{"2026-10-25T22:59:59Z", "2026-10-25"}, // 23:59:59 CET: that day had 25 hours
		{"2026-10-25T23:00:00Z", "2026-10-26"},
	} {
		now, _ := time.Parse(time.RFC3339, tc.utc)
		if got := calendar.Today(now, zurich).String(); got != tc.want {
			t.Errorf("Today(%s) in Zurich = %s, want %s", tc.utc, got, tc.want)
		}
	}
	d := date(t, "2026-03-29")
	if got := d.Start(zurich).UTC().Format(time.RFC3339); got != "2026-03-28T23:00:00Z" {
		t.Errorf("start of 29 March in Zurich = %s", got)
	}
	if got := d.AddDays(1).Start(zurich).Sub(d.Start(zurich)); got != 23*time.Hour {
		t.Errorf("29 March lasts %v in Zurich, want 23h", got)
	}
}

func TestParseRefusesWhatIsNotADate(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "2026-02-30", "2026-2-3", "22.11.2026", "2026-11-22T00:00:00Z"} {
		if _, err := calendar.Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func genDate(t *rapid.T, label string) calendar.Date {
	y := rapid.IntRange(1990, 2200).Draw(t, label+"_year")
	m := time.Month(rapid.IntRange(1, 12).Draw(t, label+"_month"))
	d := rapid.IntRange(1, calendar.DaysIn(y, m)).Draw(t, label+"_day")
	return calendar.Date{Year: y, Month: m, Day: d}
}

// Properties of adding months, whatever the date: the result is a real
// day, in the right month, never later than the same day number, and
// months add up when no month end is crossed.
func TestREN6_AddMonthsProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		d := genDate(t, "d")
		n := rapid.IntRange(-240, 240).Draw(t, "n")
		got := d.AddMonths(n)
		if _, err := calendar.Parse(got.String()); err != nil {
			t.Fatalf("%s + %d months = %v, not a day", d, n, got)
		}
		if months := (got.Year-d.Year)*12 + int(got.Month) - int(d.Month); months != n {
			t.Fatalf("%s + %d months = %s: %d months apart", d, n, got, months)
		}
		if got.Day > d.Day || (got.Day < d.Day && got.Day != calendar.DaysIn(got.Year, got.Month)) {
			t.Fatalf("%s + %d months = %s: the day moved without reaching the month's end", d, n, got)
		}
		if d.Day <= 28 {
			m := rapid.IntRange(-120, 120).Draw(t, "m")
			if a, b := d.AddMonths(n).AddMonths(m), d.AddMonths(n+m); a != b {
				t.Fatalf("%s: +%d+%d = %s, +%d = %s", d, n, m, a, n+m, b)
			}
		}
	})
}

// Days and comparisons agree with each other.
func TestDaysProperties(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		d := genDate(t, "d")
		n := rapid.IntRange(-5000, 5000).Draw(t, "n")
		e := d.AddDays(n)
		if got := d.DaysUntil(e); got != n {
			t.Fatalf("%s to %s = %d days, want %d", d, e, got, n)
		}
		if (n > 0) != d.Before(e) || (n < 0) != d.After(e) || (n == 0) != (d.Compare(e) == 0) {
			t.Fatalf("%s vs %s (%d days): Before %v After %v", d, e, n, d.Before(e), d.After(e))
		}
	})
}
