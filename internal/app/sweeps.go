package app

import (
	"github.com/alpage/alpage/internal/idempotency"
	"github.com/alpage/alpage/internal/ratelimit"
)

// addSweeps registers the housekeeping sweeps of the HTTP platform.
func (a *App) addSweeps() {
	a.Queue.AddSweep(idempotency.Sweep(a.DB))
	a.Queue.AddSweep(ratelimit.Sweep(a.DB))
}
