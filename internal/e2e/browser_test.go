package e2e

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alpage/alpage/internal/testutil"
)

// browser starts a headless Debian Chromium for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if found, err := exec.LookPath(p); err == nil {
			path = found
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium is not installed: `make test` installs Debian's chromium package")
		}
		t.Skip("CHROMIUM NOT FOUND: browser journey SKIPPED — install Debian's chromium (make test-deps)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// artifacts is where a test's screenshots go; set once per test, because
// testutil.ArtifactDir empties the directory.
var artifacts sync.Map // test name → directory

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir, ok := artifacts.Load(t.Name())
	if !ok {
		dir, _ = artifacts.LoadOrStore(t.Name(), testutil.ArtifactDir(t))
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100) /* 100 = PNG */)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir.(string), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(step, steps...); err != nil {
		screenshot(t, ctx, "failed-"+strings.ReplaceAll(what, " ", "-"))
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// The journey of issue #2 in real Chromium: sign up, open the confirmation
// link from the outbox, sign in, see the organization named after you,
// create an API token, and call /api/1/profile with it.
func TestConsoleJourneySignUpToAPIToken(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--dev", "--data", t.TempDir())
	ctx := browser(t)
	// Start the browser outside any step timeout: a timeout would stop it.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/signup")); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "01-signup")

	const email, password = "grace@example.ch", "a long secret 1906"
	run(t, ctx, "fill the sign-up form",
		chromedp.SendKeys(chromedp.CSS("#first_name"), "Grace"),
		chromedp.SendKeys(chromedp.CSS("#last_name"), "Hopper"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#email")),
		// The answer: "check your inbox", with a form to resend the link.
		chromedp.WaitVisible(chromedp.CSS(`form[action="/confirm/resend"]`)),
	)
	screenshot(t, ctx, "02-check-your-inbox")

	var outbox envelope[[]struct {
		Recipient string   `json:"recipient"`
		Subject   string   `json:"subject"`
		Links     []string `json:"links"`
	}]
	srv.call("GET", "/api/1/_dev/outbox?recipient="+url.QueryEscape(email), "", nil, &outbox)
	if len(outbox.Data) != 1 || len(outbox.Data[0].Links) == 0 {
		t.Fatalf("outbox of %s = %+v, want one confirmation e-mail with its link", email, outbox.Data)
	}
	link := ""
	for _, l := range outbox.Data[0].Links {
		if strings.Contains(l, "/confirm?token=") {
			link = l
		}
	}
	if !strings.HasPrefix(link, srv.URL) {
		t.Fatalf("confirmation link %q does not point at the server %s", link, srv.URL)
	}
	run(t, ctx, "open the confirmation link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("main")))
	screenshot(t, ctx, "03-confirmed")

	run(t, ctx, "sign in",
		chromedp.Navigate(srv.URL+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"][autocomplete="username"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="password"][autocomplete="current-password"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)),
	)
	waitPath(t, ctx, func(p string) bool { return p == "/" }, "the home page after sign-in")
	run(t, ctx, "home page", chromedp.WaitVisible(chromedp.CSS("main")))
	if body := text(t, ctx, "body"); !strings.Contains(body, "Grace Hopper") {
		t.Fatalf("the home page does not show the organization \"Grace Hopper\":\n%s", body)
	}
	screenshot(t, ctx, "04-home")

	run(t, ctx, "create an API token",
		chromedp.Navigate(srv.URL+"/profile/tokens"),
		chromedp.WaitVisible(chromedp.CSS("#token-name")),
		chromedp.SendKeys(chromedp.CSS("#token-name"), "laptop"),
		chromedp.Submit(chromedp.CSS("#token-name")),
		chromedp.WaitVisible(chromedp.CSS("#new-token")),
	)
	screenshot(t, ctx, "05-token-created")
	secret, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#new-token")))
	if err != nil || secret == "" {
		secret = strings.TrimSpace(text(t, ctx, "#new-token"))
	}
	if !strings.HasPrefix(secret, "alp_") {
		t.Fatalf("the page shows %q, want the new token", secret)
	}

	var p envelope[profile]
	if code := srv.call("GET", "/api/1/profile", secret, nil, &p); code != 200 || p.Data.Email != email || p.Data.FirstName != "Grace" {
		t.Fatalf("GET /api/1/profile with the console's token = %d %+v", code, p)
	}

	// The console in each language (UI-4): switch the profile's language
	// through the API and look at the home page.
	for _, lang := range []string{"fr", "de", "it", "es", "en"} {
		if code := srv.call("PATCH", "/api/1/profile", secret, map[string]string{"language": lang}, nil); code != 200 {
			t.Fatalf("PATCH language %s: %d", lang, code)
		}
		run(t, ctx, "home in "+lang, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("main")))
		htmlLang, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
		if err != nil || htmlLang != lang {
			t.Fatalf("home page lang = %q (%v), want %s", htmlLang, err, lang)
		}
		screenshot(t, ctx, "06-home-"+lang)
	}
	run(t, ctx, "profile page", chromedp.Navigate(srv.URL+"/profile"), chromedp.WaitVisible(chromedp.CSS("main")))
	screenshot(t, ctx, "07-profile")
	srv.stop()
}

func waitPath(t *testing.T, ctx context.Context, ok func(string) bool, what string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil {
			if u, err := url.Parse(loc); err == nil && ok(u.Path) {
				return
			}
		}
		if time.Now().After(deadline) {
			screenshot(t, ctx, "failed-wait")
			t.Fatalf("waiting for %s: still at %s", what, loc)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
