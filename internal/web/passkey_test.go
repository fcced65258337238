package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/security/passkeytest"
)

var backupCode = regexp.MustCompile(`\b[a-z0-9]{5}-[a-z0-9]{5}\b`)

// begin POSTs a ceremony's begin address and decodes the JSON answer.
func (br *browser) begin(path string) (int, ceremonyJSON, refusalJSON) {
	br.t.Helper()
	r := br.post(path, nil)
	var c ceremonyJSON
	var ref refusalJSON
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		br.t.Fatalf("%s answered %d %s, not JSON: %s", path, r.status, ct, r.body)
	}
	if r.status == http.StatusOK {
		if err := json.Unmarshal([]byte(r.body), &c); err != nil || c.Token == "" || len(c.Options) == 0 {
			br.t.Fatalf("%s: %s (%v)", path, r.body, err)
		}
	} else if err := json.Unmarshal([]byte(r.body), &ref); err != nil || ref.Error == "" {
		br.t.Fatalf("%s refused without a message: %s (%v)", path, r.body, err)
	}
	return r.status, c, ref
}

// addPasskey runs the registration ceremony of the security page with a.
func (br *browser) addPasskey(a *passkeytest.Authenticator, name string) response {
	br.t.Helper()
	status, c, _ := br.begin("/profile/security/passkeys/begin")
	if status != http.StatusOK {
		br.t.Fatalf("begin: %d", status)
	}
	answer, err := a.Create(c.Options)
	if err != nil {
		br.t.Fatal(err)
	}
	return br.post("/profile/security/passkeys/finish", url.Values{"token": {c.Token}, "name": {name},
		"response": {string(answer)}})
}

func TestSEC2_ConsoleFirstPasskeyShowsTheBackupCodesOnce(t *testing.T) {
	t.Parallel()
	b := passkeyBundle(t)
	u, _ := b.person("ada@example.ch", "Ada", "Muster", "en")
	br := b.browser()
	br.signIn(u.Email)
	a := passkeytest.New(b.server.URL)

	r := br.addPasskey(a, "Work laptop")
	if r.status != http.StatusOK {
		t.Fatalf("finish: %d %s", r.status, r.location)
	}
	codes := element(r.body, "textarea", `data-testid="backup-codes-text"`)
	if n := len(backupCode.FindAllString(codes, -1)); n != 10 {
		t.Errorf("the answer shows %d backup codes, want 10: %s", n, codes)
	}
	mustContain(t, r.body, "Passkey added: two-step sign-in is on.")
	// Not stored anywhere a GET could reach: the security page has no codes.
	page := br.get("/profile/security").body
	mustContain(t, page, "Work laptop", `data-testid="passkey-list"`, "/profile/security/passkeys/finish")
	if strings.Contains(page, `data-testid="backup-codes-text"`) {
		t.Error("the security page shows backup codes")
	}

	// A second passkey: back to the security page, no codes.
	r = br.addPasskey(passkeytest.New(b.server.URL), "")
	if r.status != http.StatusSeeOther || r.location != "/profile/security?passkey_added=1#method-passkey" {
		t.Errorf("second passkey: %d to %q", r.status, r.location)
	}
	if n := strings.Count(br.get("/profile/security").body, `data-testid="passkey-item"`); n != 2 {
		t.Errorf("%d passkeys listed, want 2", n)
	}
}

func TestConsolePasskeyCeremoniesRefuseInTheVisitorsLanguage(t *testing.T) {
	t.Parallel()
	b := setup(t) // no public address: passkeys unavailable
	br := b.browser()
	br.lang = "fr"
	status, _, ref := br.begin("/signin/passkey/begin")
	if status != http.StatusConflict || !strings.HasPrefix(ref.Error, "Les clés d’accès ne sont pas disponibles") {
		t.Errorf("unavailable: %d %+v", status, ref)
	}
	// A second step without a pending sign-in goes back to the password.
	br = passkeyBundle(t).browser()
	status, _, ref = br.begin("/signin/second-factor/passkey/begin")
	if status != http.StatusUnauthorized || ref.Redirect != "/signin?expired=1" {
		t.Errorf("second step without a pending sign-in: %d %+v", status, ref)
	}
}

