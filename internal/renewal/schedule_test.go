package renewal

import (
	"errors"
	"slices"
	"testing"
)

// REN-3, REN-5, BIL-8: the operator sets the days of reminders and
// attempts; the first attempt stays at 14 days before the due date.
func TestREN5_OperatorScheduleIsValidated(t *testing.T) {
	sc, err := NewSchedule([]int{30, 7, 30}, []int{0, 14, 5})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sc.Reminders, []int{30, 7}) || !slices.Equal(sc.Attempts, []int{14, 5, 0}) || sc.NoticeDays != DefaultSchedule().NoticeDays {
		t.Fatalf("schedule %+v", sc)
	}
	for _, bad := range []struct{ reminders, attempts []int }{
		{[]int{60}, []int{10, 0}},  // no attempt at 14 days
		{[]int{60}, []int{15, 14}}, // an attempt before 14 days
		{[]int{0}, []int{14}},      // a reminder on the due date
		{[]int{400}, []int{14}},    // a reminder more than a year ahead
		{[]int{60}, []int{14, -1}}, // an attempt after the due date
		{[]int{60}, nil},           // no attempt at all
	} {
		if _, err := NewSchedule(bad.reminders, bad.attempts); !errors.Is(err, ErrScheduleInvalid) {
			t.Errorf("NewSchedule(%v, %v) = %v, want ErrScheduleInvalid", bad.reminders, bad.attempts, err)
		}
	}
	if _, err := NewSchedule(nil, []int{14}); err != nil {
		t.Errorf("no reminders at all is the operator's choice: %v", err)
	}
}
