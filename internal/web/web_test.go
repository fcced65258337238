package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/token"
)

func TestACC2_SignUpFormCreatesAccountAndSendsConfirmation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.browser()
	br.lang = "de-CH,de;q=0.9"
	form := br.get("/signup")
	mustContain(t, form.body, `<html lang="de">`, `name="password" type="password" autocomplete="new-password"`,
		`<option value="de" lang="de" selected>`, "Mindestens 10 Zeichen")
	r := br.post("/signup", url.Values{"first_name": {"Ada"}, "last_name": {"Muster"}, "email": {"Ada@Example.ch"},
		"password": {testPassword}, "company": {""}, "language": {"de"}})
	if r.status != http.StatusOK {
		t.Fatalf("sign-up: status %d\n%s", r.status, r.body)
	}
	mustContain(t, r.body, "Prüfen Sie Ihr Postfach", "ada@example.ch")
	u, err := b.accounts.GetByEmail(context.Background(), "ada@example.ch")
	if err != nil {
		t.Fatalf("the account was not created: %v", err)
	}
	if u.Language != "de" || u.Country != "CH" || u.TimeZone != "Europe/Zurich" || u.EmailConfirmed {
		t.Errorf("account = %+v, want de, CH, Europe/Zurich, unconfirmed", u)
	}
	orgs, err := b.orgs.ListForUser(context.Background(), u.ID)
	if err != nil || len(orgs) != 1 || orgs[0].Name != "Ada Muster" {
		t.Errorf("organizations = %+v (%v), want one named Ada Muster (ACC-2)", orgs, err)
	}
	link := confirmationLink(t, b, "ada@example.ch")

	// The link confirms once; the second time offers a new one.
	ok := br.get(link.RequestURI())
	if ok.status != http.StatusOK {
		t.Fatalf("confirm: status %d", ok.status)
	}
	mustContain(t, ok.body, "E-Mail-Adresse bestätigt", `href="/signin"`)
	again := br.get(link.RequestURI())
	if again.status != http.StatusGone {
		t.Errorf("second confirm: status %d, want 410", again.status)
	}
	mustContain(t, again.body, `action="/confirm/resend"`)
}

