package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/throttle"
)

// wrongPasswords posts n wrong passwords for email and expects each refused
// as wrong credentials.
func (br *browser) wrongPasswords(email string, n int) {
	br.t.Helper()
	for i := range n {
		r := br.post("/signin", url.Values{"email": {email}, "password": {"not the password"}})
		if r.status != http.StatusUnauthorized {
			br.t.Fatalf("wrong password %d for %s: status %d, want 401", i+1, email, r.status)
		}
	}
}

func TestSEC_ThrottleConsoleAnswers429AlikeForEveryAddress(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	br := b.browser()
	var bodies []string
	for _, email := range []string{u.Email, "nobody@example.ch"} {
		br.wrongPasswords(email, throttle.FreeFailures)
		// Inside the delay even the right password is refused.
		r := br.post("/signin", url.Values{"email": {email}, "password": {testPassword}})
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
			t.Fatalf("%s inside the delay: status %d, Retry-After %q, want 429 and 1", email, r.status,
				r.header.Get("Retry-After"))
		}
		mustContain(t, r.body, "Too many attempts: try again in 1 min.", `value="`+email+`"`)
		if br.cookie(sessionCookie) != "" {
			t.Fatal("a session was opened while throttled")
		}
		bodies = append(bodies, strings.ReplaceAll(r.body, email, "EMAIL"))
	}
	if bodies[0] != bodies[1] {
		t.Error("the refusal differs between an existing account and an unknown e-mail")
	}
	b.clock.Advance(time.Second)
	br.signIn(u.Email)
}

func TestSEC_ThrottleMessageIsTranslated(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.browser()
	br.lang = "fr"
	br.wrongPasswords("nobody@example.ch", throttle.FreeFailures)
	r := br.post("/signin", url.Values{"email": {"nobody@example.ch"}, "password": {"x"}})
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", r.status)
	}
	mustContain(t, r.body, "Trop de tentatives : réessayez dans 1 min.")
}

func TestSEC_ThrottleCountsWrongSecondFactorCodes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	secret, _ := b.enableTOTP(u)
	br := b.browser()
	br.wrongPasswords(u.Email, 1)
	br.password(u.Email, "")
	for i := range throttle.FreeFailures - 1 {
		r := br.post("/signin/second-factor", url.Values{"code": {"000000"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: status %d, want 422", i+1, r.status)
		}
	}
	// One wrong password and four wrong codes: the right code waits too.
	r := br.post("/signin/second-factor", url.Values{"code": {b.code(secret)}})
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
		t.Fatalf("right code inside the delay: status %d, Retry-After %q, want 429 and 1", r.status,
			r.header.Get("Retry-After"))
	}
	mustContain(t, r.body, "Too many attempts: try again in 1 min.")
	b.clock.Advance(time.Second)
	r = br.post("/signin/second-factor", url.Values{"code": {b.code(secret)}})
	if r.status != http.StatusSeeOther || br.cookie(sessionCookie) == "" {
		t.Fatalf("right code after the delay: status %d %q, want a session", r.status, r.location)
	}
	// The completed sign-in cleared the failures: five new wrong passwords
	// are free again.
	other := b.browser()
	other.wrongPasswords(u.Email, throttle.FreeFailures)
}