func TestSEC1_ConsolePasskeySecondStepAndPasswordlessSignIn(t *testing.T) {
	t.Parallel()
	b := passkeyBundle(t)
	u, _ := b.person("ada@example.ch", "Ada", "Muster", "en")
	a := passkeytest.New(b.server.URL)
	setupBrowser := b.browser()
	setupBrowser.signIn(u.Email)
	setupBrowser.addPasskey(a, "Laptop")

	// Password, then the passkey.
	br := b.browser()
	r := br.post("/signin", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/profile"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin/second-factor") {
		t.Fatalf("password: %d to %q", r.status, r.location)
	}
	mustContain(t, br.get(r.location).body, `data-testid="passkey-step"`)
	status, c, _ := br.begin("/signin/second-factor/passkey/begin")
	if status != http.StatusOK {
		t.Fatalf("begin: %d", status)
	}
	// A garbage answer is refused on the second-step page, which stays.
	r = br.post("/signin/second-factor/passkey/finish", url.Values{"token": {c.Token}, "response": {"{}"}, "next": {"/profile"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("garbage: %d %q", r.status, r.location)
	}
	mustContain(t, r.body, "This passkey was not accepted", `action="/signin/second-factor"`)
	_, c, _ = br.begin("/signin/second-factor/passkey/begin")
	answer, err := a.Get(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	r = br.post("/signin/second-factor/passkey/finish", url.Values{"token": {c.Token}, "response": {string(answer)}, "next": {"/profile"}})
	if r.status != http.StatusSeeOther || r.location != "/profile" || br.cookie(sessionCookie) == "" {
		t.Fatalf("passkey step: %d to %q", r.status, r.location)
	}
	if br.cookie(challengeCookie) != "" {
		t.Error("the pending sign-in's cookie is still there")
	}

	// Password-less, in a new browser.
	br = b.browser()
	_, c, _ = br.begin("/signin/passkey/begin")
	answer, err = a.Get(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	r = br.post("/signin/passkey/finish", url.Values{"token": {c.Token}, "response": {string(answer)}, "next": {"/profile/security"}})
	if r.status != http.StatusSeeOther || r.location != "/profile/security" || br.cookie(sessionCookie) == "" {
		t.Fatalf("password-less: %d to %q", r.status, r.location)
	}

	// An unknown passkey: the sign-in page, one generic message.
	stranger := passkeytest.New(b.server.URL)
	if err := stranger.Mint("localhost", []byte("0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	br = b.browser()
	_, c, _ = br.begin("/signin/passkey/begin")
	answer, err = stranger.Get(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	r = br.post("/signin/passkey/finish", url.Values{"token": {c.Token}, "response": {string(answer)}})
	if r.status != http.StatusUnauthorized || br.cookie(sessionCookie) != "" {
		t.Fatalf("unknown passkey: %d to %q", r.status, r.location)
	}
	mustContain(t, r.body, "This passkey was not accepted. Sign in with your e-mail address and password.", `id="password"`)
}

func TestSEC5_ConsolePasskeyRenameAndRemove(t *testing.T) {
	t.Parallel()
	b := passkeyBundle(t)
	u, _ := b.person("ada@example.ch", "Ada", "Muster", "en")
	zoe, _ := b.person("zoe@example.ch", "Zoe", "Muster", "en")
	br := b.browser()
	br.signIn(u.Email)
	br.addPasskey(passkeytest.New(b.server.URL), "Laptop")
	br.addPasskey(passkeytest.New(b.server.URL), "Phone")
	zb := b.browser()
	zb.signIn(zoe.Email)
	zb.addPasskey(passkeytest.New(b.server.URL), "Zoe's")
	mine, err := b.security.Passkeys(t.Context(), u.ID)
	if err != nil || len(mine) != 2 {
		t.Fatalf("passkeys: %v, %v", mine, err)
	}
	theirs, err := b.security.Passkeys(t.Context(), zoe.ID)
	if err != nil || len(theirs) != 1 {
		t.Fatalf("zoe's passkeys: %v, %v", theirs, err)
	}

	// Another person's passkey: not found.
	r := br.post("/profile/security/passkeys/"+theirs[0].ID+"/rename", url.Values{"name": {"Mine"}})
	if r.status != http.StatusNotFound {
		t.Errorf("renaming zoe's passkey: %d", r.status)
	}
	r = br.post("/profile/security/passkeys/"+theirs[0].ID+"/remove", url.Values{"password": {testPassword}})
	if r.status != http.StatusNotFound {
		t.Errorf("removing zoe's passkey: %d", r.status)
	}

	// Rename.
	r = br.post("/profile/security/passkeys/"+mine[0].ID+"/rename", url.Values{"name": {""}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty name: %d", r.status)
	}
	mustContain(t, r.body, "Enter a name; it cannot be empty or too long.")
	if !strings.Contains(r.body, `<details class="method-action" open>`) {
		t.Error("the rename form is not open after a refusal")
	}
	r = br.post("/profile/security/passkeys/"+mine[0].ID+"/rename", url.Values{"name": {"Work laptop"}})
	if r.status != http.StatusSeeOther || r.location != "/profile/security?passkey_renamed=1#method-passkey" {
		t.Fatalf("rename: %d to %q", r.status, r.location)
	}
	mustContain(t, br.get("/profile/security").body, "Work laptop")

	// Remove: the password first.
	r = br.post("/profile/security/passkeys/"+mine[0].ID+"/remove", url.Values{"password": {"wrong password"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong password: %d", r.status)
	}
	mustContain(t, r.body, "The current password is wrong.")
	r = br.post("/profile/security/passkeys/"+mine[0].ID+"/remove", url.Values{"password": {testPassword}})
	if r.status != http.StatusSeeOther || r.location != "/profile/security?passkey_removed=1#method-passkey" {
		t.Fatalf("remove one of two: %d to %q", r.status, r.location)
	}
	r = br.post("/profile/security/passkeys/"+mine[1].ID+"/remove", url.Values{"password": {testPassword}})
	if r.status != http.StatusSeeOther || r.location != "/profile/security?two_step_off=1#two-step" {
		t.Fatalf("remove the last: %d to %q", r.status, r.location)
	}
	if on, err := b.security.Required(t.Context(), u.ID); err != nil || on {
		t.Errorf("two-step sign-in after the last passkey: %v, %v", on, err)
	}
}
