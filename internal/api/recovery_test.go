package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/audit"
)

// SEC-10: the tokens of an account in recovery answer 403
// account_in_recovery, telling to sign in to the console; once the new
// login is confirmed they work again.
func TestSEC10_APIRefusesAnAccountInRecovery(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	ctx := context.Background()
	uid, tok := b.user(t, "anna@example.ch")
	_, other := b.user(t, "ben@example.ch")
	if _, err := b.accounts.EnterRecovery(ctx, "anna@example.ch", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/1/profile", "/api/1/organizations", "/api/profile/security"} {
		e := b.do(t, "GET", path, tok, nil).wantError(t, http.StatusForbidden, "account_in_recovery")
		if d, _ := e["description"].(string); !strings.Contains(d, "console") {
			t.Errorf("%s: description %q does not send to the console", path, d)
		}
	}
	b.do(t, "POST", "/api/1/profile/security/identity-request", tok, nil).wantError(t, http.StatusForbidden, "account_in_recovery")
	// Others are not concerned.
	if r := b.do(t, "GET", "/api/1/profile", other, nil); r.status != http.StatusOK {
		t.Fatalf("another account: %d %s", r.status, r.raw)
	}
	// The new login confirmed: the token works again.
	if err := b.accounts.RequestRecoveryLogin(ctx, uid, "anna@new.example", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	token := b.outboxToken(t, "anna@new.example", "/recovery/email/confirm")
	if _, err := b.accounts.ConfirmRecoveryLogin(ctx, token, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	r := b.do(t, "GET", "/api/1/profile", tok, nil)
	if r.status != http.StatusOK || r.data(t)["email"] != "anna@new.example" {
		t.Fatalf("after recovery: %d %s", r.status, r.raw)
	}
}

// outboxToken is the token of the newest link to path sent to recipient.
func (b *bundle) outboxToken(t *testing.T, recipient, path string) string {
	t.Helper()
	msgs, err := b.notifier.List(context.Background(), recipient, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		for _, l := range m.Links {
			if i := strings.Index(l, path+"?token="); i >= 0 {
				return l[i+len(path+"?token="):]
			}
		}
	}
	t.Fatalf("no %s link for %s", path, recipient)
	return ""
}

// The profile shows the recovery e-mail and whether it is confirmed; PATCH
// sets it (a link goes to it) and the confirmation can be sent again.
func TestSEC8_ProfileShowsRecoveryEmailConfirmation(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	ctx := context.Background()
	_, tok := b.user(t, "anna@example.ch")
	r := b.do(t, "PATCH", "/api/1/profile", tok, map[string]string{"recovery_email": "anna@example.ch"})
	r.wantError(t, http.StatusUnprocessableEntity, "validation_failed", "recovery_email")
	r = b.do(t, "PATCH", "/api/1/profile", tok, map[string]string{"recovery_email": "Anna.Private@example.org"})
	if r.status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", r.status, r.raw)
	}
	if d := r.data(t); d["recovery_email"] != "anna.private@example.org" || d["recovery_email_confirmed"] != false {
		t.Fatalf("after PATCH: %v", d)
	}
	b.do(t, "POST", "/api/1/profile/recovery-email/confirmation", tok, nil).wantError(t, http.StatusTooManyRequests, "too_many_requests")
	token := b.outboxToken(t, "anna.private@example.org", "/recovery-email/confirm")
	if _, err := b.accounts.ConfirmRecoveryEmail(ctx, token, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	if d := b.do(t, "GET", "/api/1/profile", tok, nil).data(t); d["recovery_email_confirmed"] != true {
		t.Fatalf("after the link: %v", d)
	}
	b.do(t, "POST", "/api/1/profile/recovery-email/confirmation", tok, nil).wantError(t, http.StatusConflict, "recovery_email_already_confirmed")
}

// SEC-5: the security state lists every method with its details, and the
// identity request answers the request, once.
func TestSEC5_SecurityShapeAndIdentityRequest(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, tok := b.user(t, "anna@example.ch")
	b.do(t, "POST", "/api/1/profile/security/identity-request", tok, nil).wantError(t, http.StatusConflict, "two_step_off")
	d := b.do(t, "GET", "/api/1/profile/security", tok, nil).data(t)
	if d["enabled"] != false || d["identity_request"] != nil {
		t.Fatalf("off: %v", d)
	}
	b.switchOnCodes(t, tok)
	r := b.do(t, "POST", "/api/1/profile/security/identity-request", tok, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("identity request: %d %s", r.status, r.raw)
	}
	req := r.data(t)
	if req["status"] != "waiting" || req["reason"] != "two_step_lost" || req["id"] == "" || req["created_at"] != testNow.Format("2006-01-02T15:04:05Z") {
		t.Fatalf("request = %v", req)
	}
	again := b.do(t, "POST", "/api/1/profile/security/identity-request", tok, nil).data(t)
	if again["id"] != req["id"] {
		t.Fatalf("a second request %v, want the first %v", again["id"], req["id"])
	}
	d = b.do(t, "GET", "/api/1/profile/security", tok, nil).data(t)
	if d["enabled"] != true || d["required_by"] == nil {
		t.Fatalf("on: %v", d)
	}
	if ir, _ := d["identity_request"].(map[string]any); ir == nil || ir["id"] != req["id"] {
		t.Fatalf("identity_request = %v", d["identity_request"])
	}
	kinds := map[string]map[string]any{}
	for _, m := range d["methods"].([]any) {
		mm := m.(map[string]any)
		kinds[mm["kind"].(string)] = mm
	}
	if len(kinds) != 4 {
		t.Fatalf("methods %v, want push, totp, passkey, backup_codes", kinds)
	}
	if p, ok := kinds["push"]["phones"].([]any); !ok || len(p) != 0 || kinds["push"]["enabled"] != false {
		t.Errorf("push = %v, want no phones", kinds["push"])
	}
	if p, ok := kinds["passkey"]["passkeys"].([]any); !ok || len(p) != 0 {
		t.Errorf("passkey = %v, want an empty list", kinds["passkey"])
	}
	if kinds["totp"]["enabled"] != true || kinds["totp"]["phones"] != nil {
		t.Errorf("totp = %v", kinds["totp"])
	}
	if kinds["backup_codes"]["remaining"] != float64(10) {
		t.Errorf("backup_codes = %v", kinds["backup_codes"])
	}
}
