package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/i18n"
)

// enableTOTP switches one-time codes on for u through the service, as the
// security page does, and returns the secret and the backup codes. The
// clock then moves to the next 30-second step, so that the next code is a
// new one.
func (b *testBundle) enableTOTP(u account.User) (secret string, codes []string) {
	b.t.Helper()
	ctx := context.Background()
	setup, err := b.security.StartTOTP(ctx, u.ID, audit.Meta{ActorID: u.ID})
	if err != nil {
		b.t.Fatalf("StartTOTP: %v", err)
	}
	codes, err = b.security.ConfirmTOTP(ctx, u.ID, b.code(setup.Secret), audit.Meta{ActorID: u.ID})
	if err != nil {
		b.t.Fatalf("ConfirmTOTP: %v", err)
	}
	b.clock.Advance(30 * time.Second)
	return setup.Secret, codes
}

// code is the one-time code of secret at the test clock's time.
func (b *testBundle) code(secret string) string {
	b.t.Helper()
	c, err := totp.GenerateCode(secret, b.clock.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

// password posts the first step of sign-in and expects the second.
func (br *browser) password(email, next string) {
	br.t.Helper()
	form := url.Values{"email": {email}, "password": {testPassword}}
	if next != "" {
		form.Set("next", next)
	}
	r := br.post("/signin", form)
	want := "/signin/second-factor"
	if next != "" && next != "/" {
		want += "?next=" + url.QueryEscape(next)
	}
	if r.status != http.StatusSeeOther || r.location != want {
		br.t.Fatalf("password step: status %d, location %q, want 303 to %s\n%s", r.status, r.location, want, r.body)
	}
	if br.cookie(sessionCookie) != "" {
		br.t.Fatal("a session was opened before the second step")
	}
}

// setCookieOf returns the Set-Cookie header of r for cookie name.
func setCookieOf(r response, name string) string {
	for _, h := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(h, name+"=") {
			return h
		}
	}
	return ""
}

func TestSEC1_SecondStepIsRequiredWhenTwoStepIsOn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	secret, _ := b.enableTOTP(u)
	br := b.browser()

	r := br.post("/signin", url.Values{"email": {u.Email}, "password": {testPassword}, "next": {"/profile/tokens"}})
	if r.status != http.StatusSeeOther || r.location != "/signin/second-factor?next=%2Fprofile%2Ftokens" {
		t.Fatalf("password step: status %d, location %q", r.status, r.location)
	}
	c := setCookieOf(r, challengeCookie)
	for _, attr := range []string{"Path=/signin", "Max-Age=300", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(c, attr) {
			t.Errorf("challenge cookie %q lacks %s", c, attr)
		}
	}
	if setCookieOf(r, sessionCookie) != "" {
		t.Fatal("the password alone opened a session")
	}
	if got := br.get("/profile"); got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/signin") {
		t.Fatalf("before the second step /profile gave %d %q, want the sign-in page", got.status, got.location)
	}

	form := br.get("/signin/second-factor?next=%2Fprofile%2Ftokens")
	if form.status != http.StatusOK {
		t.Fatalf("second-step form: status %d", form.status)
	}
	mustContain(t, form.body, `name="code"`, `autocomplete="one-time-code"`, `inputmode="numeric"`,
		`name="next" value="/profile/tokens"`, u.Email, html.EscapeString(i18n.T("en", "second_factor.code_hint")))

	wrong := br.post("/signin/second-factor", url.Values{"code": {"000000"}, "next": {"/profile/tokens"}})
	if wrong.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code: status %d, want 422", wrong.status)
	}
	mustContain(t, wrong.body, html.EscapeString(i18n.T("en", "error.code_invalid")), `aria-invalid="true"`)
	if br.cookie(sessionCookie) != "" {
		t.Fatal("a wrong code opened a session")
	}

	ok := br.post("/signin/second-factor", url.Values{"code": {b.code(secret)}, "next": {"/profile/tokens"}})
	if ok.status != http.StatusSeeOther || ok.location != "/profile/tokens" {
		t.Fatalf("right code: status %d, location %q, want 303 to /profile/tokens\n%s", ok.status, ok.location, ok.body)
	}
	if br.cookie(sessionCookie) == "" || br.cookie(challengeCookie) != "" {
		t.Fatalf("after the second step: session %q, challenge %q", br.cookie(sessionCookie), br.cookie(challengeCookie))
	}
	home := br.get("/")
	if home.status != http.StatusOK || !strings.Contains(home.body, `data-testid="current-org"`) {
		t.Fatalf("home after the second step: status %d", home.status)
	}
	// The session starts in the user's organization, as after any sign-in.
	sess, _, err := b.accounts.SessionByToken(context.Background(), br.cookie(sessionCookie))
	if err != nil || sess.OrganizationID == "" {
		t.Errorf("session %+v (%v) has no organization", sess, err)
	}

	// The same code again, on a new sign-in: refused (no replay).
	other := b.browser()
	other.password(u.Email, "")
	if r := other.post("/signin/second-factor", url.Values{"code": {b.code(secret)}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a replayed code: status %d, want 422", r.status)
	}
}

