package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// password signs in up to the second step and waits for its form.
func (j *journey) password(email string) {
	j.t.Helper()
	j.open("/signin", "#password")
	j.must("password of "+email,
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signin/second-factor"] #code`)))
}

// TestSEC1_BrowserJourneyOneTimeCodesAndBackupCodes: switch on one-time
// codes with the QR page (the secret read from the page, the code computed
// as an app would), see the backup codes once, sign in again with a code,
// then with a backup code, and see the same backup code refused.
func TestSEC1_BrowserJourneyOneTimeCodesAndBackupCodes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u, _ := b.person("ada@example.ch", "Ada", "Muster", "en")
	j := newJourney(t, b, "en-US")
	j.signIn(u.Email)

	// Switch on.
	j.must("security page", chromedp.Click(chromedp.CSS(`.sidebar a[href="/profile/security"]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=totp-start]")))
	j.shot("security-two-step-off")
	j.must("start", chromedp.Click(chromedp.CSS("[data-testid=totp-start]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=totp-qr]")))
	loaded, err := chromedp.Run(j.ctx, chromedp.Evaluate[bool](
		`(() => { const i = document.querySelector("[data-testid=totp-qr]"); return i.complete && i.naturalWidth > 0 })()`))
	if err != nil || !loaded {
		t.Errorf("the QR code image did not load (%v): the page's CSP or the data: URL is wrong", err)
	}
	j.shot("totp-setup")
	secret := strings.ReplaceAll(j.text("[data-testid=totp-secret]"), " ", "")
	j.must("first code",
		chromedp.SendKeys(chromedp.CSS("#code"), b.code(secret)),
		chromedp.Click(chromedp.CSS(`form[action="/profile/security/totp/confirm"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=backup-codes-text]")))
	text, err := chromedp.Run(j.ctx, chromedp.Value(chromedp.CSS("[data-testid=backup-codes-text]")))
	if err != nil {
		t.Fatal(err)
	}
	codes := strings.Fields(text)
	if len(codes) != 10 {
		t.Fatalf("the page shows %d backup codes, want 10: %q", len(codes), text)
	}
	href, err := chromedp.Run(j.ctx, chromedp.AttributeValue(chromedp.CSS("[data-testid=backup-download]"), "href"))
	if err != nil || !strings.HasPrefix(href.Value, "data:text/plain;charset=utf-8;base64,") {
		t.Errorf("the download link is %q (%v)", href.Value, err)
	}
	j.waitFor("copy button revealed", `!document.querySelector("[data-copy]").hidden`)
	j.shot("backup-codes")
	j.must("done", chromedp.Click(chromedp.CSS("[data-testid=backup-done]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=backup-remaining]")))
	if got := j.text("[data-testid=two-step-state]"); got != "On" {
		t.Errorf("two-step state %q, want On", got)
	}
	j.shot("security-two-step-on")

	// Sign in again: password, then a code from the app.
	b.clock.Advance(30 * time.Second) // the app's next code
	j.signOut()
	j.password(u.Email)
	j.shot("second-step")
	j.must("code",
		chromedp.SendKeys(chromedp.CSS("#code"), "111111"),
		chromedp.Click(chromedp.CSS(`form[action="/signin/second-factor"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-error")))
	j.shot("second-step-wrong-code")
	j.must("right code",
		chromedp.SetValue(chromedp.CSS("#code"), b.code(secret)),
		chromedp.Click(chromedp.CSS(`form[action="/signin/second-factor"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))
	j.shot("home-after-code")

	// With a backup code.
	j.signOut()
	j.password(u.Email)
	j.must("backup mode", chromedp.Click(chromedp.CSS(`a[href="/signin/second-factor?backup=1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#code[inputmode=text]`)))
	j.shot("second-step-backup")
	j.must("backup code",
		chromedp.SendKeys(chromedp.CSS("#code"), codes[0]),
		chromedp.Click(chromedp.CSS(`form[action="/signin/second-factor"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))

	j.open("/profile/activity", "[data-testid=activity-row]")
	j.shot("activity")

	// The same backup code again: refused.
	j.signOut()
	j.password(u.Email)
	j.must("used backup code",
		chromedp.SendKeys(chromedp.CSS("#code"), codes[0]),
		chromedp.Click(chromedp.CSS(`form[action="/signin/second-factor"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-error")))
	if got := j.text(".alert-error"); !strings.Contains(got, "already used") {
		t.Errorf("refusal %q, want the code_invalid message", got)
	}
	j.shot("backup-code-reused")

	// The second step on a phone.
	j.must("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	j.open("/signin/second-factor", "#code")
	j.shot("phone-second-step")
	j.must("phone backup code",
		chromedp.SendKeys(chromedp.CSS("#code"), codes[1]),
		chromedp.Click(chromedp.CSS(`form[action="/signin/second-factor"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))
	j.open("/profile/security", "[data-testid=two-step]")
	if got := j.text("[data-testid=backup-remaining]"); !strings.HasPrefix(got, "8 of 10") {
		t.Errorf("backup codes left: %q, want 8 of 10", got)
	}
	j.shot("phone-security")
}
