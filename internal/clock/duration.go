package clock

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads durations as people write them in test-clock requests:
// "15d", "36h", "90m", "2w", or any Go duration ("1h30m"). Only forward,
// non-zero durations are accepted.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	unit := s[len(s)-1]
	var d time.Duration
	switch unit {
	case 'd', 'w':
		n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		day := 24 * time.Hour
		if unit == 'w' {
			day *= 7
		}
		if n > int64(100*365) {
			return 0, fmt.Errorf("duration %q is too long", s)
		}
		d = time.Duration(n) * day
	default:
		var err error
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q (use e.g. 15d, 36h, 90m)", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration %q must be positive", s)
	}
	return d, nil
}
