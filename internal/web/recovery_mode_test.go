package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/i18n"
)

// enterRecovery puts email's account in recovery as the operator does and
// returns the temporary user name.
func (b *testBundle) enterRecovery(email string) string {
	b.t.Helper()
	rec, err := b.accounts.EnterRecovery(context.Background(), email, audit.Meta{UserAgent: "alpage-cli"})
	if err != nil {
		b.t.Fatalf("EnterRecovery: %v", err)
	}
	return rec.Name
}

// SEC-10: the temporary user name signs in with the usual password; every
// signed-in page then leads to the page that sets a new login e-mail; the
// link sent there ends recovery and the console opens normally.
func TestSEC10_SessionInRecoveryIsForcedToChooseANewLogin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "de")
	phone := "+41791234567"
	if _, err := b.accounts.UpdateProfile(context.Background(), u.ID, account.ProfileUpdate{Phone: &phone}, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	already := b.browser()
	already.signIn(u.Email) // a session opened before the mailbox went
	name := b.enterRecovery(u.Email)

	br := b.browser()
	r := br.post("/signin", url.Values{"email": {strings.ToLower(name)}, "password": {testPassword}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("sign-in by name: %d %q\n%s", r.status, r.location, r.body)
	}
	for _, c := range []*browser{br, already} {
		for _, path := range []string{"/", "/profile", "/profile/security", "/organization/users", "/products"} {
			if r := c.get(path); r.status != http.StatusSeeOther || r.location != "/recovery/email" {
				t.Fatalf("GET %s in recovery: %d %q, want 303 to /recovery/email", path, r.status, r.location)
			}
		}
		if r := c.post("/profile/security/password", url.Values{"current_password": {testPassword},
			"new_password": {"another long password"}}); r.status != http.StatusSeeOther || r.location != "/recovery/email" {
			t.Fatalf("POST in recovery: %d %q", r.status, r.location)
		}
	}
	page := br.get("/recovery/email")
	if page.status != http.StatusOK {
		t.Fatalf("recovery page: %d", page.status)
	}
	mustContain(t, page.body, html.EscapeString(i18n.T("de", "recovery_mode.intro", u.Email)), `action="/recovery/email"`,
		`action="/signout"`)

	// Refusals keep the form; then the link goes out.
	if r := br.post("/recovery/email", url.Values{"email": {u.Email}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `aria-invalid="true"`) {
		t.Fatalf("the old login: %d", r.status)
	}
	r = br.post("/recovery/email", url.Values{"email": {"ada@neu.example"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", r.status, r.body)
	}
	mustContain(t, br.get(r.location).body, `data-testid="recovery-sent"`, `value="ada@neu.example"`,
		html.EscapeString(i18n.T("de", "recovery_mode.waiting", "ada@neu.example")))
	link := outboxLink(t, b, "ada@neu.example", "/recovery/email/confirm")
	r = br.get(link.RequestURI())
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("the link: %d %q\n%s", r.status, r.location, r.body)
	}
	home := br.get("/")
	if home.status != http.StatusOK || !strings.Contains(home.body, `data-testid="current-org"`) {
		t.Fatalf("the console after recovery: %d", home.status)
	}
	if r := br.get("/recovery/email"); r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("the recovery page after recovery: %d %q", r.status, r.location)
	}
	if r := b.browser().get(link.RequestURI()); r.status != http.StatusGone {
		t.Fatalf("the link again: %d, want 410", r.status)
	}
	// The name no longer signs in; the new login does.
	if r := b.browser().post("/signin", url.Values{"email": {name}, "password": {testPassword}}); r.status != http.StatusUnauthorized {
		t.Fatalf("the name after recovery: %d", r.status)
	}
	b.browser().signIn("ada@neu.example")
}

// The recovery page is for accounts in recovery only, and for signed-in
// visitors.
func TestSEC10_RecoveryPageOnlyInRecovery(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("ada@example.ch", "en")
	if r := b.browser().get("/recovery/email"); r.status != http.StatusSeeOther || r.location != "/signin" {
		t.Fatalf("anonymous: %d %q", r.status, r.location)
	}
	br := b.browser()
	br.signIn("ada@example.ch")
	if r := br.get("/recovery/email"); r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("not in recovery: %d %q", r.status, r.location)
	}
	if r := br.post("/recovery/email", url.Values{"email": {"x@example.org"}}); r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("post not in recovery: %d %q", r.status, r.location)
	}
}
