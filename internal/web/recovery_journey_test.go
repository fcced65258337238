package web

import (
	"context"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
)

var temporaryName = regexp.MustCompile(`\b[A-Z]{1,2}[0-9]{4,6}\b`)

// TestSEC10_BrowserJourneyRecoveryMode: the operator puts an account in
// recovery (its mailbox was deleted); the person reads the temporary user
// name in the SMS, signs in with it and the usual password, lands on the
// page that sets a new login e-mail, enters one, opens the link sent there
// and is in the console. Then the security page with its methods, off and
// on.
func TestSEC10_BrowserJourneyRecoveryMode(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	phone := "+41791234567"
	if _, err := b.accounts.UpdateProfile(context.Background(), u.ID, account.ProfileUpdate{Phone: &phone}, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	j := newJourney(t, b, "en-US")

	// The mail system deletes the mailbox: the operator's side calls this.
	if _, err := b.accounts.EnterRecovery(context.Background(), u.Email, audit.Meta{UserAgent: "alpage-cli"}); err != nil {
		t.Fatal(err)
	}
	sms := outbox(t, b, phone, "security_recovery_mode_sms")
	if len(sms) != 1 {
		t.Fatalf("%d SMS, want 1", len(sms))
	}
	name := temporaryName.FindString(sms[0].BodyText)
	if name == "" {
		t.Fatalf("no temporary user name in the SMS %q", sms[0].BodyText)
	}

	j.open("/signin", "#password")
	j.must("sign in with "+name,
		chromedp.SendKeys(chromedp.CSS("#email"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/recovery/email"] #email`)))
	j.shot("recovery-page")
	if got := j.text("p.lead"); got == "" {
		t.Error("the recovery page does not explain itself")
	}
	// Any console page leads back here.
	j.open("/profile", `form[action="/recovery/email"] #email`)
	j.must("new login",
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@new.example"),
		chromedp.Click(chromedp.CSS("[data-testid=recovery-submit]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=recovery-sent]")))
	j.shot("recovery-link-sent")
	j.must("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	j.shot("phone-recovery-link-sent")
	j.must("desktop", chromedp.EmulateViewport(1280, 900))

	link := outboxLink(t, b, "ada@new.example", "/recovery/email/confirm")
	j.open(link.RequestURI(), "[data-testid=current-org]")
	if got := j.text("[data-testid=current-org]"); got != o.Name {
		t.Errorf("the console after recovery shows %q, want %q", got, o.Name)
	}
	j.shot("console-after-recovery")

	// The security page: two-step sign-in off, then on with one-time codes.
	j.open("/profile/security", "[data-testid=method-totp]")
	if got := j.text("[data-testid=two-step-state]"); got != "Off" {
		t.Errorf("two-step state %q, want Off", got)
	}
	j.shot("security-methods-off")
	b.enableTOTP(u)
	j.open("/profile/security", "[data-testid=backup-remaining]")
	if got := j.text("[data-testid=totp-state]"); got != "On" {
		t.Errorf("one-time codes %q, want On", got)
	}
	j.must("open remove", chromedp.Click(chromedp.CSS("#method-totp summary")),
		chromedp.WaitVisible(chromedp.CSS("#disable-password")))
	j.shot("security-methods-on")
	j.must("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	j.open("/profile/security", "[data-testid=method-totp]")
	j.shot("phone-security-methods")
}
