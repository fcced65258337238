package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/i18n"
)

// confirmRecoveryEmailLink checks that the profile says address is not
// confirmed yet, with "resend", opens the link sent to it, and checks that
// the profile then says it is confirmed.
func confirmRecoveryEmailLink(t *testing.T, b *testBundle, br *browser, address string) {
	t.Helper()
	page := br.get("/profile").body
	mustContain(t, page, `data-testid="recovery-email-state" data-state="unconfirmed"`, `data-testid="recovery-resend"`,
		`action="/profile/recovery-email/resend"`)
	link := outboxLink(t, b, address, "/recovery-email/confirm")
	r := b.browser().get(link.RequestURI()) // opened anywhere: the link is the proof
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="link-result"`) {
		t.Fatalf("the recovery e-mail link: %d\n%s", r.status, r.body)
	}
	if again := b.browser().get(link.RequestURI()); again.status != http.StatusGone {
		t.Fatalf("the link again: %d, want 410", again.status)
	}
	mustContain(t, br.get("/profile").body, `data-testid="recovery-email-state" data-state="confirmed"`)
}

// The profile sends a link to a new recovery e-mail, shows it unconfirmed
// with "resend" (at most one a minute), and confirmed once opened.
func TestSEC8_ProfileConfirmsTheRecoveryEmail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("ada@example.ch", "fr")
	br := b.browser()
	br.signIn("ada@example.ch")
	r := br.post("/profile", url.Values{"first_name": {"Ada"}, "last_name": {"Muster"}, "language": {"fr"},
		"country": {"CH"}, "time_zone": {"Europe/Zurich"}, "recovery_email": {"ada.private@example.org"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.status)
	}
	mustContain(t, br.get(r.location).body, html.EscapeString(i18n.T("fr", "profile.saved_recovery_link")),
		html.EscapeString(i18n.T("fr", "profile.recovery_unconfirmed_hint", "ada.private@example.org")))
	if r := br.post("/profile/recovery-email/resend", nil); r.status != http.StatusTooManyRequests {
		t.Fatalf("resend within a minute: %d, want 429", r.status)
	}
	b.clock.Advance(2 * 60e9)
	if r := br.post("/profile/recovery-email/resend", nil); r.status != http.StatusSeeOther {
		t.Fatalf("resend: %d", r.status)
	}
	if n := len(outbox(t, b, "ada.private@example.org", "recovery_email_confirm")); n != 2 {
		t.Fatalf("%d links sent, want 2", n)
	}
	confirmRecoveryEmailLink(t, b, br, "ada.private@example.org")
}
