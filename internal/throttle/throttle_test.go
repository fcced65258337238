package throttle_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/testutil/pgtest"
	"github.com/alpage/alpage/internal/throttle"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fail records one failure and returns whether it locked the account.
func fail(t *testing.T, db *store.DB, th *throttle.Throttle, email, ip string) bool {
	t.Helper()
	var locked bool
	err := db.WithTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		locked, err = th.Failed(context.Background(), tx, email, ip)
		return err
	})
	if err != nil {
		t.Fatalf("Failed: %v", err)
	}
	return locked
}

// wait is the refusal's wait, 0 when the attempt is allowed.
func wait(t *testing.T, db *store.DB, th *throttle.Throttle, email, ip string) time.Duration {
	t.Helper()
	err := th.Check(context.Background(), db, email, ip)
	if err == nil {
		return 0
	}
	ref := throttle.AsRefusal(err)
	if ref == nil {
		t.Fatalf("Check: %v, want nil or a refusal", err)
	}
	if e := apperr.As(err); e == nil || e.Code != "too_many_attempts" || e.Status != http.StatusTooManyRequests {
		t.Fatalf("refusal %v is not too_many_attempts 429", err)
	}
	return ref.RetryAfter
}

func TestSEC_ThrottleDelayDoublesUpTo60Seconds(t *testing.T) {
	t.Parallel()
	want := map[int]time.Duration{0: 0, 1: 0, 4: 0, 5: time.Second, 6: 2 * time.Second, 7: 4 * time.Second,
		8: 8 * time.Second, 9: 16 * time.Second, 10: 32 * time.Second, 11: time.Minute, 12: time.Minute, 40: time.Minute}
	for n, d := range want {
		if got := throttle.Delay(n); got != d {
			t.Errorf("Delay(%d) = %v, want %v", n, got, d)
		}
	}
}

func TestSEC_ThrottleCurve(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		th := throttle.New(db.Engine, clk)
		const email, ip = "ada@example.ch", "203.0.113.7"
		for i := 1; i <= throttle.FreeFailures; i++ {
			if w := wait(t, db, th, email, ip); w != 0 {
				t.Fatalf("attempt %d refused for %v, want the first %d free", i, w, throttle.FreeFailures)
			}
			if fail(t, db, th, email, ip) {
				t.Fatalf("failure %d locked the account", i)
			}
			clk.Advance(10 * time.Second)
		}
		// 10 s after the 5th failure, the 1 s delay has passed.
		if w := wait(t, db, th, email, ip); w != 0 {
			t.Fatalf("10 s after the 5th failure: refused for %v", w)
		}
		for n, d := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second} {
			if fail(t, db, th, email, ip) {
				t.Fatalf("failure %d locked the account", n+6)
			}
			if w := wait(t, db, th, email, ip); w != d {
				t.Fatalf("right after failure %d: wait %v, want %v", n+6, w, d)
			}
			clk.Advance(d - time.Second)
			if w := wait(t, db, th, email, ip); w != time.Second {
				t.Fatalf("1 s before the end of the delay after failure %d: wait %v, want 1s", n+6, w)
			}
			clk.Advance(time.Second)
			if w := wait(t, db, th, email, ip); w != 0 {
				t.Fatalf("after the delay of failure %d: still refused for %v", n+6, w)
			}
		}
		// The 10th failure locks the account, once, for 15 minutes.
		if !fail(t, db, th, email, ip) {
			t.Fatal("the 10th failure did not lock the account")
		}
		if w := wait(t, db, th, email, ip); w != throttle.LockDuration {
			t.Fatalf("locked: wait %v, want %v", w, throttle.LockDuration)
		}
		err := th.Check(context.Background(), db, email, ip)
		if e := apperr.As(err); e == nil || e.Message != "Too many attempts: wait 15 minutes and try again." {
			t.Fatalf("message of the lockout: %v", err)
		}
		// Another account from the same address is not concerned.
		if w := wait(t, db, th, "bob@example.ch", ip); w != 0 {
			t.Fatalf("another account refused for %v", w)
		}
		clk.Advance(throttle.LockDuration - time.Minute)
		if w := wait(t, db, th, email, ip); w != time.Minute {
			t.Fatalf("a minute before unlock: wait %v", w)
		}
		clk.Advance(time.Minute)
		if w := wait(t, db, th, email, ip); w != 0 {
			t.Fatalf("after 15 minutes: still refused for %v", w)
		}
		// The old failures left the window: the next one is free again.
		if fail(t, db, th, email, ip) {
			t.Fatal("first failure after unlock locked again")
		}
		if w := wait(t, db, th, email, ip); w != 0 {
			t.Fatalf("first failure after unlock: refused for %v", w)
		}
	})
}

