package web

import (
	"context"
	"github.com/alpage/alpage/internal/i18n"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/notify"
)

const resetPassword = "a fresh recovery passphrase"

var (
	hiddenToken = regexp.MustCompile(`name="token" value="([^"]+)"`)
	sixDigits   = regexp.MustCompile(`\b\d{6}\b`)
)

// recoverableUser makes ada@example.ch with a phone and a recovery e-mail.
func recoverableUser(t *testing.T, b *testBundle) account.User {
	t.Helper()
	u := b.user("ada@example.ch", "en")
	phone := "+41791234567"
	if _, err := b.accounts.UpdateProfile(context.Background(), u.ID, account.ProfileUpdate{Phone: &phone}, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	br := b.browser()
	br.signIn("ada@example.ch")
	r := br.post("/profile", url.Values{"first_name": {"Ada"}, "last_name": {"Muster"}, "language": {"en"},
		"country": {"CH"}, "time_zone": {"Europe/Zurich"}, "phone": {phone}, "recovery_email": {"ada.private@example.org"}})
	if r.status != http.StatusSeeOther || r.location != "/profile?saved=1&recovery=sent" {
		t.Fatalf("saving the recovery e-mail: %d %q\n%s", r.status, r.location, r.body)
	}
	confirmRecoveryEmailLink(t, b, br, "ada.private@example.org")
	return u
}

func outbox(t *testing.T, b *testBundle, recipient, template string) []notify.OutboxEntry {
	t.Helper()
	all, err := b.notifier.List(context.Background(), recipient, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.OutboxEntry
	for _, m := range all {
		if m.Template == template {
			out = append(out, m)
		}
	}
	return out
}

// forgotChoose posts the e-mail and returns the choice page.
func forgotChoose(t *testing.T, br *browser, email string) string {
	t.Helper()
	r := br.post("/signin/forgot", url.Values{"email": {email}})
	if r.status != http.StatusOK {
		t.Fatalf("forgot: %d", r.status)
	}
	return r.body
}

func TestSEC8_ProfileRefusesRecoveryEmailEqualToLogin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("ada@example.ch", "en")
	br := b.browser()
	br.signIn("ada@example.ch")
	r := br.post("/profile", url.Values{"first_name": {"Ada"}, "last_name": {"Muster"}, "language": {"en"},
		"country": {"CH"}, "time_zone": {"Europe/Zurich"}, "recovery_email": {"ada@example.ch"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="recovery_email-error"`) {
		t.Fatalf("status %d, want 422 with the field's error", r.status)
	}
	if !strings.Contains(br.get("/signin").body, `href="/signin/forgot"`) {
		t.Error("the sign-in page has no forgotten-password link")
	}
}

func TestSEC8_ResetByRecoveryEmailLink(t *testing.T) {
	t.Parallel()
	b := setup(t)
	recoverableUser(t, b)
	other := b.browser()
	other.signIn("ada@example.ch")
	br := b.browser()
	mustContain(t, forgotChoose(t, br, "ada@example.ch"), `value="sms"`, `value="link"`, `value="identity"`)
	r := br.post("/signin/forgot/send", url.Values{"email": {"ada@example.ch"}, "method": {"link"}})
	if r.status != http.StatusOK {
		t.Fatalf("send: %d", r.status)
	}
	mails := outbox(t, b, "ada.private@example.org", "password_reset")
	if len(mails) != 1 || len(mails[0].Links) == 0 {
		t.Fatalf("reset e-mails = %+v", mails)
	}
	link, _ := url.Parse(mails[0].Links[0])
	r = br.get(link.RequestURI())
	if r.status != http.StatusOK || !strings.Contains(r.body, `name="password"`) {
		t.Fatalf("link: %d", r.status)
	}
	token := link.Query().Get("token")
	r = br.post("/signin/forgot/reset", url.Values{"token": {token}, "password": {resetPassword}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin") {
		t.Fatalf("reset: %d %q", r.status, r.location)
	}
	if !strings.Contains(br.get(r.location).body, i18n.T("en", "signin.reset_done")) {
		t.Errorf("the sign-in page after a reset does not say the password changed")
	}
	if r := other.get("/profile"); r.status != http.StatusSeeOther {
		t.Fatalf("another session survived: %d", r.status)
	}
	if r := br.post("/signin", url.Values{"email": {"ada@example.ch"}, "password": {testPassword}}); r.status == http.StatusSeeOther {
		t.Fatal("the old password still works")
	}
	if r := br.post("/signin", url.Values{"email": {"ada@example.ch"}, "password": {resetPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("the new password fails: %d", r.status)
	}
	if r := b.browser().get(link.RequestURI()); r.status != http.StatusGone {
		t.Fatalf("a used link: %d, want 410", r.status)
	}
}

func TestSEC8_ResetBySMSCode(t *testing.T) {
	t.Parallel()
	b := setup(t)
	recoverableUser(t, b)
	br := b.browser()
	r := br.post("/signin/forgot/send", url.Values{"email": {"ada@example.ch"}, "method": {"sms"}})
	m := hiddenToken.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("send: %d, token field %v", r.status, m)
	}
	sms := outbox(t, b, "+41791234567", "sms_code")
	if len(sms) != 1 {
		t.Fatalf("%d SMS, want 1", len(sms))
	}
	code := sixDigits.FindString(sms[0].BodyText)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if r := br.post("/signin/forgot/code", url.Values{"token": {m[1]}, "code": {wrong}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code: %d, want 422", r.status)
	}
	r = br.post("/signin/forgot/code", url.Values{"token": {m[1]}, "code": {code}})
	if r.status != http.StatusOK || !strings.Contains(r.body, `action="/signin/forgot/reset"`) {
		t.Fatalf("right code: %d", r.status)
	}
	if r := br.post("/signin/forgot/reset", url.Values{"token": {m[1]}, "password": {"short"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", r.status)
	}
	if r := br.post("/signin/forgot/reset", url.Values{"token": {m[1]}, "password": {resetPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.status)
	}
	if r := br.post("/signin", url.Values{"email": {"ada@example.ch"}, "password": {resetPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("the new password fails: %d", r.status)
	}
	// An expired code ends the reset.
	r = br.post("/signin/forgot/send", url.Values{"email": {"ada@example.ch"}, "method": {"sms"}})
	m = hiddenToken.FindStringSubmatch(r.body)
	code = sixDigits.FindString(outbox(t, b, "+41791234567", "sms_code")[0].BodyText)
	b.clock.Advance(account.ResetCodeTTL)
	if r := br.post("/signin/forgot/code", url.Values{"token": {m[1]}, "code": {code}}); r.status != http.StatusGone {
		t.Fatalf("expired code: %d, want 410", r.status)
	}
}

func TestSEC8_UnknownEmailAnswersAlike(t *testing.T) {
	t.Parallel()
	b := setup(t)
	recoverableUser(t, b)
	before, _ := b.notifier.List(context.Background(), "", 1000)
	known, unknown := b.browser(), b.browser()
	strip := func(s string) string {
		return hiddenToken.ReplaceAllString(strings.ReplaceAll(s, "nobody@example.ch", "ada@example.ch"), "")
	}
	if a, z := forgotChoose(t, known, "ada@example.ch"), forgotChoose(t, unknown, "nobody@example.ch"); strip(a) != strip(z) {
		t.Fatal("the choice page differs for an unknown e-mail")
	}
	for _, method := range []string{"sms", "link"} {
		r := unknown.post("/signin/forgot/send", url.Values{"email": {"nobody@example.ch"}, "method": {method}})
		k := known.post("/signin/forgot/send", url.Values{"email": {"ada@example.ch"}, "method": {method}})
		if r.status != k.status || strip(r.body) != strip(k.body) {
			t.Fatalf("%s: the answer differs for an unknown e-mail", method)
		}
	}
	after, _ := b.notifier.List(context.Background(), "", 1000)
	if len(after)-len(before) != 2 {
		t.Fatalf("%d messages sent, want 2 (only for the known account)", len(after)-len(before))
	}
}

func TestSEC8_IdentityVerificationRequestRecorded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.browser().post("/signin/forgot/send", url.Values{"email": {"nobody@example.ch"}, "method": {"identity"}})
	if r.status != http.StatusOK {
		t.Fatalf("identity: %d", r.status)
	}
	var n int
	if err := b.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM identity_requests WHERE email = 'nobody@example.ch'
		AND user_id IS NULL AND reason = 'password_forgotten' AND status = 'waiting'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d identity requests, %v; want 1", n, err)
	}
}
