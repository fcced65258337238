package app

import (
	"github.com/alpage/alpage/internal/idempotency"
	"github.com/alpage/alpage/internal/ratelimit"
	"github.com/alpage/alpage/internal/throttle"
)

// addSweeps registers the housekeeping sweeps of the HTTP platform and of
// sign-in throttling.
func (a *App) addSweeps() {
	a.Queue.AddSweep(idempotency.Sweep(a.DB))
	a.Queue.AddSweep(ratelimit.Sweep(a.DB))
	a.Queue.AddSweep(throttle.Sweep(a.DB))
}
