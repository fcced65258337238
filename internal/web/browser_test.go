package web

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alpage/alpage/internal/audit"
)

// chromium finds Debian's chromium, or skips the test loudly (fails on CI).
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser journey skipped in -short mode")
	}
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is missing: install the Debian package chromium")
	}
	t.Skip("SKIPPED: chromium is not installed; the console's browser journey did not run")
	return ""
}

// artifactDir is test-artifacts/console at the repository root.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	out := filepath.Join(dir, "test-artifacts", "console")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestACC2_BrowserJourney walks a person through the console in Chromium:
// sign up, confirm, sign in, switch organization, edit the profile, create an
// API token, sign out. Every page is saved as a screenshot, on a desktop and
// on a phone.
func TestACC2_BrowserJourney(t *testing.T) {
	t.Parallel()
	exe := chromium(t)
	b := setup(t)
	shots := artifactDir(t)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser without a timeout
		t.Fatalf("starting chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	must := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	desktop := chromedp.EmulateViewport(1280, 860)
	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)
	base := b.server.URL

	// Sign up.
	must("open sign-up", desktop, chromedp.Navigate(base+"/signup?lang=en"), chromedp.WaitVisible(chromedp.CSS("#first_name")))
	shot("01-signup")
	must("fill sign-up",
		chromedp.SendKeys(chromedp.CSS("#first_name"), "Ada"),
		chromedp.SendKeys(chromedp.CSS("#last_name"), "Muster"),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.ch"),
		chromedp.SendKeys(chromedp.CSS("#password"), "short"),
		chromedp.Click(chromedp.CSS(`form[action="/signup"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#password-error")))
	shot("02-signup-error")
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#email"))); v != "ada@example.ch" {
		t.Errorf("the e-mail was not kept after a refusal: %q", v)
	}
	must("fix password",
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.SendKeys(chromedp.CSS("#company"), "Muster Consulting AG"),
		chromedp.Click(chromedp.CSS(`form[action="/signup"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".big-icon")))
	shot("03-check-inbox")

	// Confirm through the link of the e-mail.
	link := confirmationLink(t, b, "ada@example.ch")
	must("confirm", chromedp.Navigate(base+link.RequestURI()), chromedp.WaitVisible(chromedp.CSS(".big-icon-success")))
	shot("04-confirmed")

	// Sign in.
	must("open sign-in", chromedp.Click(chromedp.CSS(`a[href="/signin"]`)), chromedp.WaitVisible(chromedp.CSS("#password")))
	must("sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.ch"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))
	if got := text("[data-testid=current-org]"); got != "Muster Consulting AG" {
		t.Errorf("header shows organization %q, want Muster Consulting AG", got)
	}
	shot("05-home")

	// A second organization, then switch to it from the header (ACC-4).
	u, err := b.accounts.GetByEmail(context.Background(), "ada@example.ch")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.orgs.Create(context.Background(), u.ID, "Ada Muster", "individual", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	must("open switcher", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".org-summary")),
		chromedp.Click(chromedp.CSS(".org-summary")), chromedp.WaitVisible(chromedp.CSS(".org-list")))
	if got := text("[data-testid=current-org]"); got != "Muster Consulting AG" {
		t.Errorf("a new organization changed the selected one to %q", got)
	}
	shot("06-org-switcher")
	// htmx swaps the page in place: wait for the header to change.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.org-list button:not([aria-current])`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("[data-testid=current-org]").textContent.trim() === "Ada Muster"`,
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("after switching, the header does not show Ada Muster (%v); it shows %q", err, text("[data-testid=current-org]"))
	}

	// Avatar menu and profile.
	must("open avatar menu", chromedp.Click(chromedp.CSS(".avatar-button")), chromedp.WaitVisible(chromedp.CSS(`.user-menu a[href="/profile"]`)))
	shot("07-avatar-menu")
	must("profile", chromedp.Click(chromedp.CSS(`.user-menu a[href="/profile"]`)), chromedp.WaitVisible(chromedp.CSS("#time_zone")))
	shot("08-profile")
	must("save profile in French",
		chromedp.SetValue(chromedp.CSS("#language"), "fr"),
		chromedp.SetValue(chromedp.CSS("#country"), "FR"),
		chromedp.SetValue(chromedp.CSS("#time_zone"), "Europe/Paris"),
		chromedp.Click(chromedp.CSS(`form[action="/profile"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-success")))
	if got := text(".alert-success"); got != "Votre profil a été enregistré." {
		t.Errorf("after saving, the notice is %q, want it in French", got)
	}
	shot("09-profile-saved-fr")

	// API token, shown once.
	must("tokens", chromedp.Click(chromedp.CSS(`.sidebar a[href="/profile/tokens"]`)), chromedp.WaitVisible(chromedp.CSS("#token-name")))
	must("create token", chromedp.SendKeys(chromedp.CSS("#token-name"), "Script de sauvegarde"),
		chromedp.Click(chromedp.CSS(`form[action="/profile/tokens"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=new-token]")))
	secret, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("[data-testid=new-token]")))
	if err != nil || !strings.HasPrefix(secret, "alp_") {
		t.Errorf("new token field holds %q (%v), want a secret starting alp_", secret, err)
	}
	// htmx fires htmx:load once the new content settles; app.js then reveals the button.
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`!document.querySelector("[data-copy]").hidden`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("the copy button is not revealed with JavaScript on: %v", err)
	}
	shot("10-token-created")

	// Phone.
	must("phone home", phone, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".nav-toggle")))
	shot("11-phone-home")
	must("phone menu", chromedp.Click(chromedp.CSS(".nav-toggle")), chromedp.WaitVisible(chromedp.CSS(".sidebar.is-open")))
	shot("12-phone-menu")
	must("phone tokens", chromedp.Navigate(base+"/profile/tokens"), chromedp.WaitVisible(chromedp.CSS("#token-name")))
	shot("13-phone-tokens")

	// Sign out.
	must("sign out", desktop, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".avatar-button")),
		chromedp.Click(chromedp.CSS(".avatar-button")),
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-success")))
	shot("14-signed-out")
	must("phone sign-in", phone, chromedp.Navigate(base+"/signin?lang=de"), chromedp.WaitVisible(chromedp.CSS("#email")))
	shot("15-phone-signin-de")
}

// confirmationLink reads the confirmation link from the outbox.
func confirmationLink(t *testing.T, b *testBundle, email string) *url.URL {
	t.Helper()
	msgs, err := b.notifier.List(context.Background(), email, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		for _, l := range m.Links {
			if u, err := url.Parse(l); err == nil && u.Path == "/confirm" {
				return u
			}
		}
	}
	t.Fatalf("no confirmation link for %s in the outbox", email)
	return nil
}