func TestSEC_ThrottleFailuresLeaveTheWindow(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		th := throttle.New(db.Engine, clk)
		for range 4 {
			fail(t, db, th, "ada@example.ch", "")
		}
		clk.Advance(throttle.Window)
		fail(t, db, th, "ada@example.ch", "")
		if w := wait(t, db, th, "ada@example.ch", ""); w != 0 {
			t.Fatalf("4 old failures and 1 new: refused for %v", w)
		}
	})
}

func TestSEC_ThrottleResetClearsTheAccount(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		th := throttle.New(db.Engine, clk)
		for range throttle.LockFailures {
			fail(t, db, th, "ada@example.ch", "")
		}
		if w := wait(t, db, th, "ada@example.ch", ""); w == 0 {
			t.Fatal("10 failures: not refused")
		}
		if err := th.Reset(context.Background(), db, "ada@example.ch"); err != nil {
			t.Fatal(err)
		}
		fail(t, db, th, "ada@example.ch", "")
		if w := wait(t, db, th, "ada@example.ch", ""); w != 0 {
			t.Fatalf("after reset and one failure: refused for %v", w)
		}
	})
}

func TestABUSE_ThrottlePerAddress(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		clk := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		th := throttle.New(db.Engine, clk)
		const ip = "198.51.100.9"
		// Spraying: one failure on each of 50 accounts from one address.
		for i := range throttle.IPLockFailures {
			email := fmt.Sprintf("user%d@example.ch", i)
			if w := wait(t, db, th, email, ip); w != 0 {
				t.Fatalf("attempt %d refused for %v", i+1, w)
			}
			if fail(t, db, th, email, ip) {
				t.Fatalf("failure %d locked an account", i+1)
			}
			clk.Advance(time.Second)
		}
		if w := wait(t, db, th, "fresh@example.ch", ip); w != throttle.IPLockDuration-time.Second {
			t.Fatalf("after 50 failures from the address: wait %v, want %v", w, throttle.IPLockDuration)
		}
		if w := wait(t, db, th, "fresh@example.ch", "192.0.2.1"); w != 0 {
			t.Fatalf("another address refused for %v", w)
		}
		clk.Advance(throttle.IPLockDuration - time.Second)
		if w := wait(t, db, th, "fresh@example.ch", ip); w != 0 {
			t.Fatalf("after 15 minutes: address still refused for %v", w)
		}
	})
}

func TestSEC_ThrottleRefusalIsGeneric(t *testing.T) {
	t.Parallel()
	db := testutil.OpenDB(t, store.SQLite)
	clk := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	th := throttle.New(db.Engine, clk)
	for range throttle.FreeFailures {
		fail(t, db, th, "ada@example.ch", "")
	}
	err := th.Check(context.Background(), db, "ada@example.ch", "")
	if !errors.Is(err, throttle.ErrTooManyAttempts) {
		t.Fatalf("Check: %v, want ErrTooManyAttempts", err)
	}
	ref := throttle.AsRefusal(err)
	if ref.Seconds() != 1 || ref.Minutes() != 1 {
		t.Fatalf("wait %d s / %d min, want 1 and 1", ref.Seconds(), ref.Minutes())
	}
}
