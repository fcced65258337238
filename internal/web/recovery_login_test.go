package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// forgotLoginSend posts the forgotten-login form through both steps and
// returns the final answer.
func forgotLoginSend(t *testing.T, br *browser, phone, recoveryEmail, method string) (int, string) {
	t.Helper()
	form := url.Values{"phone": {phone}, "recovery_email": {recoveryEmail}}
	if r := br.post("/signin/forgot-login", form); r.status != http.StatusOK {
		t.Fatalf("forgot-login %s: %d", phone, r.status)
	}
	form.Set("method", method)
	r := br.post("/signin/forgot-login/send", form)
	return r.status, r.body
}

func identityRequests(t *testing.T, b *testBundle) int {
	t.Helper()
	var n int
	if err := b.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM identity_requests
		WHERE reason = 'login_forgotten' AND status = 'waiting'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSEC9_LoginSentBySMS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	recoverableUser(t, b)
	br := b.browser()
	if !strings.Contains(br.get("/signin").body, `href="/signin/forgot-login"`) {
		t.Error("the sign-in page has no forgotten-login link")
	}
	mustContain(t, br.get("/signin/forgot-login").body, `name="phone"`, `name="recovery_email"`)
	choose := br.post("/signin/forgot-login", url.Values{"phone": {"+41 79 123 45 67"}})
	mustContain(t, choose.body, `value="sms"`, `value="email"`, `value="identity"`)
	if status, _ := forgotLoginSend(t, br, "+41791234567", "", "sms"); status != http.StatusOK {
		t.Fatalf("send: %d", status)
	}
	sms := outbox(t, b, "+41791234567", "login_reminder_sms")
	if len(sms) != 1 || !strings.Contains(sms[0].BodyText, "ada@example.ch") {
		t.Fatalf("login SMS = %+v, want one holding the login e-mail", sms)
	}
}

func TestSEC9_LoginSentToRecoveryEmail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	recoverableUser(t, b)
	if status, _ := forgotLoginSend(t, b.browser(), "+41791234567", "ada.private@example.org", "email"); status != http.StatusOK {
		t.Fatalf("send: %d", status)
	}
	mails := outbox(t, b, "ada.private@example.org", "login_reminder")
	if len(mails) != 1 || !strings.Contains(mails[0].BodyText, "ada@example.ch") {
		t.Fatalf("reminder e-mails = %+v, want one holding the login", mails)
	}
	if n := identityRequests(t, b); n != 0 {
		t.Fatalf("%d identity requests for a match, want 0", n)
	}
}

func TestSEC9_NoMatchRecordsIdentityRequest(t *testing.T) {
	t.Parallel()
	b := setup(t)
	recoverableUser(t, b)
	before, _ := b.notifier.List(context.Background(), "", 1000)
	if status, _ := forgotLoginSend(t, b.browser(), "+41790000000", "", "sms"); status != http.StatusOK {
		t.Fatalf("send: %d", status)
	}
	if status, _ := forgotLoginSend(t, b.browser(), "+41791234567", "wrong@example.org", "email"); status != http.StatusOK {
		t.Fatalf("send: %d", status)
	}
	if n := identityRequests(t, b); n != 2 {
		t.Fatalf("%d identity requests, want 2", n)
	}
	if after, _ := b.notifier.List(context.Background(), "", 1000); len(after) != len(before) {
		t.Fatalf("%d messages sent without a match", len(after)-len(before))
	}
}

func TestSEC9_AnswersAlike(t *testing.T) {
	t.Parallel()
	b := setup(t)
	recoverableUser(t, b)
	known, unknown := b.browser(), b.browser()
	strip := func(s string) string { return strings.ReplaceAll(s, "41790000000", "41791234567") }
	a := known.post("/signin/forgot-login", url.Values{"phone": {"+41791234567"}, "recovery_email": {""}})
	z := unknown.post("/signin/forgot-login", url.Values{"phone": {"+41790000000"}, "recovery_email": {""}})
	if a.status != z.status || strip(a.body) != strip(z.body) {
		t.Fatal("the choice page differs for an unknown number")
	}
	for _, method := range []string{"sms", "email", "identity"} {
		ks, kb := forgotLoginSend(t, known, "+41791234567", "", method)
		us, ub := forgotLoginSend(t, unknown, "+41790000000", "", method)
		if ks != us || strip(kb) != strip(ub) {
			t.Fatalf("%s: the answer differs for an unknown number (%d vs %d)", method, ks, us)
		}
	}
	// The limit is reached alike for both numbers: the same generic 429.
	for range 2 {
		forgotLoginSend(t, known, "+41791234567", "", "identity")
		forgotLoginSend(t, unknown, "+41790000000", "", "identity")
	}
	ks, kb := forgotLoginSend(t, known, "+41791234567", "", "sms")
	us, ub := forgotLoginSend(t, unknown, "+41790000000", "", "sms")
	if ks != http.StatusTooManyRequests || ks != us || strip(kb) != strip(ub) {
		t.Fatalf("past the limit: %d vs %d, want the same 429 page", ks, us)
	}
}
