// Package clock is the only place in alpage that reads the wall clock.
//
// Domain code receives a Clock and asks it for the time, so that time rules
// (14 days before a due date, 72 hours, 7 days…) can be tested and, in test
// mode, shown end to end by moving an Offset clock forward.
package clock

import (
	"sync/atomic"
	"time"
)

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// System is the real clock, in UTC.
type System struct{}

// Now returns the wall-clock time in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Offset is the wall clock moved forward by an offset. It is the test clock of
// `alpage serve --dev`: the offset is persisted by the caller (the store keeps
// it in the database) so that the CLI and a restarted server agree on the time.
type Offset struct {
	offset atomic.Int64 // nanoseconds
}

// NewOffset returns a clock that runs d ahead of the wall clock.
func NewOffset(d time.Duration) *Offset {
	c := &Offset{}
	c.offset.Store(int64(d))
	return c
}

// Now returns the wall-clock time plus the offset, in UTC.
func (c *Offset) Now() time.Time {
	return time.Now().UTC().Add(time.Duration(c.offset.Load()))
}

// Offset returns how far the clock runs ahead of the wall clock.
func (c *Offset) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Set replaces the offset.
func (c *Offset) Set(d time.Duration) { c.offset.Store(int64(d)) }

// Fixed is a clock that stands still until moved; for unit tests.
type Fixed struct {
	t atomic.Int64
}

// NewFixed returns a clock stopped at t.
func NewFixed(t time.Time) *Fixed {
	c := &Fixed{}
	c.t.Store(t.UTC().UnixNano())
	return c
}

// Now returns the stopped time.
func (c *Fixed) Now() time.Time { return time.Unix(0, c.t.Load()).UTC() }

// Advance moves the clock forward by d.
func (c *Fixed) Advance(d time.Duration) { c.t.Add(int64(d)) }

// Stopwatch starts measuring a wall-clock duration (a request's latency, a
// job's run time) and returns the function that reads it. Durations are
// never measured on the test clock.
func Stopwatch() func() time.Duration {
	start := time.Now()
	return func() time.Duration { return time.Since(start) }
}