func TestACC2_SignUpKeepsInputOnRefusal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("taken@example.ch", "en")
	br := b.browser()
	r := br.post("/signup", url.Values{"first_name": {"Ada"}, "last_name": {"Muster"}, "email": {"ada@example.ch"},
		"password": {"short"}, "company": {"Muster AG"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", r.status)
	}
	mustContain(t, r.body, `value="Ada"`, `value="Muster AG"`, `value="ada@example.ch"`,
		`id="password-error"`, "at least 10 characters")
	if strings.Contains(r.body, `value="short"`) {
		t.Error("the password was sent back in the page")
	}
	taken := br.post("/signup", url.Values{"first_name": {"Ada"}, "last_name": {"Muster"}, "email": {"taken@example.ch"},
		"password": {testPassword}})
	if taken.status != http.StatusConflict {
		t.Errorf("taken e-mail: status %d, want 409", taken.status)
	}
	mustContain(t, taken.body, i18n.T("en", "error.email_already_registered"))
}

func TestACC3_SignInFormContract(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.browser().get("/signin")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	mustContain(t, r.body, `<form method="post" action="/signin" class="form" hx-boost="false"`,
		`name="email" type="text" autocomplete="username" inputmode="email"`, // or a temporary user name (SEC-10)
		`name="password" type="password" autocomplete="current-password"`)
	if regexp.MustCompile(`<script[^>]*>[^<]`).MatchString(r.body) {
		t.Error("the page has an inline script")
	}
	for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(r.body, -1) {
		if !strings.Contains(m, ` src="/static/`) {
			t.Errorf("script tag %s does not load an embedded file", m)
		}
	}
}

// errorText is the form's refusal message.
func errorText(t *testing.T, body string) string {
	t.Helper()
	e := element(body, "div", `class="alert alert-error"`)
	if e == "" {
		t.Fatalf("no error message in the page:\n%s", body)
	}
	return e
}

func TestACC3_WrongPasswordAndUnknownEmailLookTheSame(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("ada@example.ch", "en")
	for _, lang := range i18n.Languages {
		br := b.browser()
		br.lang = lang
		wrong := br.post("/signin", url.Values{"email": {"ada@example.ch"}, "password": {"wrong password!"}})
		unknown := br.post("/signin", url.Values{"email": {"nobody@example.ch"}, "password": {"wrong password!"}})
		if wrong.status != http.StatusUnauthorized || unknown.status != wrong.status {
			t.Errorf("%s: statuses %d and %d, want 401 both", lang, wrong.status, unknown.status)
		}
		if a, b := errorText(t, wrong.body), errorText(t, unknown.body); a != b {
			t.Errorf("%s: messages differ:\n%s\n%s", lang, a, b)
		}
		mustContain(t, wrong.body, i18n.T(lang, "error.invalid_credentials"))
		if br.cookie(sessionCookie) != "" {
			t.Errorf("%s: a failed sign-in set a session cookie", lang)
		}
	}
}

func TestACC3_SignInUnconfirmedOffersNewLink(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if _, err := b.accounts.SignUp(context.Background(), account.SignUpInput{Email: "new@example.ch", Password: testPassword,
		FirstName: "Nina", LastName: "Neu", Language: "fr"}, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	br := b.browser()
	br.lang = "fr"
	r := br.post("/signin", url.Values{"email": {"new@example.ch"}, "password": {testPassword}})
	if r.status != http.StatusForbidden {
		t.Fatalf("status %d, want 403", r.status)
	}
	mustContain(t, r.body, i18n.T("fr", "error.email_not_confirmed"), `action="/confirm/resend"`, `name="email" value="new@example.ch"`)
	known := br.post("/confirm/resend", url.Values{"email": {"new@example.ch"}})
	unknown := br.post("/confirm/resend", url.Values{"email": {"nobody@example.ch"}})
	if known.status != http.StatusOK || unknown.status != http.StatusOK {
		t.Fatalf("resend: statuses %d, %d", known.status, unknown.status)
	}
	re := regexp.MustCompile(`(?s)<main.*</main>`)
	if a, b := re.FindString(known.body), strings.ReplaceAll(re.FindString(unknown.body), "nobody@example.ch", "new@example.ch"); a != b {
		t.Errorf("resend answers differ for a known and an unknown address")
	}
}

func TestACC3_SignInRenewsTheSession(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("ada@example.ch", "en")
	br := b.browser()
	br.signIn("ada@example.ch")
	first := br.cookie(sessionCookie)
	if first == "" {
		t.Fatal("no session cookie after sign-in")
	}
	br.signIn("ada@example.ch")
	second := br.cookie(sessionCookie)
	if second == "" || second == first {
		t.Fatalf("second sign-in kept the session token (%q → %q)", first, second)
	}
	ctx := context.Background()
	if _, _, err := b.accounts.SessionByToken(ctx, first); !errors.Is(err, apperr.NotAuthorized) {
		t.Errorf("the previous session still works after sign-in: %v", err)
	}
	if home := br.get("/"); home.status != http.StatusOK {
		t.Errorf("home with the new session: status %d", home.status)
	}
	out := br.post("/signout", url.Values{})
	if out.status != http.StatusSeeOther || !strings.HasPrefix(out.location, "/signin") {
		t.Fatalf("sign-out: status %d to %q", out.status, out.location)
	}
	if _, _, err := b.accounts.SessionByToken(ctx, second); !errors.Is(err, apperr.NotAuthorized) {
		t.Errorf("the session still works after sign-out: %v", err)
	}
	if r := br.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("home after sign-out: status %d, want a redirect to sign in", r.status)
	}
}

func TestACC3_SessionCookieFlags(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("ada@example.ch", "en")
	r := b.browser().post("/signin", url.Values{"email": {"ada@example.ch"}, "password": {testPassword}})
	c := r.header.Get("Set-Cookie")
	for _, want := range []string{"alpage_session=", "Path=/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(c, want) {
			t.Errorf("Set-Cookie %q lacks %s", c, want)
		}
	}
	if strings.Contains(c, "Secure") {
		t.Errorf("Set-Cookie %q is Secure while SecureCookies is off", c)
	}
}

