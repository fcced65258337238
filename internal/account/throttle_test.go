package account_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil/pgtest"
	"github.com/alpage/alpage/internal/throttle"
)

// throttleEngines runs fn on a fresh bundle of each engine.
func throttleEngines(t *testing.T, fn func(t *testing.T, b *bundle)) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := ""
			if e == store.Postgres {
				url = pgtest.URL(t)
			}
			db, err := store.Open(ctx, t.TempDir(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			fn(t, newBundle(t, db))
		})
	}
}

const rightPassword = "correct horse battery"

// outcome is what a sign-in attempt answered: "ok", "invalid" or
// "refused <seconds>".
func attempt(t *testing.T, b *bundle, email, password string) string {
	t.Helper()
	_, err := b.accounts.Authenticate(context.Background(), email, password, audit.Meta{IP: "203.0.113.7"})
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, account.ErrInvalidCredentials):
		return "invalid"
	}
	ref := throttle.AsRefusal(err)
	if ref == nil {
		t.Fatalf("Authenticate(%s): %v", email, err)
	}
	if e := apperr.As(err); e.Code != "too_many_attempts" || e.Status != http.StatusTooManyRequests {
		t.Fatalf("refusal %v, want too_many_attempts 429", err)
	}
	return "refused " + ref.RetryAfter.String()
}

