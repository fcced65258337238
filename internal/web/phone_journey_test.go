package web

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// phoneTab is a second browser context of the journey's Chromium, with its
// own cookies and storage: the person's phone, an iPhone-sized screen.
func (j *journey) phoneTab() *journey {
	j.t.Helper()
	ctx, cancel := chromedp.NewContext(j.ctx, chromedp.WithNewBrowserContext())
	j.t.Cleanup(cancel)
	p := &journey{t: j.t, b: j.b, ctx: ctx, shots: j.shots, n: 50}
	p.must("phone screen", chromedp.Emulate(device.IPhone12Pro))
	return p
}

// TestSEC4_BrowserJourneyPushApprovalWithAPhone: on the computer, add a
// phone from the security page; the phone (a second browser context) opens
// the QR code's link and claims it; the computer sees the phone by itself
// and confirms. Signing in again, the computer shows a number; the phone
// shows the request by itself with three numbers, the person taps the one
// the computer shows, and the computer lands signed in by itself. Last, the
// phone page opens offline with its one-time codes.
func TestSEC4_BrowserJourneyPushApprovalWithAPhone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.handler.BaseURL = b.server.URL
	u, _ := b.person("ada@example.ch", "Ada", "Muster", "en")
	j := newJourney(t, b, "en-US")
	j.signIn(u.Email)

	// The computer: Security › Add a phone.
	j.open("/profile/security", "[data-testid=phone-add]")
	j.must("add a phone", chromedp.Click(chromedp.CSS("[data-testid=phone-add]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=pairing-qr]")))
	loaded, err := chromedp.Run(j.ctx, chromedp.Evaluate[bool](
		`(() => { const i = document.querySelector("[data-testid=pairing-qr]"); return i.complete && i.naturalWidth > 0 })()`))
	if err != nil || !loaded {
		t.Errorf("the pairing QR code did not load (%v)", err)
	}
	link := j.text("[data-testid=pairing-link]")
	j.shot("pairing-qr")

	// The phone opens the QR code's link and links itself.
	phone := j.phoneTab()
	phone.must("open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("[data-testid=pair-claim]")))
	if got := phone.text("[data-testid=pair-email]"); got != u.Email {
		t.Errorf("the phone offers to link %q, want %s", got, u.Email)
	}
	phone.shot("phone-pair")
	phone.must("claim", chromedp.Click(chromedp.CSS("[data-testid=pair-claim]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=pair-claimed]")))
	phone.shot("phone-paired")

	// The computer sees the phone by itself, and confirms.
	j.must("the phone appears", chromedp.WaitVisible(chromedp.CSS("[data-testid=pairing-confirm]")))
	if got := j.text("[data-testid=pairing-phone]"); got != "Safari on iOS" {
		t.Errorf("the computer shows the phone %q, want Safari on iOS", got)
	}
	j.shot("pairing-claimed")
	j.must("confirm", chromedp.Click(chromedp.CSS("[data-testid=pairing-confirm]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=backup-codes-text]")))
	j.shot("phone-linked-backup-codes")
	j.must("done", chromedp.Click(chromedp.CSS("[data-testid=backup-done]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=phone-row]")))
	j.shot("security-with-phone")

	// The phone's page: the account and its code, computed on the phone.
	phone.open("/phone/", "[data-testid=phone-account]")
	phone.waitFor("the one-time code", `(document.querySelector("[data-code-for] [data-code-digits]") || {}).textContent.trim().length === 7`)
	st, err := b.security.Status(context.Background(), u.ID)
	if err != nil || len(st.Phones) != 1 {
		t.Fatal(st, err)
	}
	secrets, err := b.security.PhoneCodes(context.Background(), st.Phones[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	const at = 1_800_000_000
	jsCode, err := chromedp.Run(phone.ctx, chromedp.Evaluate[string](
		`window.alpageTOTP(`+strconv.Quote(secrets[0].Secret)+`, `+strconv.Itoa(at)+`)`, chromedp.EvalAwaitPromise))
	want, _ := totp.GenerateCodeCustom(secrets[0].Secret, time.Unix(at, 0), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil || jsCode != want {
		t.Errorf("the phone's code at %d = %q (%v), want %q", at, jsCode, err, want)
	}
	phone.shot("phone-home")

	// Sign in again on the computer: the number to tap.
	j.signOut()
	j.password(u.Email)
	j.must("the number", chromedp.WaitVisible(chromedp.CSS("[data-testid=push-number]")))
	n := j.text("[data-testid=push-number]")
	j.shot("push-waiting")

	// The phone shows the request by itself; the person taps that number.
	phone.must("the request", chromedp.WaitVisible(chromedp.CSS("[data-testid=phone-request]")))
	offered, err := chromedp.Run(phone.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("[data-testid=request-number]")).map(b => b.value)`))
	if err != nil || len(offered) != 3 {
		t.Fatalf("the phone offers %v (%v), want 3 numbers", offered, err)
	}
	phone.shot("phone-request")
	phone.must("tap "+n, chromedp.Click(chromedp.CSS(`[data-testid=request-number][value="`+n+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-success")))
	phone.shot("phone-approved")

	// The computer goes on by itself.
	j.must("signed in by itself", chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))
	j.shot("signed-in-by-push")

	// Offline: the phone page comes from the service worker, with its codes.
	phone.waitFor("the service worker", `navigator.serviceWorker.controller !== null`)
	b.server.Close()
	phone.must("reload offline", chromedp.Navigate(b.server.URL+"/phone/"),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=phone-account]")))
	phone.waitFor("the offline code", `(document.querySelector("[data-code-for] [data-code-digits]") || {}).textContent.trim().length === 7`)
	phone.shot("phone-offline")
}