func TestACC3_SignInGoesBackOnlyToLocalPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("ada@example.ch", "en")
	tests := map[string]string{
		"/profile/tokens":      "/profile/tokens",
		"//evil.example/x":     "/",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"":                     "/",
	}
	for next, want := range tests {
		r := b.browser().post("/signin", url.Values{"email": {"ada@example.ch"}, "password": {testPassword}, "next": {next}})
		if r.location != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, r.location, want)
		}
	}
	anon := b.browser().get("/profile/tokens")
	if anon.status != http.StatusSeeOther || anon.location != "/signin?next=%2Fprofile%2Ftokens" {
		t.Errorf("anonymous /profile/tokens: %d to %q", anon.status, anon.location)
	}
	signin := b.browser().get(anon.location)
	mustContain(t, signin.body, `name="next" value="/profile/tokens"`)
}

func TestACC4_SwitchingOrganizationChangesEveryPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	ctx := context.Background()
	second, err := b.orgs.Create(ctx, u.ID, "Muster Consulting AG", "company", audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	stranger := b.user("eve@example.ch", "en")
	foreign, _ := b.orgs.ListForUser(ctx, stranger.ID)

	br := b.browser()
	br.signIn("ada@example.ch")
	current := func(path string) string {
		t.Helper()
		return element(br.get(path).body, "span", `data-testid="current-org"`)
	}
	if got := current("/"); !strings.Contains(got, ">Ada Muster<") {
		t.Fatalf("header shows %s, want Ada Muster", got)
	}
	home := br.get("/").body
	mustContain(t, home, "Muster Consulting AG", "Legal representative", i18n.T("en", "home.wrong_org"))
	r := br.post("/organizations/switch", url.Values{"organization_id": {second.ID}, "next": {"/profile"}})
	if r.status != http.StatusSeeOther || r.location != "/profile" {
		t.Fatalf("switch: %d to %q", r.status, r.location)
	}
	for _, p := range []string{"/", "/profile", "/profile/tokens", "/no-such-page"} {
		if got := current(p); !strings.Contains(got, ">Muster Consulting AG<") {
			t.Errorf("%s: header shows %s after switching", p, got)
		}
	}
	if r := br.post("/organizations/switch", url.Values{"organization_id": {foreign[0].ID}}); r.status != http.StatusNotFound {
		t.Errorf("switching to a foreign organization: status %d, want 404", r.status)
	}
	if got := current("/"); !strings.Contains(got, ">Muster Consulting AG<") {
		t.Errorf("a refused switch changed the organization to %s", got)
	}
}

func TestAPI1_TokenSecretIsShownOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	br := b.browser()
	br.signIn("ada@example.ch")
	r := br.post("/profile/tokens", url.Values{"name": {"Backup script"}, "expires": {"2027-01-31"}})
	if r.status != http.StatusOK {
		t.Fatalf("create: status %d\n%s", r.status, r.body)
	}
	secret := regexp.MustCompile(`value="(alp_[A-Za-z0-9]+)"`).FindStringSubmatch(r.body)
	if secret == nil {
		t.Fatalf("the new secret is not in the page:\n%s", r.body)
	}
	mustContain(t, r.body, `hx-history="false"`, i18n.T("en", "tokens.created.warning"), "data-copy=")
	tok, err := b.tokens.Authenticate(context.Background(), secret[1])
	if err != nil || tok.UserID != u.ID || tok.Name != "Backup script" {
		t.Fatalf("the shown secret does not authenticate: %+v, %v", tok, err)
	}
	// Expires at the end of 31 January in Zurich.
	if tok.ExpiresAt == nil || tok.ExpiresAt.UTC().Format("2006-01-02 15:04:05") != "2027-01-31 22:59:59" {
		t.Errorf("expiry %v, want 2027-01-31 22:59:59 UTC", tok.ExpiresAt)
	}
	list := br.get("/profile/tokens")
	if strings.Contains(list.body, secret[1]) {
		t.Error("the secret is shown again on the list")
	}
	mustContain(t, list.body, "Backup script", tok.Prefix, "31.01.2027")

	del := br.post("/profile/tokens/"+tok.ID+"/delete", url.Values{})
	if del.status != http.StatusSeeOther {
		t.Fatalf("delete: status %d", del.status)
	}
	if _, err := b.tokens.Authenticate(context.Background(), secret[1]); err == nil {
		t.Error("the deleted token still works")
	}
	mustContain(t, br.get(del.location).body, i18n.T("en", "tokens.deleted"), i18n.T("en", "tokens.empty"))
}

