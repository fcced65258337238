package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// passkeyBundle is a console reached at http://localhost:PORT — WebAuthn
// refuses IP addresses as the relying party — whose security service is the
// relying party of that address.
func passkeyBundle(t *testing.T) *testBundle {
	t.Helper()
	b := setup(t)
	b.server.URL = strings.Replace(b.server.URL, "http://127.0.0.1:", "http://localhost:", 1)
	if err := b.security.UseWebAuthn(b.server.URL); err != nil {
		t.Fatalf("UseWebAuthn(%s): %v", b.server.URL, err)
	}
	return b
}

// virtualAuthenticator gives the journey's tab a platform authenticator
// that holds discoverable credentials and verifies its user, answering at
// once (Chromium's virtual authenticator, through the DevTools protocol).
func (j *journey) virtualAuthenticator() webauthn.AuthenticatorID {
	j.t.Helper()
	if _, err := chromedp.Call(j.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		j.t.Fatalf("enabling WebAuthn: %v", err)
	}
	res, err := chromedp.Call(j.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true,
		}})
	if err != nil {
		j.t.Fatalf("adding a virtual authenticator: %v", err)
	}
	return res.AuthenticatorID
}

func (j *journey) credentials(id webauthn.AuthenticatorID) []*webauthn.Credential {
	j.t.Helper()
	res, err := chromedp.Call(j.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
	if err != nil {
		j.t.Fatalf("reading the authenticator's credentials: %v", err)
	}
	return res.Credentials
}

// TestSEC1_BrowserJourneyPasskey, in Chromium with a virtual authenticator:
// add a passkey on the security page (the first method: the backup codes
// are shown once), sign out, sign in with the password and the passkey as
// second step; sign out, sign in with the passkey alone; a passkey the
// device refuses to verify shows the translated message and opens nothing.
func TestSEC1_BrowserJourneyPasskey(t *testing.T) {
	t.Parallel()
	b := passkeyBundle(t)
	u, _ := b.person("ada@example.ch", "Ada", "Muster", "en")
	j := newJourney(t, b, "en-US")
	auth := j.virtualAuthenticator()
	j.signIn(u.Email)

	// (a) Add a passkey on the security page.
	j.open("/profile/security", "[data-testid=passkey-add]")
	j.shot("passkey-security-none")
	j.must("open the add form", chromedp.Click(chromedp.CSS("[data-testid=passkey-add]")),
		chromedp.WaitVisible(chromedp.CSS("#passkey-new-name")))
	j.must("create",
		chromedp.SendKeys(chromedp.CSS("#passkey-new-name"), "Work laptop"),
		chromedp.Click(chromedp.CSS("[data-testid=passkey-create]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=backup-codes-text]")))
	codes, err := chromedp.Run(j.ctx, chromedp.Value(chromedp.CSS("[data-testid=backup-codes-text]")))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(codes)); n != 10 {
		t.Errorf("the first passkey shows %d backup codes, want 10", n)
	}
	if got := j.text(".alert-success"); !strings.Contains(got, "Passkey added") {
		t.Errorf("notice %q, want the passkey one", got)
	}
	j.shot("passkey-backup-codes")
	creds := j.credentials(auth)
	if len(creds) != 1 || !creds[0].IsResidentCredential || creds[0].RpID != "localhost" {
		t.Fatalf("the authenticator holds %+v, want one discoverable credential for localhost", creds)
	}
	j.must("done", chromedp.Click(chromedp.CSS("[data-testid=backup-done]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=passkey-list]")))
	if got := j.text("[data-testid=passkey-name]"); got != "Work laptop" {
		t.Errorf("passkey listed as %q", got)
	}
	if got := j.text("[data-testid=two-step-state]"); got != "On" {
		t.Errorf("two-step state %q, want On", got)
	}
	j.shot("passkey-security-one")

	// Sign out; the password, then "Use a passkey" as the second step.
	j.signOut()
	j.password(u.Email)
	j.waitFor("passkey button revealed", `!document.querySelector("[data-testid=passkey-step]").hidden`)
	j.shot("passkey-second-step")
	j.must("use a passkey", chromedp.Click(chromedp.CSS("[data-testid=passkey-step-button]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))
	j.shot("passkey-home-after-second-step")
	if n := j.b.audits(u.ID, "session.second_factor_ok", "passkey"); n != 1 {
		t.Errorf("%d second steps passed by passkey, want 1", n)
	}

	// (b) Sign out; sign in with the passkey alone.
	j.signOut()
	j.waitFor("passkey sign-in revealed", `!document.querySelector("[data-testid=passkey-signin]").hidden`)
	j.shot("passkey-signin-page")
	j.must("sign in with a passkey", chromedp.Click(chromedp.CSS("[data-testid=passkey-signin-button]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))
	j.shot("passkey-home-passwordless")
	if n := j.b.audits(u.ID, "session.passkey_signin", ""); n != 1 {
		t.Errorf("%d password-less sign-ins recorded, want 1", n)
	}
	j.open("/profile/security", "[data-testid=passkey-list]")
	if got := j.text("[data-testid=passkey-item] .list-sub"); strings.Contains(got, "never used") {
		t.Errorf("the passkey's last use is not shown: %q", got)
	}
	j.must("open remove", chromedp.Click(chromedp.CSS("[data-testid=passkey-remove]")),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/remove"] input[type=password]`)))
	j.shot("passkey-remove-form")
	j.must("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	j.open("/profile/security", "[data-testid=passkey-list]")
	j.shot("passkey-security-phone")
	j.must("desktop", chromedp.EmulateViewport(1280, 900))

	// The device cannot verify its user: the browser refuses, the page says
	// so in the visitor's words, and nobody is signed in.
	j.signOut()
	if _, err := chromedp.Call(j.ctx, webauthn.SetUserVerified, webauthn.SetUserVerifiedParams{
		AuthenticatorID: auth, IsUserVerified: false}); err != nil {
		t.Fatal(err)
	}
	j.waitFor("passkey sign-in revealed", `!document.querySelector("[data-testid=passkey-signin]").hidden`)
	j.must("refused passkey", chromedp.Click(chromedp.CSS("[data-testid=passkey-signin-button]")),
		chromedp.WaitVisible(chromedp.CSS("[data-passkey-error]")))
	if got := j.text("[data-passkey-error]"); got != "The passkey request was cancelled or timed out. Try again when you are ready." {
		t.Errorf("message %q, want the cancelled one", got)
	}
	j.shot("passkey-signin-refused")
	if n := j.b.audits(u.ID, "session.passkey_signin", ""); n != 1 {
		t.Errorf("a refused passkey signed in: %d sign-ins", n)
	}
}

// audits counts userID's audit events of action, with data containing
// with when it is not empty.
func (b *testBundle) audits(userID, action, with string) int {
	b.t.Helper()
	var n int
	err := b.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_events
		WHERE subject_user_id = $1 AND action = $2 AND data LIKE $3`, userID, action, "%"+with+"%").Scan(&n)
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}