func TestSEC1_WithoutTwoStepTheSignInIsDirect(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	br := b.browser()
	r := br.post("/signin", url.Values{"email": {u.Email}, "password": {testPassword}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("sign-in: status %d, location %q", r.status, r.location)
	}
	if setCookieOf(r, challengeCookie) != "" || br.cookie(sessionCookie) == "" {
		t.Errorf("challenge cookie %q, session %q: want a session and no challenge",
			setCookieOf(r, challengeCookie), br.cookie(sessionCookie))
	}
	// Without a pending sign-in, the second step goes back to the password.
	if r := b.browser().get("/signin/second-factor"); r.status != http.StatusSeeOther || r.location != "/signin?expired=1" {
		t.Errorf("second step without a challenge: %d %q", r.status, r.location)
	}
}

func TestSEC2_BackupCodeWorksOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "de")
	_, codes := b.enableTOTP(u)
	if len(codes) != 10 {
		t.Fatalf("%d backup codes, want 10", len(codes))
	}

	br := b.browser()
	br.password(u.Email, "")
	backup := br.get("/signin/second-factor?backup=1")
	mustContain(t, backup.body, `inputmode="text"`, `name="backup" value="1"`)
	// With the dash left out and in capitals: still the code.
	typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))
	if r := br.post("/signin/second-factor", url.Values{"code": {typed}, "backup": {"1"}}); r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("backup code: status %d, location %q\n%s", r.status, r.location, r.body)
	}
	if r := br.get("/profile/security"); !strings.Contains(r.body, i18n.T("de", "two_step.remaining", 9)) {
		t.Errorf("the security page does not say 9 codes are left")
	}

	again := b.browser()
	again.lang = "de"
	again.password(u.Email, "")
	r := again.post("/signin/second-factor", url.Values{"code": {codes[3]}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("the same backup code again: status %d, want 422", r.status)
	}
	mustContain(t, r.body, html.EscapeString(i18n.T("de", "error.code_invalid")))
	if again.cookie(sessionCookie) != "" {
		t.Fatal("a used backup code opened a session")
	}
}

func TestSEC1_ExpiredChallengeGoesBackToSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "fr")
	secret, _ := b.enableTOTP(u)
	br := b.browser()
	br.password(u.Email, "/profile")

	b.clock.Advance(6 * time.Minute)
	r := br.post("/signin/second-factor", url.Values{"code": {b.code(secret)}, "next": {"/profile"}})
	if r.status != http.StatusSeeOther || r.location != "/signin?expired=1&next=%2Fprofile" {
		t.Fatalf("expired challenge: status %d, location %q", r.status, r.location)
	}
	if !strings.Contains(setCookieOf(r, challengeCookie), "Max-Age=0") || br.cookie(sessionCookie) != "" {
		t.Errorf("expired challenge: cookie %q not cleared, or a session opened", setCookieOf(r, challengeCookie))
	}
	br.lang = "fr"
	page := br.get(r.location)
	mustContain(t, page.body, html.EscapeString(i18n.T("fr", "signin.challenge_expired")), `name="next" value="/profile"`)
	if r := br.get("/signin/second-factor"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/signin?expired=1") {
		t.Errorf("the form of an expired challenge: %d %q", r.status, r.location)
	}
}