func TestAPI1_TokenRefusalsKeepInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := b.user("eve@example.ch", "en")
	b.user("ada@example.ch", "en")
	foreign, _, err := b.tokens.Create(context.Background(), other.ID, "Eve's", nil, nil, audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	br := b.browser()
	br.signIn("ada@example.ch")
	past := br.post("/profile/tokens", url.Values{"name": {"Old"}, "expires": {"2020-01-01"}})
	if past.status != http.StatusUnprocessableEntity {
		t.Errorf("past expiry: status %d, want 422", past.status)
	}
	mustContain(t, past.body, `value="Old"`, `value="2020-01-01"`, i18n.T("en", "validation.expires_at"))
	noName := br.post("/profile/tokens", url.Values{"name": {" "}})
	mustContain(t, noName.body, i18n.T("en", "validation.name"))
	toks, _ := b.tokens.List(context.Background(), other.ID)
	if r := br.post("/profile/tokens/"+toks[0].ID+"/delete", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("deleting someone else's token: status %d, want 404", r.status)
	}
	if _, err := b.tokens.Authenticate(context.Background(), foreign); err != nil {
		t.Errorf("someone else's token was deleted: %v", err)
	}
}

func TestUI5_ProfileDrivesLanguageAndFormats(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	if _, _, err := b.tokens.Create(context.Background(), u.ID, "Deploy", nil, nil, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	br := b.browser()
	br.signIn("ada@example.ch")
	form := br.get("/profile")
	mustContain(t, form.body, `value="ada@example.ch" readonly`, `<option value="CH" selected>Switzerland</option>`,
		`<option value="Europe/Zurich" selected>`, "CHF\u00a01’234.50")
	r := br.post("/profile", url.Values{"first_name": {"Ada"}, "last_name": {"Lovelace"}, "language": {"es"},
		"country": {"US"}, "time_zone": {"America/New_York"}, "phone": {"+41 79 123 45 67"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", r.status, r.body)
	}
	saved := br.get(r.location)
	mustContain(t, saved.body, `<html lang="es">`, "Tu perfil se ha guardado.", `value="Lovelace"`, `41791234567"`)
	mustContain(t, br.get("/profile/tokens").body, "11/22/2026") // US dates now
	bad := br.post("/profile", url.Values{"first_name": {"Ada"}, "last_name": {"Lovelace"}, "language": {"es"},
		"country": {"US"}, "time_zone": {"Mars/Olympus"}, "phone": {""}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Errorf("bad time zone: status %d", bad.status)
	}
	mustContain(t, bad.body, `id="time_zone-error"`, i18n.T("es", "validation.time_zone"))
}

func TestUI4_AnonymousLanguage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.browser()
	br.lang = "it-CH,it;q=0.9,en;q=0.5"
	mustContain(t, br.get("/signin").body, `<html lang="it">`, "Accedi ad alpage")
	r := br.get("/signin?lang=es")
	mustContain(t, r.body, `<html lang="es">`, "Inicia sesión en alpage")
	if br.cookie(langCookie) != "es" {
		t.Errorf("?lang=es did not set the language cookie")
	}
	mustContain(t, br.get("/signup").body, `<html lang="es">`, `<option value="es" lang="es" selected>`)
}

// TestUI4_EveryPageInEveryLanguage renders each page and each refusal in the
// five languages; setup fails the test on any missing translation key.
func TestUI4_EveryPageInEveryLanguage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, lang := range i18n.Languages {
		u := b.user(lang+"@example.ch", lang)
		if _, err := b.orgs.Create(context.Background(), u.ID, "Second "+lang, "company", audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		anon := b.browser()
		anon.lang = lang
		pages := []response{
			anon.get("/signin"), anon.get("/signup"), anon.get("/confirm?token=nope"), anon.get("/confirm/resend"),
			anon.get("/signin?signed_out=1"), anon.get("/nowhere"),
			anon.post("/signin", url.Values{"email": {"x@example.ch"}, "password": {"y"}}),
			anon.post("/signup", url.Values{"email": {"bad"}}),
			anon.post("/signup", url.Values{"first_name": {"A"}, "last_name": {"B"}, "email": {"new-" + lang + "@example.ch"}, "password": {testPassword}}),
			anon.post("/confirm/resend", url.Values{"email": {"x@example.ch"}}),
		}
		br := b.browser()
		br.signIn(lang + "@example.ch")
		if _, _, err := b.tokens.Create(context.Background(), u.ID, "Old", nil, nil, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, br.get("/"), br.get("/profile"), br.get("/profile?saved=1"), br.get("/profile/tokens"),
			br.get("/profile/tokens?deleted=1"), br.get("/nowhere"),
			br.post("/profile/tokens", url.Values{"name": {"CI"}}),
			br.post("/profile/tokens", url.Values{"name": {""}}),
			br.post("/profile", url.Values{"first_name": {""}, "language": {lang}}),
			br.post("/profile/tokens/"+token.Prefix+"x/delete", url.Values{}),
		)
		for i, p := range pages {
			if !strings.Contains(p.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s page %d (status %d) is not in %s", lang, i, p.status, lang)
			}
			if strings.Contains(p.body, "error.") || strings.Contains(p.body, "%!") {
				t.Errorf("%s page %d shows a raw key or a bad format:\n%s", lang, i, p.body)
			}
		}
	}
}

func TestUI4_EveryErrorCodeIsTranslated(t *testing.T) {
	t.Parallel()
	for _, e := range apperr.All() {
		for _, lang := range i18n.Languages {
			if msg, ok := i18n.Lookup(lang, e.Key()); !ok || msg == "" {
				t.Errorf("%s: no translation for %s", lang, e.Key())
			}
		}
	}
}

func TestUnexpectedErrorShowsRequestID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("ada@example.ch", "en")
	br := b.browser()
	br.signIn("ada@example.ch")
	b.db.Close() // every query now fails
	r := br.get("/profile")
	if r.status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", r.status)
	}
	mustContain(t, r.body, i18n.T("en", "error.unexpected_title"), `data-testid="request-id">req-`)
}

func TestStaticAssetsAreEmbeddedAndCached(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.browser()
	page := br.get("/signin").body
	for _, name := range []string{"app.css", "app.js", "htmx.min.js", "favicon.svg"} {
		p, err := b.handler.assets.path(name)
		if err != nil {
			t.Fatal(err)
		}
		if name != "favicon.svg" || strings.Contains(page, p) {
			mustContain(t, page, p)
		}
		r := br.get(p)
		if r.status != http.StatusOK || r.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: status %d, Cache-Control %q", p, r.status, r.header.Get("Cache-Control"))
		}
		stale := br.get("/static/000000000000/" + name)
		if stale.status != http.StatusOK || stale.header.Get("Cache-Control") != "no-cache" {
			t.Errorf("stale %s: status %d, Cache-Control %q", name, stale.status, stale.header.Get("Cache-Control"))
		}
	}
	htmx := br.get(mustPath(t, b, "htmx.min.js"))
	if !strings.Contains(htmx.body, `version:"2.0.11"`) {
		t.Error("htmx is not the pinned 2.0.11")
	}
	if r := br.get("/static/x/nothing.js"); r.status != http.StatusNotFound {
		t.Errorf("unknown asset: status %d", r.status)
	}
	csp := br.get("/signin").header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
}

func mustPath(t *testing.T, b *testBundle, name string) string {
	t.Helper()
	p, err := b.handler.assets.path(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
