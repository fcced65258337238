package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/i18n"
)

func (b *testBundle) countRequests(userID string) int {
	b.t.Helper()
	var n int
	if err := b.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM identity_requests
		WHERE user_id = $1 AND reason = 'two_step_lost' AND status = 'waiting'`, userID).Scan(&n); err != nil {
		b.t.Fatal(err)
	}
	return n
}

// SEC-5: from the second step, a person without any working method asks to
// switch two-step sign-in off: the page explains, the request is received
// once, two-step sign-in stays on.
func TestSEC5_LostMethodFromTheSecondStep(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "fr")
	b.enableTOTP(u)
	if r := b.browser().get("/signin/second-factor/lost"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin?expired=1") {
		t.Fatalf("without a pending sign-in: %d %q", r.status, r.location)
	}
	br := b.browser()
	br.lang = "fr-CH" // the pending sign-in speaks the browser's language
	br.password(u.Email, "")
	form := br.get("/signin/second-factor/lost")
	if form.status != http.StatusOK {
		t.Fatalf("form: %d", form.status)
	}
	mustContain(t, form.body, html.EscapeString(i18n.T("fr", "lost_method.intro")), html.EscapeString(i18n.T("fr", "lost_method.what3")),
		`action="/signin/second-factor/lost"`, "ada@example.ch")
	r := br.post("/signin/second-factor/lost", url.Values{})
	if r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="request-received"`) {
		t.Fatalf("request: %d\n%s", r.status, r.body)
	}
	if br.cookie(challengeCookie) != "" || br.cookie(sessionCookie) != "" {
		t.Error("the pending sign-in or a session survived the request")
	}
	// A second request from a new sign-in: the same page, no duplicate.
	again := b.browser()
	again.password(u.Email, "")
	if r := again.post("/signin/second-factor/lost", url.Values{}); r.status != http.StatusOK || !strings.Contains(r.body, `data-testid="request-received"`) {
		t.Fatalf("again: %d", r.status)
	}
	if n := b.countRequests(u.ID); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	if n := len(outbox(t, b, u.Email, "security_identity_request")); n != 1 {
		t.Fatalf("%d e-mails, want 1", n)
	}
	// Two-step sign-in is still asked.
	b.browser().password(u.Email, "")
}

// SEC-5: a signed-in user asks from the security page; the page then shows
// the waiting request.
func TestSEC5_LostMethodFromTheSecurityPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	br := b.browser()
	br.signIn(u.Email)
	off := br.get("/profile/security").body
	if strings.Contains(off, `action="/profile/security/identity-request"`) {
		t.Error("the request is offered while two-step sign-in is off")
	}
	mustContain(t, off, html.EscapeString(i18n.T("en", "two_step.overview_off_how")), `data-testid="method-push"`,
		`data-testid="method-totp"`, `data-testid="method-passkey"`, `data-testid="method-backup"`)
	b.enableTOTP(u)
	on := br.get("/profile/security").body
	mustContain(t, on, `action="/profile/security/identity-request"`, html.EscapeString(i18n.T("en", "two_step.overview_on", 1)))
	r := br.post("/profile/security/identity-request", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("request: %d\n%s", r.status, r.body)
	}
	page := br.get(r.location).body
	mustContain(t, page, `data-testid="switch-off-request"`, html.EscapeString(i18n.T("en", "lost_method.received_notice")),
		`data-testid="two-step-state">`+i18n.T("en", "two_step.on"))
	if strings.Contains(page, `action="/profile/security/identity-request"`) {
		t.Error("the request is offered again while one waits")
	}
	if n := b.countRequests(u.ID); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// SEC-5: one-time codes added while two-step sign-in is already on (a phone
// linked) keep the backup codes: the page says so instead of showing codes.
func TestSEC5_AddingOneTimeCodesToAnotherMethodKeepsTheBackupCodes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	ctx := context.Background()
	br := b.browser()
	br.signIn(u.Email)
	// A phone linked (as the phone pages do), so two-step sign-in is on.
	now := b.clock.Now()
	if _, err := b.db.ExecContext(ctx, `INSERT INTO authenticator_devices (id, token_hash, name, created_at, last_seen_at)
		VALUES ('01900000-0000-7000-8000-000000000001', 'h', 'Pixel', $1, $1)`, now); err != nil {
		t.Fatal(err)
	}
	if _, err := b.db.ExecContext(ctx, `INSERT INTO authenticator_links (device_id, user_id, totp_secret, created_at)
		VALUES ('01900000-0000-7000-8000-000000000001', $1, 'JBSWY3DPEHPK3PXP', $2)`, u.ID, now); err != nil {
		t.Fatal(err)
	}
	mustContain(t, br.get("/profile/security").body, `data-testid="two-step-state">`+i18n.T("en", "two_step.on"),
		`data-testid="totp-start"`)
	setup := br.post("/profile/security/totp", url.Values{})
	m := secretRe.FindStringSubmatch(setup.body)
	if setup.status != http.StatusOK || m == nil {
		t.Fatalf("start while on: %d", setup.status)
	}
	r := br.post("/profile/security/totp/confirm", url.Values{"code": {b.code(strings.ReplaceAll(m[1], " ", ""))}})
	if r.status != http.StatusSeeOther || r.location != "/profile/security?totp_added=1#method-totp" {
		t.Fatalf("confirm while on: %d %q, want back to the security page\n%s", r.status, r.location, r.body)
	}
	page := br.get(r.location).body
	mustContain(t, page, html.EscapeString(i18n.T("en", "two_step.totp_added")), `data-testid="totp-state">`+i18n.T("en", "two_step.method_on"))
	if codesRe.MatchString(page) {
		t.Error("backup codes shown again")
	}
}