func TestSEC1_TooManyWrongCodesEndTheSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	secret, _ := b.enableTOTP(u)
	br := b.browser()
	br.password(u.Email, "")
	var last response
	for range 5 {
		last = br.post("/signin/second-factor", url.Values{"code": {"123 456"}})
	}
	if last.status != http.StatusSeeOther || last.location != "/signin?expired=1" {
		t.Fatalf("fifth wrong code: status %d, location %q, want back to the sign-in", last.status, last.location)
	}
	if r := br.post("/signin/second-factor", url.Values{"code": {b.code(secret)}}); r.location != "/signin?expired=1" {
		t.Errorf("a right code after the challenge ended: %d %q", r.status, r.location)
	}
}

var (
	secretRe = regexp.MustCompile(`data-testid="totp-secret">([A-Z2-7 ]+)<`)
	codesRe  = regexp.MustCompile(`(?s)data-testid="backup-codes-text">(.*?)</textarea>`)
)

func TestSEC1_SwitchOnInTheConsole(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "it")
	br := b.browser()
	br.signIn(u.Email)

	off := br.get("/profile/security")
	mustContain(t, off.body, `action="/profile/security/totp"`, html.EscapeString(i18n.T("it", "two_step.enable")),
		`action="/profile/security/email"`, `action="/profile/security/password"`, `action="/profile/security/close"`)

	setup := br.post("/profile/security/totp", url.Values{})
	if setup.status != http.StatusOK {
		t.Fatalf("start: status %d\n%s", setup.status, setup.body)
	}
	m := secretRe.FindStringSubmatch(setup.body)
	if m == nil {
		t.Fatalf("no secret on the set-up page:\n%s", setup.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	mustContain(t, setup.body, `src="data:image/svg&#43;xml;base64,`, `autocomplete="one-time-code"`)

	// A wrong first code shows the same secret again, with its QR code.
	wrong := br.post("/profile/security/totp/confirm", url.Values{"code": {"000000"}, "secret": {secret},
		"otpauth_url": {html.UnescapeString(regexp.MustCompile(`name="otpauth_url" value="([^"]+)"`).FindStringSubmatch(setup.body)[1])}})
	if wrong.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong first code: status %d", wrong.status)
	}
	mustContain(t, wrong.body, m[1], `src="data:image/png;base64,`, html.EscapeString(i18n.T("it", "error.code_invalid")))

	done := br.post("/profile/security/totp/confirm", url.Values{"code": {b.code(secret)}})
	if done.status != http.StatusOK {
		t.Fatalf("confirm: status %d\n%s", done.status, done.body)
	}
	cm := codesRe.FindStringSubmatch(done.body)
	if cm == nil || len(strings.Fields(cm[1])) != 10 {
		t.Fatalf("the page does not show 10 backup codes:\n%s", done.body)
	}
	mustContain(t, done.body, `href="data:text/plain;charset=utf-8;base64,`, `download="alpage-backup-codes.txt"`,
		html.EscapeString(i18n.T("it", "totp.enabled")))

	on := br.get("/profile/security")
	mustContain(t, on.body, `data-testid="two-step-state">`+i18n.T("it", "two_step.on"), i18n.T("it", "two_step.remaining", 10),
		`action="/profile/security/backup-codes"`, `action="/profile/security/totp/disable"`)
	if strings.Contains(on.body, strings.Fields(cm[1])[0]) {
		t.Error("the security page shows a backup code again")
	}
	if r := br.post("/profile/security/totp", url.Values{}); r.status != http.StatusConflict {
		t.Errorf("starting again while on: status %d, want 409", r.status)
	}
}