func countAudit(t *testing.T, b *bundle, userID, action string) int {
	t.Helper()
	var n int
	if err := b.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_events
		WHERE subject_user_id = $1 AND action = $2`, userID, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func lockMails(t *testing.T, b *bundle, email string) int {
	t.Helper()
	msgs, err := b.notifier.List(context.Background(), email, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Template == "security_account_locked" {
			n++
		}
	}
	return n
}

func TestSEC_ThrottleRefusesInsideTheDelayWithoutCheckingThePassword(t *testing.T) {
	t.Parallel()
	throttleEngines(t, func(t *testing.T, b *bundle) {
		u := signUp(t, b, "ada@example.ch", true)
		for i := 1; i <= throttle.FreeFailures; i++ {
			if got := attempt(t, b, u.Email, "wrong password 1"); got != "invalid" {
				t.Fatalf("wrong password %d: %s, want invalid", i, got)
			}
		}
		// Inside the 1 s delay: refused, even with the right password, and
		// a wrong one is not even counted.
		if got := attempt(t, b, u.Email, rightPassword); got != "refused 1s" {
			t.Fatalf("right password inside the delay: %s", got)
		}
		if got := attempt(t, b, u.Email, "wrong password 2"); got != "refused 1s" {
			t.Fatalf("wrong password inside the delay: %s", got)
		}
		if n := countAudit(t, b, u.ID, "session.signin_failed"); n != throttle.FreeFailures {
			t.Fatalf("%d failures recorded, want %d (refused attempts are not checked)", n, throttle.FreeFailures)
		}
		b.clock.Advance(time.Second)
		if got := attempt(t, b, u.Email, rightPassword); got != "ok" {
			t.Fatalf("right password after the delay: %s", got)
		}
	})
}

func TestSEC_ThrottleLocksAfterTenFailuresAndMailsOnce(t *testing.T) {
	t.Parallel()
	throttleEngines(t, func(t *testing.T, b *bundle) {
		u := signUp(t, b, "ada@example.ch", true)
		for n := 1; n <= throttle.LockFailures; n++ {
			if got := attempt(t, b, u.Email, "wrong password"); got != "invalid" {
				t.Fatalf("wrong password %d: %s, want invalid", n, got)
			}
			b.clock.Advance(throttle.Delay(n))
		}
		if got := attempt(t, b, u.Email, rightPassword); got != "refused 14m28s" {
			// 15 min from the 10th failure, less the Delay(10) = 32 s already waited.
			t.Fatalf("right password while locked: %s", got)
		}
		b.clock.Advance(10 * time.Minute)
		if got := attempt(t, b, u.Email, rightPassword); got != "refused 4m28s" {
			t.Fatalf("10 minutes later: %s", got)
		}
		if n := lockMails(t, b, u.Email); n != 1 {
			t.Fatalf("%d lockout e-mails, want 1", n)
		}
		if n := countAudit(t, b, u.ID, "security.account_locked"); n != 1 {
			t.Fatalf("%d security.account_locked events, want 1", n)
		}
		b.clock.Advance(4*time.Minute + 28*time.Second)
		if got := attempt(t, b, u.Email, rightPassword); got != "ok" {
			t.Fatalf("after 15 minutes: %s, want ok", got)
		}
		if n := lockMails(t, b, u.Email); n != 1 {
			t.Fatalf("%d lockout e-mails in the end, want 1", n)
		}
	})
}

func TestABUSE_UnknownEmailAnswersAlike(t *testing.T) {
	t.Parallel()
	throttleEngines(t, func(t *testing.T, b *bundle) {
		u := signUp(t, b, "ada@example.ch", true)
		var known, unknown []string
		for n := 1; n <= throttle.LockFailures+1; n++ {
			known = append(known, attempt(t, b, u.Email, "wrong password"))
			unknown = append(unknown, attempt(t, b, "nobody@example.ch", "wrong password"))
			b.clock.Advance(throttle.Delay(n) / 2)
			known = append(known, attempt(t, b, u.Email, "wrong password"))
			unknown = append(unknown, attempt(t, b, "nobody@example.ch", "wrong password"))
			b.clock.Advance(throttle.Delay(n))
		}
		for i := range known {
			if known[i] != unknown[i] {
				t.Fatalf("attempt %d: existing account %q, unknown e-mail %q\nknown:   %v\nunknown: %v",
					i+1, known[i], unknown[i], known, unknown)
			}
		}
		if known[len(known)-1] == "invalid" {
			t.Fatalf("never throttled: %v", known)
		}
	})
}

func TestSEC_ThrottleCompletedSignInResets(t *testing.T) {
	t.Parallel()
	throttleEngines(t, func(t *testing.T, b *bundle) {
		u := signUp(t, b, "ada@example.ch", true)
		for range throttle.FreeFailures + 2 {
			attempt(t, b, u.Email, "wrong password")
			b.clock.Advance(time.Minute)
		}
		// A right password alone does not clear (a second step may follow).
		if got := attempt(t, b, u.Email, rightPassword); got != "ok" {
			t.Fatalf("right password: %s", got)
		}
		attempt(t, b, u.Email, "wrong password")
		if got := attempt(t, b, u.Email, rightPassword); got == "ok" {
			t.Fatal("8 failures and a right password without completed sign-in: not throttled")
		}
		if err := b.accounts.SignInCompleted(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < throttle.FreeFailures; i++ {
			if got := attempt(t, b, u.Email, "wrong password"); got != "invalid" {
				t.Fatalf("failure %d after the reset: %s", i, got)
			}
		}
	})
}

func TestSEC_ThrottleSecondFactorFailuresCount(t *testing.T) {
	t.Parallel()
	throttleEngines(t, func(t *testing.T, b *bundle) {
		u := signUp(t, b, "ada@example.ch", true)
		meta := audit.Meta{IP: "203.0.113.7"}
		for n := 1; n <= throttle.LockFailures; n++ {
			if err := b.accounts.CheckSignInThrottle(context.Background(), u.Email, meta); err != nil {
				t.Fatalf("before wrong code %d: %v", n, err)
			}
			if err := b.accounts.RecordFailedSecondFactor(context.Background(), u, meta); err != nil {
				t.Fatal(err)
			}
			b.clock.Advance(throttle.Delay(n))
		}
		err := b.accounts.CheckSignInThrottle(context.Background(), u.Email, meta)
		if !errors.Is(err, throttle.ErrTooManyAttempts) {
			t.Fatalf("after 10 wrong codes: %v, want too_many_attempts", err)
		}
		if got := attempt(t, b, u.Email, rightPassword); got == "ok" {
			t.Fatal("password accepted on a locked account")
		}
		if n := lockMails(t, b, u.Email); n != 1 {
			t.Fatalf("%d lockout e-mails, want 1", n)
		}
		if n := countAudit(t, b, u.ID, "session.signin_failed"); n != 0 {
			t.Fatalf("wrong codes recorded as %d wrong passwords", n)
		}
	})
}
