package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/testutil"
)

// journey is a Chromium tab on a test console, with screenshots kept in the
// test's artifact directory.
type journey struct {
	t     *testing.T
	b     *testBundle
	ctx   context.Context
	shots string
	n     int
}

func newJourney(t *testing.T, b *testBundle, lang string) *journey {
	t.Helper()
	exe := chromium(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("lang", lang),
		chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(cancelTimeout)
	j := &journey{t: t, b: b, ctx: ctx, shots: testutil.ArtifactDir(t)}
	j.must("viewport", chromedp.EmulateViewport(1280, 900))
	return j
}

func (j *journey) must(what string, steps ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, steps...); err != nil {
		j.t.Fatalf("%s: %v", what, err)
	}
}

func (j *journey) text(sel string) string {
	j.t.Helper()
	s, err := chromedp.Run(j.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		j.t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (j *journey) shot(name string) {
	j.t.Helper()
	// Scrolled to the top, so that the sticky bar sits where it belongs.
	if err := chromedp.Do(j.ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		j.t.Fatal(err)
	}
	png, err := chromedp.Run(j.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		j.t.Fatalf("screenshot %s: %v", name, err)
	}
	j.n++
	if err := os.WriteFile(filepath.Join(j.shots, twoDigits(j.n)+"-"+name+".png"), png, 0o644); err != nil {
		j.t.Fatal(err)
	}
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

// open loads a page of the console and waits for sel.
func (j *journey) open(path, sel string) {
	j.t.Helper()
	j.must("open "+path, chromedp.Navigate(j.b.server.URL+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// waitFor polls a JavaScript condition (htmx swaps pages in place).
func (j *journey) waitFor(what, js string) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		j.t.Fatalf("%s: %v", what, err)
	}
}

func (j *journey) signIn(email string) {
	j.t.Helper()
	j.open("/signin", "#password")
	j.must("sign in "+email,
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))
}

func (j *journey) signOut() {
	j.t.Helper()
	j.open("/", ".avatar-button")
	j.must("sign out", chromedp.Click(chromedp.CSS(".avatar-button")),
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.CSS("#password")))
}

// switchTo selects an organization with the switcher at the top left.
func (j *journey) switchTo(orgID, name string) {
	j.t.Helper()
	j.must("open switcher", chromedp.Click(chromedp.CSS("[data-testid=org-switcher]")), chromedp.WaitVisible(chromedp.CSS(".org-list")))
	if j.text("[data-testid=current-org]") == name {
		j.must("close switcher", chromedp.Click(chromedp.CSS("[data-testid=org-switcher]")))
		return
	}
	j.must("switch to "+name, chromedp.Click(chromedp.CSS(`.org-list button[value="`+orgID+`"]`)))
	j.waitFor("switched to "+name, `document.querySelector("[data-testid=current-org]").textContent.trim() === `+"`"+name+"`")
}

func (j *journey) products() []string {
	j.t.Helper()
	j.open("/products", "main h1")
	names, err := chromedp.Run(j.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("[data-testid=product-name]")).map(e => e.textContent.trim())`))
	if err != nil {
		j.t.Fatal(err)
	}
	return names
}

// TestORG3_BrowserJourneyInviteSignUpFromTheLink, in French: a legal
// representative invites a colleague with the form; the colleague opens the
// link of the e-mail, creates an account and lands in the organization.
func TestORG3_BrowserJourneyInviteSignUpFromTheLink(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, o := b.person("lena@muster.ch", "Léna", "Roth", "fr")
	b.product(o.ID, "web_hosting", "muster.ch")
	j := newJourney(t, b, "fr-CH")
	j.signIn("lena@muster.ch")
	j.shot("home-fr")
	j.must("users", chromedp.Click(chromedp.CSS(`.sidebar a[href="/organization/users"]`)), chromedp.WaitVisible(chromedp.CSS("[data-testid=invite]")))
	j.shot("users")
	j.must("invite form", chromedp.Click(chromedp.CSS("[data-testid=invite]")), chromedp.WaitVisible(chromedp.CSS("#invite-email")))
	j.must("fill invite",
		chromedp.SendKeys(chromedp.CSS("#invite-email"), "nina@example.ch"),
		chromedp.Click(chromedp.CSS(`input[name=product_ids]`)),
		chromedp.Click(chromedp.CSS(`input[name=contact_preferences][value=billing]`)))
	j.shot("invite-form")
	j.must("send invite", chromedp.Click(chromedp.CSS(`form[action="/organization/users/invite"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=invitation-row]")))
	if got := j.text(".alert-success"); got != "L’invitation a été envoyée." {
		t.Errorf("notice %q", got)
	}
	j.shot("invitation-pending")
	j.signOut()

	link := outboxLink(t, b, "nina@example.ch", "/invitations/")
	j.open(link.RequestURI()+"?lang=fr", "#first_name")
	if got := j.text("[data-testid=invitation-summary]"); !strings.Contains(got, "Léna Roth vous invite à rejoindre Léna Roth") {
		t.Errorf("summary %q", got)
	}
	j.shot("invitation-landing")
	j.must("sign up from the link",
		chromedp.SendKeys(chromedp.CSS("#first_name"), "Nina"),
		chromedp.SendKeys(chromedp.CSS("#last_name"), "Neu"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action$="/signup"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=current-org]")))
	if got := j.text("[data-testid=current-org]"); got != "Léna Roth" {
		t.Errorf("the new colleague lands in %q, want Léna Roth", got)
	}
	j.shot("joined")
	if got := j.products(); len(got) != 1 || got[0] != "muster.ch" {
		t.Errorf("the new colleague's products: %v", got)
	}
	j.shot("products")
}

// TestTEAM2_BrowserJourneyRightsTeamsAndSwitching, in German: give a
// collaborator one product and see their list; make a team with a leader
// and watch the list change; try to remove the last legal representative;
// switch organizations.
func TestTEAM2_BrowserJourneyRightsTeamsAndSwitching(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lena, o := b.person("lena@muster.ch", "Lena", "Roth", "de")
	carl, _ := b.person("carl@muster.ch", "Carl", "Keller", "de")
	b.join(o.ID, carl.ID, org.RoleCollaborator)
	site := b.product(o.ID, "web_hosting", "muster.ch")
	b.product(o.ID, "domain", "muster.com")
	shop := b.product(o.ID, "cloud_server", "shop-01")
	second, err := b.orgs.Create(context.Background(), lena.ID, "Roth Design GmbH", "company", audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	j := newJourney(t, b, "de-CH")

	// (2) One product for Carl.
	j.signIn("lena@muster.ch")
	j.open("/organization/users", "[data-testid=member-row]")
	j.must("row menu", chromedp.Click(chromedp.CSS(`tr[data-email="carl@muster.ch"] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-email="carl@muster.ch"] .menu-panel`)))
	j.shot("row-menu")
	j.must("member page", chromedp.Click(chromedp.CSS(`tr[data-email="carl@muster.ch"] a[href$="#products"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[value="`+site.ID+`"]`)))
	j.must("grant", chromedp.Click(chromedp.CSS(`input[value="`+site.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/organization/users/`+carl.ID+`"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-success")))
	j.shot("member-saved")

	// (4) Try to remove the last legal representative.
	j.open("/organization/users", "[data-testid=member-row]")
	j.must("own row menu", chromedp.Click(chromedp.CSS(`tr[data-email="lena@muster.ch"] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-email="lena@muster.ch"] .menu-item-reason`)))
	j.shot("last-legal-rep-disabled")
	j.must("select and remove", chromedp.Click(chromedp.CSS(`body`)),
		chromedp.Click(chromedp.CSS(`#sel-`+lena.ID)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("bulk-remove").removeAttribute("hx-confirm")`),
		chromedp.Click(chromedp.CSS("[data-testid=bulk-remove]")),
		chromedp.WaitVisible(chromedp.CSS(".alert-error")))
	if got := j.text(".alert-error"); !strings.Contains(got, "rechtlichen Vertreter") {
		t.Errorf("refusal %q, want the German ORG-6 message", got)
	}
	j.shot("last-legal-rep-refused")

	// (3) A team led by Carl with the server.
	j.open("/organization/teams", "#team-name")
	j.must("create team",
		chromedp.SendKeys(chromedp.CSS("#team-name"), "Shop"),
		chromedp.SetValue(chromedp.CSS("#team-leader"), carl.ID),
		chromedp.Click(chromedp.CSS(`input[name=product_ids][value="`+shop.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/organization/teams"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=team-member]")))
	j.shot("team")
	j.signOut()

	j.signIn("carl@muster.ch")
	j.switchTo(o.ID, "Lena Roth")
	if got := j.products(); len(got) != 2 {
		t.Errorf("Carl's products with the team: %v, want muster.ch and shop-01", got)
	}
	j.shot("collaborator-products")
	j.signOut()

	j.signIn("lena@muster.ch")
	j.open("/organization/teams", "[data-testid=team-row]")
	j.must("open team", chromedp.Click(chromedp.CSS(`[data-testid=team-row] a`)), chromedp.WaitVisible(chromedp.CSS("[data-testid=team-member]")))
	j.must("remove Carl", chromedp.Click(chromedp.CSS(`form[action$="/members/`+carl.ID+`/remove"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".alert-success")))
	j.shot("team-member-removed")

	// (5) Switch organizations: every page follows.
	j.open("/products", "main h1")
	j.must("open switcher", chromedp.Click(chromedp.CSS("[data-testid=org-switcher]")), chromedp.WaitVisible(chromedp.CSS(".org-list")))
	j.shot("switcher")
	j.must("switch", chromedp.Click(chromedp.CSS(`.org-list button[value="`+second.ID+`"]`)))
	j.waitFor("switched", `document.querySelector("[data-testid=current-org]").textContent.trim() === "Roth Design GmbH"`)
	j.must("empty list", chromedp.WaitVisible(chromedp.CSS("[data-testid=products-empty]")))
	j.shot("switched-empty-products")
	j.signOut()

	j.signIn("carl@muster.ch")
	j.switchTo(o.ID, "Lena Roth")
	if got := j.products(); len(got) != 1 || got[0] != "muster.ch" {
		t.Errorf("Carl's products after leaving the team: %v, want [muster.ch]", got)
	}
	j.open("/organization", "#org-name")
	j.shot("collaborator-organization-disabled")
}
