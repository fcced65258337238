// Package renewal applies the renewal and lifecycle rules (SPEC REN-1..6,
// BIL-7, BIL-8): reminders before a due date, automatic charges from 14 days
// before it, retries, blocking and termination of what stays unpaid. What
// happens when is decided in one place, Schedule.Steps: the sweep acts on
// the steps due as of today, the product timeline and the operator's
// forecast show the steps to come.
package renewal

import (
	"errors"
	"fmt"
	"slices"

	"github.com/alpage/alpage/internal/calendar"
)

// Step kinds, in the order they happen on one day.
const (
	StepReminder        = "reminder"         // BIL-8: a renewal notice N days before the due date
	StepAttempt         = "attempt"          // REN-3, REN-5: an automatic charge (auto-renew on)
	StepBlockNotice     = "block_notice"     // BIL-7: announces the block
	StepBlock           = "block"            // BIL-7: unpaid after the grace period
	StepTerminateNotice = "terminate_notice" // BIL-7: announces the termination
	StepTerminate       = "terminate"        // BIL-7: unpaid until the end
)

// Schedule is when things happen around a due date, in days relative to
// it (negative before). Defaults: DefaultSchedule.
type Schedule struct {
	// Reminders are the renewal notices, in days before the due date
	// (60, 30, 14, 1). The one at AnnounceChargeAt days announces the
	// automatic charge when auto-renewal is on.
	Reminders []int
	// Attempts are the automatic charges, in days before the due date
	// (14, 10, 7, 3, 1, 0): the first at 14 days (REN-3), the others retries
	// (REN-5).
	Attempts []int
	// NoticeDays is how many days before a block or a termination the
	// customer is told.
	NoticeDays int
}

// FirstAttemptDays is REN-3 and REN-4: the first automatic charge is 14
// days before the due date, and auto-renewal cannot be switched on later.
const FirstAttemptDays = 14

// DefaultSchedule is the schedule of the issue and the seed.
func DefaultSchedule() Schedule {
	return Schedule{
		Reminders:  []int{60, 30, 14, 1},
		Attempts:   []int{14, 10, 7, 3, 1, 0},
		NoticeDays: 3,
	}
}

// Lifecycle is what the schedule needs to know of a product.
type Lifecycle struct {
	Due       calendar.Date // the current due date
	AutoRenew bool
	// BlockAfterDays and TerminateAfterDays come from the product type in
	// the catalog (catalog.Type).
	BlockAfterDays     int
	TerminateAfterDays int
}

// Step is one thing the schedule does on a date for a product's current
// due date. Days is relative to the due date (negative before).
type Step struct {
	Kind string
	Date calendar.Date
	Days int
}

// Steps lists every step of the current period, in date order: reminders,
// attempts when auto-renewal is on, then notices, block and termination
// (which happen only if the product is still unpaid then). The sweep takes
// those whose date has come; the timeline those still ahead.
func (s Schedule) Steps(l Lifecycle) []Step {
	var out []Step
	add := func(kind string, days int) {
		out = append(out, Step{Kind: kind, Date: l.Due.AddDays(days), Days: days})
	}
	for _, d := range s.Reminders {
		add(StepReminder, -d)
	}
	if l.AutoRenew {
		for _, d := range s.Attempts {
			add(StepAttempt, -d)
		}
	}
	if l.BlockAfterDays > 0 {
		if n := l.BlockAfterDays - s.NoticeDays; s.NoticeDays > 0 {
			add(StepBlockNotice, n)
		}
		add(StepBlock, l.BlockAfterDays)
	}
	if l.TerminateAfterDays > 0 {
		if n := l.TerminateAfterDays - s.NoticeDays; s.NoticeDays > 0 && n > l.BlockAfterDays {
			add(StepTerminateNotice, n)
		}
		add(StepTerminate, l.TerminateAfterDays)
	}
	order := map[string]int{StepReminder: 0, StepAttempt: 1, StepBlockNotice: 2, StepBlock: 3, StepTerminateNotice: 4, StepTerminate: 5}
	slices.SortStableFunc(out, func(a, b Step) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return order[a.Kind] - order[b.Kind]
	})
	return out
}

// CanSwitchOn reports whether auto-renewal may be switched on today for a
// product due on due (REN-4): not less than FirstAttemptDays before it.
func CanSwitchOn(today, due calendar.Date) bool {
	return today.DaysUntil(due) >= FirstAttemptDays
}

// ErrScheduleInvalid refuses an operator's schedule that breaks a rule.
var ErrScheduleInvalid = errors.New("renewal: invalid schedule")

// NewSchedule is the operator's schedule (serve and forecast flags):
// reminders in days before the due date (1 to 365), attempts in days
// before it (0 to 14, the first at 14 days: REN-3, REN-4). Duplicates are
// dropped; the order does not matter.
func NewSchedule(reminders, attempts []int) (Schedule, error) {
	sc := DefaultSchedule()
	clean := func(in []int, lo, hi int, what string) ([]int, error) {
		out := []int{}
		for _, d := range in {
			if d < lo || d > hi {
				return nil, fmt.Errorf("%w: %s must be between %d and %d days before the due date, not %d", ErrScheduleInvalid, what, lo, hi, d)
			}
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
		slices.Sort(out)
		slices.Reverse(out)
		return out, nil
	}
	var err error
	if sc.Reminders, err = clean(reminders, 1, 365, "reminders"); err != nil {
		return Schedule{}, err
	}
	if sc.Attempts, err = clean(attempts, 0, FirstAttemptDays, "attempts"); err != nil {
		return Schedule{}, err
	}
	if len(sc.Attempts) == 0 || sc.Attempts[0] != FirstAttemptDays {
		return Schedule{}, fmt.Errorf("%w: the first automatic attempt is %d days before the due date (REN-3): include %d in the attempts",
			ErrScheduleInvalid, FirstAttemptDays, FirstAttemptDays)
	}
	return sc, nil
}