func TestSEC2_RegenerateAndSEC5_SwitchOff(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "es")
	secret, old := b.enableTOTP(u)
	br := b.browser()
	br.password(u.Email, "")
	if r := br.post("/signin/second-factor", url.Values{"code": {b.code(secret)}}); r.status != http.StatusSeeOther {
		t.Fatalf("second step: %d", r.status)
	}

	if r := br.post("/profile/security/backup-codes", url.Values{"password": {"wrong password"}}); r.status < 400 ||
		!strings.Contains(r.body, `id="regen-password" name="password" type="password" autocomplete="current-password" required aria-invalid="true"`) {
		t.Errorf("regenerate with a wrong password: status %d, field not marked", r.status)
	}
	r := br.post("/profile/security/backup-codes", url.Values{"password": {testPassword}})
	cm := codesRe.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || cm == nil || len(strings.Fields(cm[1])) != 10 || strings.Contains(cm[1], old[0]) {
		t.Fatalf("regenerate: status %d, codes %v", r.status, cm)
	}

	if r := br.post("/profile/security/totp/disable", url.Values{"password": {testPassword}, "code": {"000000"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("switch off with a wrong code: status %d, want 422", r.status)
	}
	b.clock.Advance(30 * time.Second)
	r = br.post("/profile/security/totp/disable", url.Values{"password": {testPassword}, "code": {b.code(secret)}})
	if r.status != http.StatusSeeOther || !strings.Contains(r.location, "two_step_off=1") {
		t.Fatalf("switch off: status %d, location %q\n%s", r.status, r.location, r.body)
	}
	mustContain(t, br.get(r.location).body, i18n.T("es", "two_step.disabled"), i18n.T("es", "two_step.enable"))
	b.browser().signIn(u.Email) // the password alone again
}

func TestSessionsSignOutOneAndOthers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	mine, laptop, phone := b.browser(), b.browser(), b.browser()
	mine.signIn(u.Email)
	laptop.signIn(u.Email)
	phone.signIn(u.Email)
	stranger := b.browser()
	b.user("eve@example.ch", "en")
	stranger.signIn("eve@example.ch")

	page := mine.get("/profile/security")
	if n := strings.Count(page.body, `data-testid="session-row"`); n != 3 {
		t.Fatalf("%d sessions listed, want 3", n)
	}
	if n := strings.Count(page.body, `data-testid="signout-session"`); n != 2 {
		t.Errorf("%d sign-out buttons, want 2 (not for this browser)", n)
	}
	mustContain(t, page.body, `data-current="true"`, i18n.T("en", "security.sessions.current"), `data-testid="signout-others"`)

	phoneSess, _, err := b.accounts.SessionByToken(context.Background(), phone.cookie(sessionCookie))
	if err != nil {
		t.Fatal(err)
	}
	// Eve cannot sign out Ada's phone.
	if r := stranger.post("/profile/sessions/"+phoneSess.ID+"/signout", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("another user's session: status %d, want 404", r.status)
	}
	if r := mine.post("/profile/sessions/"+phoneSess.ID+"/signout", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("sign out the phone: status %d", r.status)
	}
	if r := phone.get("/profile"); r.status != http.StatusSeeOther {
		t.Errorf("the signed-out phone still sees /profile (status %d)", r.status)
	}
	if r := laptop.get("/profile"); r.status != http.StatusOK {
		t.Errorf("the laptop was signed out too (status %d)", r.status)
	}

	r := mine.post("/profile/sessions/others/signout", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign out others: status %d", r.status)
	}
	mustContain(t, mine.get(r.location).body, i18n.T("en", "security.sessions.signed_out_others"))
	if r := laptop.get("/profile"); r.status != http.StatusSeeOther {
		t.Errorf("the laptop is still signed in (status %d)", r.status)
	}
	if r := mine.get("/profile"); r.status != http.StatusOK {
		t.Errorf("this browser was signed out (status %d)", r.status)
	}
	if r := stranger.get("/profile"); r.status != http.StatusOK {
		t.Errorf("another user's session was signed out (status %d)", r.status)
	}
}

