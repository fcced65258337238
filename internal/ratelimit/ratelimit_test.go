package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/ratelimit"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestAPI3_RollingWindow(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		l := ratelimit.New(db, clk)
		for i := 1; i <= 3; i++ {
			r, err := l.Allow(ctx, "token:a", 3)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Allowed || r.Remaining != 3-i || r.Limit != 3 {
				t.Fatalf("request %d: got %+v, want allowed with %d remaining", i, r, 3-i)
			}
			if r.ResetSeconds() != 60-(i-1)*10 {
				t.Fatalf("request %d: reset %d s, want %d", i, r.ResetSeconds(), 60-(i-1)*10)
			}
			clk.Advance(10 * time.Second)
		}
		// Now 30 s after the first hit: refused, and the oldest hit leaves in 30 s.
		r, err := l.Allow(ctx, "token:a", 3)
		if err != nil {
			t.Fatal(err)
		}
		if r.Allowed || r.Remaining != 0 || r.ResetSeconds() != 30 {
			t.Fatalf("4th request: got %+v (reset %d s), want refused, reset 30 s", r, r.ResetSeconds())
		}
		// Another bucket is independent.
		if r, err := l.Allow(ctx, "token:b", 3); err != nil || !r.Allowed {
			t.Fatalf("other bucket: %+v, %v", r, err)
		}
		// When the first hit leaves the window, one request is allowed again.
		clk.Advance(30 * time.Second)
		r, err = l.Allow(ctx, "token:a", 3)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Allowed || r.Remaining != 0 {
			t.Fatalf("after 60 s: got %+v, want allowed with 0 remaining", r)
		}
		// The sweep removes expired hits of every bucket.
		clk.Advance(2 * time.Minute)
		if err := ratelimit.Sweep(db).Run(ctx, clk.Now()); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_limit_hits`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("after sweep: %d hits left, want 0", n)
		}
	})
}

// Concurrent requests (as from several instances) never exceed the limit.
func TestAPI3_SharedCountUnderConcurrency(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		limiters := []*ratelimit.Limiter{ratelimit.New(db, clk), ratelimit.New(db, clk)}
		var mu sync.Mutex
		allowed := 0
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := limiters[i%2].Allow(ctx, "token:c", 10)
				if err != nil {
					t.Errorf("allow: %v", err)
					return
				}
				if r.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if allowed != 10 {
			t.Fatalf("%d requests allowed, want exactly 10", allowed)
		}
	})
}
