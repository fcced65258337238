package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/i18n"
)

// firefoxOnWindows is the user agent of the second device of the SEC-6
// journey: another browser on another system than headless Chromium on Linux.
const firefoxOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"

// otherDevice is a second Chromium, with its own profile and cookies, that
// presents userAgent; its screenshots follow those of j in j's directory
// (testutil.ArtifactDir clears the directory, so it is called once a test).
func otherDevice(j *journey, userAgent string) *journey {
	t := j.t
	t.Helper()
	exe := chromium(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("lang", "en-US"),
		chromedp.UserAgent(userAgent), chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting the second chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(cancelTimeout)
	d := &journey{t: t, b: j.b, ctx: ctx, shots: j.shots, n: j.n}
	d.must("viewport", chromedp.EmulateViewport(1280, 900))
	return d
}

// TestSEC8_BrowserJourneyForgottenPasswordBySMS: from the sign-in page's
// "Forgot your password?" link, a user with a mobile number asks for a code
// by SMS, types the code of the SMS, chooses a new password, is sent back to
// the sign-in page with the "password changed" notice and signs in with the
// new password.
func TestSEC8_BrowserJourneyForgottenPasswordBySMS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	phone := "+41791234567"
	if _, err := b.accounts.UpdateProfile(context.Background(), u.ID, account.ProfileUpdate{Phone: &phone}, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	j := newJourney(t, b, "en-US")

	j.open("/signin", "#password")
	j.shot("signin")
	j.must("forgot link", chromedp.Click(chromedp.CSS(`a[href="/signin/forgot"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin/forgot"] #email`)))
	if got := j.text(".auth-card h1"); got != i18n.T("en", "recovery.title") {
		t.Errorf("recovery page heading %q", got)
	}
	j.shot("forgot-email")
	j.must("e-mail", chromedp.SendKeys(chromedp.CSS("#email"), u.Email),
		chromedp.Click(chromedp.CSS(`form[action="/signin/forgot"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name=method][value=sms]`)))
	j.shot("forgot-choose")
	j.must("by SMS", chromedp.Click(chromedp.CSS(`button[name=method][value=sms]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin/forgot/code"] #code`)))
	j.shot("forgot-code")

	sms := outbox(t, b, phone, "sms_code")
	if len(sms) != 1 || sms[0].Channel != "sms" {
		t.Fatalf("SMS to %s: %+v, want one sms_code", phone, sms)
	}
	code := sixDigits.FindString(sms[0].BodyText)
	if code == "" {
		t.Fatalf("no 6-digit code in the SMS %q", sms[0].BodyText)
	}
	j.must("code", chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS(`form[action="/signin/forgot/code"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin/forgot/reset"] #password`)))
	j.shot("forgot-new-password")
	j.must("new password", chromedp.SendKeys(chromedp.CSS("#password"), resetPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin/forgot/reset"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin"] #password`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-success")))
	if got := j.text(".alert-success"); got != i18n.T("en", "signin.reset_done") {
		t.Errorf("notice after the reset %q, want %q", got, i18n.T("en", "signin.reset_done"))
	}
	j.shot("signin-password-changed")

	j.must("sign in with the new password",
		chromedp.SendKeys(chromedp.CSS("#email"), u.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), resetPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))
	if got := j.text("[data-testid=current-org]"); got != o.Name {
		t.Errorf("home shows organization %q, want %q", got, o.Name)
	}
	j.shot("home")
}

// TestSEC6_BrowserJourneyNewDeviceAlert: the first sign-in sends no alert;
// a later sign-in from another device (another browser and system) sends
// exactly one "security_new_signin" e-mail, which carries no link.
func TestSEC6_BrowserJourneyNewDeviceAlert(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u, _ := b.person("ada@example.ch", "Ada", "Muster", "en")
	j := newJourney(t, b, "en-US")

	j.signIn(u.Email)
	j.shot("first-signin-home")
	if got := outbox(t, b, u.Email, "security_new_signin"); len(got) != 0 {
		t.Fatalf("%d new sign-in alerts after the very first sign-in, want 0", len(got))
	}
	j.signOut()
	j.shot("signed-out")

	other := otherDevice(j, firefoxOnWindows)
	other.signIn(u.Email)
	other.shot("other-device-home")
	mails := outbox(t, b, u.Email, "security_new_signin")
	if len(mails) != 1 {
		t.Fatalf("%d new sign-in alerts after a sign-in from another device, want 1", len(mails))
	}
	m := mails[0]
	if m.Channel != "email" {
		t.Errorf("alert channel %q, want email", m.Channel)
	}
	if len(m.Links) != 0 || strings.Contains(m.BodyText, "http") || strings.Contains(m.BodyHTML, "http") {
		t.Errorf("the alert carries a link (SEC-6 forbids it): links %v\ntext:\n%s\nhtml:\n%s", m.Links, m.BodyText, m.BodyHTML)
	}
	if !strings.Contains(m.BodyText, "Firefox on Windows") {
		t.Errorf("the alert does not name the new device:\n%s", m.BodyText)
	}
	other.open("/profile/activity", "[data-testid=activity-row]")
	other.shot("other-device-activity")
}