func TestSEC7_ActivityPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "fr")
	if _, err := b.accounts.Authenticate(context.Background(), u.Email, "wrong password", audit.Meta{IP: "203.0.113.9",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0 Safari/537.36"}); err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if err := audit.Record(context.Background(), b.db, audit.Event{SubjectUserID: u.ID, Action: "something.new",
		CreatedAt: b.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	br := b.browser()
	br.signIn(u.Email)
	b.enableTOTP(u)
	r := br.get("/profile/activity")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	mustContain(t, r.body,
		html.EscapeString(i18n.T("fr", "activity.action.session.signin_failed")),
		html.EscapeString(i18n.T("fr", "activity.action.session.signed_in")),
		html.EscapeString(i18n.T("fr", "activity.action.security.totp_enabled")),
		html.EscapeString(i18n.T("fr", "activity.action.other")),
		"203.0.113.9", "Chrome sur Linux",
		`href="/profile/activity" aria-current="page"`)
	// The time is the user's (Europe/Zurich by default, French format).
	mustContain(t, r.body, i18n.FormatDateTime(b.clock.Now(), "fr", u.Country, u.TimeZone))
	if strings.Contains(r.body, ">activity.") || strings.Contains(r.body, ">something.new<") {
		t.Error("the activity page shows a raw key")
	}
}

// TestUI4_SecurityPagesInEveryLanguage draws every new page in each
// language; setup fails the test on any missing translation.
func TestUI4_SecurityPagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	for _, lang := range i18n.Languages {
		b := setup(t)
		u := b.user(lang+"@example.ch", lang)
		secret, _ := b.enableTOTP(u)
		br := b.browser()
		br.lang = lang
		br.password(u.Email, "")
		pages := []response{br.get("/signin/second-factor"), br.get("/signin/second-factor?backup=1"),
			br.post("/signin/second-factor", url.Values{"code": {"1"}})}
		br.post("/signin/second-factor", url.Values{"code": {b.code(secret)}})
		pages = append(pages, br.get("/profile/security"), br.get("/profile/activity"),
			br.post("/profile/security/backup-codes", url.Values{"password": {"nope"}}),
			br.post("/profile/security/backup-codes", url.Values{"password": {testPassword}}),
			br.post("/profile/security/totp/disable", url.Values{"password": {testPassword}, "code": {"x"}}),
			br.get("/profile/security?signed_out=1"), br.get("/profile/security?two_step_off=1"),
			br.post("/profile/security/totp", url.Values{}))
		anon := b.browser()
		anon.lang = lang
		pages = append(pages, anon.get("/signin?expired=1"))
		for i, p := range pages {
			if !strings.Contains(p.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s page %d (status %d) is not in %s", lang, i, p.status, lang)
			}
			if strings.Contains(p.body, "error.") || strings.Contains(p.body, "%!") ||
				strings.Contains(p.body, "two_step.") || strings.Contains(p.body, "second_factor.") {
				t.Errorf("%s page %d shows a raw key or a bad format:\n%s", lang, i, p.body)
			}
		}
	}
}

// TestSEC5_SwitchOffIsDisabledWithItsReasonWhenAnOrganizationRequiresIt:
// the control stays visible, disabled, with the reason next to it (ORG-10).
func TestSEC5_SwitchOffIsDisabledWithItsReasonWhenAnOrganizationRequiresIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	if _, err := b.db.ExecContext(context.Background(), `UPDATE organizations SET require_two_step = $1 WHERE id = $2`,
		true, o.ID); err != nil {
		t.Fatal(err)
	}
	br := b.browser()
	br.signIn(u.Email)
	off := br.get("/profile/security")
	mustContain(t, off.body, html.EscapeString(i18n.T("en", "two_step.required_by", o.Name)))

	b.enableTOTP(u)
	on := br.get("/profile/security")
	mustContain(t, on.body, `data-testid="disable-reason"`, html.EscapeString(i18n.T("en", "two_step.disable.required", o.Name)),
		`<fieldset disabled>`, `disabled aria-describedby="disable-reason"`)
}
