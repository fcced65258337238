package clock

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	good := map[string]time.Duration{
		"15d": 15 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "36h": 36 * time.Hour,
		"90m": 90 * time.Minute, "1h30m": 90 * time.Minute,
	}
	for in, want := range good {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-1d", "0d", "abc", "1y", "-5m"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

func TestOffsetRunsAhead(t *testing.T) {
	t.Parallel()
	c := NewOffset(48 * time.Hour)
	if d := c.Now().Sub(time.Now()); d < 47*time.Hour || d > 49*time.Hour {
		t.Fatalf("offset clock is %v ahead, want about 48h", d)
	}
	c.Set(0)
	if c.Offset() != 0 {
		t.Fatal("Set(0) did not reset the offset")
	}
}

func TestFixedAdvance(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)
	c := NewFixed(start)
	c.Advance(15 * 24 * time.Hour)
	if got := c.Now(); !got.Equal(start.AddDate(0, 0, 15)) {
		t.Fatalf("Now() = %v", got)
	}
}

func TestStopwatchMeasuresWallTime(t *testing.T) {
	t.Parallel()
	elapsed := Stopwatch()
	if d := elapsed(); d < 0 || d > time.Minute {
		t.Fatalf("Stopwatch read %v right after starting", d)
	}
}
