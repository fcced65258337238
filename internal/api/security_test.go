package api

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
)

// totpCode is the one-time code of secret at the test clock's time.
func (b *bundle) totpCode(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, b.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// wrongTOTPCode is a 6-digit code that is none of the accepted codes of
// secret (the step before, now and after).
func (b *bundle) wrongTOTPCode(t *testing.T, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := totp.GenerateCode(secret, b.clk.Now().Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for n := 0; ; n++ {
		if c := fmt.Sprintf("%06d", n); !valid[c] {
			return c
		}
	}
}

// switchOnCodes links an authenticator through the API and confirms it;
// it returns the secret and the backup codes.
func (b *bundle) switchOnCodes(t *testing.T, token string) (secret string, backup []string) {
	t.Helper()
	r := b.do(t, "POST", "/api/1/profile/security/totp", token, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("start: %d %s", r.status, r.raw)
	}
	secret, _ = r.data(t)["secret"].(string)
	r = b.do(t, "POST", "/api/1/profile/security/totp/confirm", token, map[string]string{"code": b.totpCode(t, secret)})
	if r.status != http.StatusOK {
		t.Fatalf("confirm: %d %s", r.status, r.raw)
	}
	for _, c := range r.data(t)["backup_codes"].([]any) {
		backup = append(backup, c.(string))
	}
	return secret, backup
}

// method returns the method of kind in a GET /profile/security answer.
func method(t *testing.T, data map[string]any, kind string) map[string]any {
	t.Helper()
	ms, _ := data["methods"].([]any)
	for _, m := range ms {
		if mm := m.(map[string]any); mm["kind"] == kind {
			return mm
		}
	}
	t.Fatalf("no method %s in %v", kind, data)
	return nil
}

var backupCodeRE = regexp.MustCompile(`^[a-z0-9]{5}-[a-z0-9]{5}$`)

// SEC-1, SEC-2, SEC-5 over HTTP: link an app, switch codes on with its first
// code, get 10 backup codes once, see the state, switch off with the
// password and a fresh code; a code is never accepted twice.
func TestSEC1_SwitchOneTimeCodesOnAndOffThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, token := b.user(t, "anna@example.ch")

	st := b.do(t, "GET", "/api/1/profile/security", token, nil).data(t)
	if st["enabled"] != false || method(t, st, "totp")["enabled"] != false || method(t, st, "backup_codes")["remaining"] != 0.0 {
		t.Fatalf("before: %v", st)
	}
	// Confirming before starting is refused.
	b.do(t, "POST", "/api/1/profile/security/totp/confirm", token, map[string]string{"code": "123456"}).
		wantError(t, http.StatusConflict, "two_step_setup_not_started")

	r := b.do(t, "POST", "/api/profile/security/totp", token, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("start: %d %s", r.status, r.raw)
	}
	setupData := r.data(t)
	secret, _ := setupData["secret"].(string)
	url, _ := setupData["otpauth_url"].(string)
	if secret == "" || !strings.HasPrefix(url, "otpauth://totp/alpage:anna@example.ch?") ||
		!strings.Contains(url, "issuer=alpage") || !strings.Contains(url, "secret="+secret) {
		t.Fatalf("setup: %s", r.raw)
	}
	if len(setupData) != 2 {
		t.Errorf("setup answers more than secret and otpauth_url: %s", r.raw)
	}
	// Not on until confirmed.
	if st := b.do(t, "GET", "/api/1/profile/security", token, nil).data(t); st["enabled"] != false {
		t.Fatalf("on before confirmation: %v", st)
	}

	b.do(t, "POST", "/api/1/profile/security/totp/confirm", token, map[string]string{"code": b.wrongTOTPCode(t, secret)}).
		wantError(t, http.StatusUnprocessableEntity, "code_invalid", "code")

	code := b.totpCode(t, secret)
	r = b.do(t, "POST", "/api/1/profile/security/totp/confirm", token, map[string]string{"code": code})
	if r.status != http.StatusOK {
		t.Fatalf("confirm: %d %s", r.status, r.raw)
	}
	raw, _ := r.data(t)["backup_codes"].([]any)
	if len(raw) != 10 {
		t.Fatalf("backup codes: %s", r.raw)
	}
	seen := map[string]bool{}
	for _, c := range raw {
		s, _ := c.(string)
		if !backupCodeRE.MatchString(s) || seen[s] {
			t.Errorf("backup code %q malformed or repeated", s)
		}
		seen[s] = true
	}

	// The same code replayed on confirm is refused.
	b.do(t, "POST", "/api/1/profile/security/totp/confirm", token, map[string]string{"code": code}).
		wantError(t, http.StatusConflict, "two_step_already_on")
	b.do(t, "POST", "/api/1/profile/security/totp", token, nil).wantError(t, http.StatusConflict, "two_step_already_on")

	st = b.do(t, "GET", "/api/profile/security", token, nil).data(t)
	totpM, backupM := method(t, st, "totp"), method(t, st, "backup_codes")
	if st["enabled"] != true || totpM["enabled"] != true || totpM["created_at"] != testNow.Format(time.RFC3339) ||
		backupM["enabled"] != true || backupM["remaining"] != 10.0 {
		t.Fatalf("after confirming: %v", st)
	}
	if rb, _ := st["required_by"].([]any); rb == nil || len(rb) != 0 {
		t.Errorf("required_by = %v, want []", st["required_by"])
	}

	// Switching off: the password is checked, and the code already used
	// is not accepted again.
	b.do(t, "POST", "/api/1/profile/security/totp/disable", token, map[string]string{"password": "wrong password!", "code": code}).
		wantError(t, http.StatusUnprocessableEntity, "current_password_wrong", "password")
	b.do(t, "POST", "/api/1/profile/security/totp/disable", token, map[string]string{"password": testUserPassword, "code": code}).
		wantError(t, http.StatusUnprocessableEntity, "code_invalid", "code")
	if st := b.do(t, "GET", "/api/1/profile/security", token, nil).data(t); st["enabled"] != true {
		t.Fatalf("switched off by refused requests: %v", st)
	}

	b.clk.Advance(30 * time.Second)
	r = b.do(t, "POST", "/api/1/profile/security/totp/disable", token,
		map[string]string{"password": testUserPassword, "code": b.totpCode(t, secret)})
	if r.status != http.StatusNoContent || len(r.raw) != 0 {
		t.Fatalf("disable: %d %s", r.status, r.raw)
	}
	st = b.do(t, "GET", "/api/1/profile/security", token, nil).data(t)
	if st["enabled"] != false || method(t, st, "totp")["enabled"] != false || method(t, st, "totp")["created_at"] != nil ||
		method(t, st, "backup_codes")["remaining"] != 0.0 {
		t.Fatalf("after disabling: %v", st)
	}
	b.do(t, "POST", "/api/1/profile/security/totp/disable", token, map[string]string{"password": testUserPassword, "code": "123456"}).
		wantError(t, http.StatusConflict, "two_step_off")
}

// SEC-2: regenerating replaces every backup code and needs the password; a
// backup code switches codes off (with or without its dash, in any case),
// an old one no longer does.
func TestSEC2_BackupCodesThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, token := b.user(t, "anna@example.ch")

	b.do(t, "POST", "/api/1/profile/security/backup-codes", token, map[string]string{"password": testUserPassword}).
		wantError(t, http.StatusConflict, "two_step_off")

	_, old := b.switchOnCodes(t, token)
	if len(old) != 10 {
		t.Fatalf("backup codes: %v", old)
	}
	b.do(t, "POST", "/api/1/profile/security/backup-codes", token, map[string]string{"password": "wrong password!"}).
		wantError(t, http.StatusUnprocessableEntity, "current_password_wrong", "password")
	b.do(t, "POST", "/api/1/profile/security/backup-codes", token, map[string]string{}).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed")

	r := b.do(t, "POST", "/api/profile/security/backup-codes", token, map[string]string{"password": testUserPassword})
	if r.status != http.StatusOK {
		t.Fatalf("regenerate: %d %s", r.status, r.raw)
	}
	var fresh []string
	for _, c := range r.data(t)["backup_codes"].([]any) {
		fresh = append(fresh, c.(string))
	}
	if len(fresh) != 10 {
		t.Fatalf("new codes: %v", fresh)
	}
	for _, c := range fresh {
		for _, o := range old {
			if c == o {
				t.Fatalf("code %s kept", c)
			}
		}
	}
	if st := b.do(t, "GET", "/api/1/profile/security", token, nil).data(t); method(t, st, "backup_codes")["remaining"] != 10.0 {
		t.Fatalf("after regenerating: %v", st)
	}

	b.do(t, "POST", "/api/1/profile/security/totp/disable", token, map[string]string{"password": testUserPassword, "code": old[0]}).
		wantError(t, http.StatusUnprocessableEntity, "code_invalid", "code")
	code := strings.ToUpper(strings.ReplaceAll(fresh[3], "-", ""))
	if r := b.do(t, "POST", "/api/1/profile/security/totp/disable", token,
		map[string]string{"password": testUserPassword, "code": code}); r.status != http.StatusNoContent {
		t.Fatalf("disable with a backup code: %d %s", r.status, r.raw)
	}
	if st := b.do(t, "GET", "/api/1/profile/security", token, nil).data(t); st["enabled"] != false {
		t.Fatalf("after disabling: %v", st)
	}
}

