// Package calendar holds calendar dates, as due dates are (SPEC REN-6):
// a day in the operator's time zone, without a time of day, so that daylight
// saving never moves one. A period is added in calendar terms: one month
// after 31 January is the last day of February.
package calendar

import (
	"fmt"
	"time"
)

// Date is a calendar day. The zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Parse reads "YYYY-MM-DD".
func Parse(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: %q is not a date (YYYY-MM-DD)", s)
	}
	return Of(t), nil
}

// Of is the calendar day of t in t's location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Today is the day it is now in loc.
func Today(now time.Time, loc *time.Location) Date {
	return Of(now.In(loc))
}

// String writes "YYYY-MM-DD"; "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// IsZero reports whether d is "no date".
func (d Date) IsZero() bool { return d == Date{} }

// Start is the first instant of d in loc (midnight, or the first instant
// after a daylight-saving gap).
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays is the day n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date {
	return Of(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// AddMonths is the same day n months later; when that month is shorter,
// its last day (31 January + 1 month = 28 or 29 February).
func (d Date) AddMonths(n int) Date {
	total := int(d.Month) - 1 + n
	y := d.Year + floorDiv(total, 12)
	m := time.Month(total - 12*floorDiv(total, 12) + 1)
	day := min(d.Day, DaysIn(y, m))
	return Date{y, m, day}
}

// DaysIn is the number of days of month m of year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare is -1, 0 or +1 as d is before, on or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return sign(d.Year - e.Year)
	case d.Month != e.Month:
		return sign(int(d.Month) - int(e.Month))
	default:
		return sign(d.Day - e.Day)
	}
}

// DaysUntil is the number of days from d to e (negative when e is before d).
func (d Date) DaysUntil(e Date) int {
	a := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	b := time.Date(e.Year, e.Month, e.Day, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
