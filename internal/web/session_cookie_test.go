package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The session cookie lasts as long as the session on the server (ACC-6),
// counted from the server's clock: a browser whose clock differs from the
// server's (or a server on the test clock) keeps it all the same. The
// fixture's clock is days away from the real time the cookie jar uses.
func TestACC6_SessionCookieLastsAsLongAsTheSessionWhateverTheBrowserClock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.person("lena@muster.ch", "Lena", "Roth", "en")
	br := b.browser()
	r := br.post("/signin", map[string][]string{"email": {"lena@muster.ch"}, "password": {testPassword}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", r.status)
	}
	set := setCookieOf(r, sessionCookie)
	if !strings.Contains(set, "Max-Age=86400") || strings.Contains(set, "Expires=") {
		t.Errorf("session cookie %q: want Max-Age=86400 (24 hours) and no absolute Expires", set)
	}
	if time.Since(b.clock.Now()).Abs() < time.Hour {
		t.Fatal("the fixture's clock should differ from the real time for this test to mean something")
	}
	if got := br.get("/profile/security"); got.status != http.StatusOK {
		t.Errorf("signed-in page: %d %q, want 200: the browser dropped the session cookie", got.status, got.location)
	}
}