// SEC-7 sessions: the caller lists her console sessions, without their
// secrets, and signs one out; another person's session is not found and
// stays signed in.
func TestSEC7_SessionsListAndSignOutThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	ctx := context.Background()
	annaID, token := b.user(t, "anna@example.ch")
	zoeID, _ := b.user(t, "zoe@example.ch")

	firefox := "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
	safari := "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1"
	oldSecret, old, err := b.accounts.CreateSession(ctx, annaID, audit.Meta{IP: "192.0.2.10", UserAgent: firefox})
	if err != nil {
		t.Fatal(err)
	}
	b.clk.Advance(time.Minute)
	newSecret, recent, err := b.accounts.CreateSession(ctx, annaID, audit.Meta{IP: "198.51.100.7", UserAgent: safari})
	if err != nil {
		t.Fatal(err)
	}
	zoeSecret, zoe, err := b.accounts.CreateSession(ctx, zoeID, audit.Meta{IP: "203.0.113.9", UserAgent: firefox})
	if err != nil {
		t.Fatal(err)
	}

	r := b.do(t, "GET", "/api/1/profile/sessions", token, nil)
	if r.status != http.StatusOK || r.body["total"] != 2.0 {
		t.Fatalf("sessions: %d %s", r.status, r.raw)
	}
	for _, secret := range []string{oldSecret, newSecret, zoeSecret} {
		if strings.Contains(string(r.raw), secret) {
			t.Fatalf("a session secret is in the list: %s", r.raw)
		}
	}
	list := r.body["data"].([]any)
	first, second := list[0].(map[string]any), list[1].(map[string]any)
	want := map[string]any{
		"id": recent.ID, "ip": "198.51.100.7", "user_agent": safari, "device": "Safari on iOS",
		"created_at": testNow.Add(time.Minute).Format(time.RFC3339), "last_seen_at": testNow.Add(time.Minute).Format(time.RFC3339),
		"expires_at": recent.ExpiresAt.UTC().Format(time.RFC3339),
	}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("newest session %s = %v, want %v", k, first[k], v)
		}
	}
	if len(first) != len(want) {
		t.Errorf("session has other members: %v", first)
	}
	if second["id"] != old.ID || second["device"] != "Firefox on Linux" {
		t.Errorf("older session: %v", second)
	}

	// Another person's session, and ids that are none, are not found.
	for _, sid := range []string{zoe.ID, "not-a-session", "00000000-0000-7000-8000-000000000000"} {
		b.do(t, "DELETE", "/api/1/profile/sessions/"+sid, token, nil).wantError(t, http.StatusNotFound, "object_not_found")
	}
	if _, _, err := b.accounts.SessionByToken(ctx, zoeSecret); err != nil {
		t.Fatalf("zoe's session was signed out: %v", err)
	}

	if r := b.do(t, "DELETE", "/api/profile/sessions/"+old.ID, token, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	_, _, err = b.accounts.SessionByToken(ctx, oldSecret)
	if e := apperr.As(err); e == nil || e.Code != apperr.NotAuthorized.Code {
		t.Fatalf("signed-out session still works: %v", err)
	}
	if _, _, err := b.accounts.SessionByToken(ctx, newSecret); err != nil {
		t.Fatalf("the other session was signed out too: %v", err)
	}
	r = b.do(t, "GET", "/api/1/profile/sessions", token, nil)
	if r.body["total"] != 1.0 || r.body["data"].([]any)[0].(map[string]any)["id"] != recent.ID {
		t.Fatalf("after delete: %s", r.raw)
	}
	b.do(t, "DELETE", "/api/1/profile/sessions/"+old.ID, token, nil).wantError(t, http.StatusNotFound, "object_not_found")
}

// SEC-7 activity: the caller's events, newest first, with IP and device,
// paginated.
func TestSEC7_ActivityNewestFirstThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	ctx := context.Background()
	annaID, token := b.user(t, "anna@example.ch")
	zoeID, _ := b.user(t, "zoe@example.ch")

	b.clk.Advance(time.Minute)
	firefox := "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
	_, sess, err := b.accounts.CreateSession(ctx, annaID, audit.Meta{IP: "192.0.2.10", UserAgent: firefox})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.accounts.CreateSession(ctx, zoeID, audit.Meta{IP: "203.0.113.9", UserAgent: firefox}); err != nil {
		t.Fatal(err)
	}
	b.clk.Advance(time.Minute)
	b.switchOnCodes(t, token)
	b.clk.Advance(time.Minute)
	if r := b.do(t, "DELETE", "/api/1/profile/sessions/"+sess.ID, token, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}

	r := b.do(t, "GET", "/api/1/profile/activity", token, nil)
	if r.status != http.StatusOK {
		t.Fatalf("activity: %d %s", r.status, r.raw)
	}
	list := r.body["data"].([]any)
	if len(list) < 3 || r.body["total"] != float64(len(list)) {
		t.Fatalf("activity: %s", r.raw)
	}
	var actions []string
	var prev time.Time
	for i, e := range list {
		ev := e.(map[string]any)
		actions = append(actions, ev["action"].(string))
		at, err := time.Parse(time.RFC3339, ev["at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && at.After(prev) {
			t.Errorf("event %d (%s) is newer than the one before it", i, ev["action"])
		}
		prev = at
		if ev["ip"] == "203.0.113.9" {
			t.Errorf("zoe's event is in anna's activity: %v", ev)
		}
	}
	if want := []string{"session.signed_out_remotely", "security.totp_enabled", "session.signed_in"}; strings.Join(actions[:3], ",") != strings.Join(want, ",") {
		t.Fatalf("actions = %v, want %v first", actions, want)
	}
	first, third := list[0].(map[string]any), list[2].(map[string]any)
	if first["at"] != testNow.Add(3*time.Minute).Format(time.RFC3339) || first["ip"] != "127.0.0.1" || first["device"] != "Go program" {
		t.Errorf("sign-out event: %v", first)
	}
	if third["ip"] != "192.0.2.10" || third["user_agent"] != firefox || third["device"] != "Firefox on Windows" ||
		third["at"] != testNow.Add(time.Minute).Format(time.RFC3339) {
		t.Errorf("sign-in event: %v", third)
	}

	// Paginated: one per page, the second page is the second newest.
	r = b.do(t, "GET", "/api/profile/activity?per_page=1&page=2", token, nil)
	page := r.body["data"].([]any)
	if len(page) != 1 || page[0].(map[string]any)["action"] != "security.totp_enabled" ||
		r.body["pages"] != float64(len(list)) || r.body["page"] != 2.0 {
		t.Fatalf("page 2: %s", r.raw)
	}
}
