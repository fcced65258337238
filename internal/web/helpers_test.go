package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/team"
	"github.com/alpage/alpage/internal/token"
	"github.com/alpage/alpage/internal/webhook"
)

// testBundle is a console on a fresh SQLite database with real services.
type testBundle struct {
	t        testing.TB
	db       *store.DB
	clock    *clock.Fixed
	accounts *account.Service
	orgs     *org.Service
	tokens   *token.Service
	teams    *team.Service
	products *product.Service
	invites  *invite.Service
	security *security.Service
	catalog  *catalog.Service
	billing  *billing.Service
	gateway  *sandbox.Gateway
	webhooks *webhook.Service
	renewal  *renewal.Service
	notifier *notify.Notifier
	handler  *handler
	server   *httptest.Server

	mu      sync.Mutex
	missing []string // translation keys missing while rendering
}

// cheap argon2id parameters keep the tests fast; production uses the defaults.
var cheap = account.PasswordParams{Memory: 1024, Time: 1, Threads: 1}

const testPassword = "correct horse battery"

// setup builds the console with a translator that records every missing key:
// the test fails on it.
func setup(t testing.TB) *testBundle {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(db, clk, logger)
	n := notify.New(db, clk, q, notify.Config{Hold: true, BaseURL: "http://console.test"}, notify.SandboxSMS{}, logger)
	notify.RegisterWorkers(q, n)
	if err := q.Open(false); err != nil {
		t.Fatal(err)
	}
	b := &testBundle{t: t, db: db, clock: clk, notifier: n, orgs: org.New(db, clk, org.WithNotifier(n)),
		tokens: token.New(db, clk), teams: team.New(db, clk), products: product.New(db, clk),
		accounts: account.New(db, clk, n, account.Options{Password: cheap})}
	b.invites = invite.New(db, clk, n, b.accounts, invite.Options{})
	b.security = security.New(db, clk, n, b.accounts)
	b.catalog = catalog.New(db, clk)
	if b.gateway, err = sandbox.New(db, clk, sandbox.Options{}); err != nil {
		t.Fatal(err)
	}
	b.billing = billing.New(db, clk, b.catalog, n, b.gateway)
	b.webhooks = webhook.New(db, clk, q, nil)
	b.renewal = renewal.New(db, clk, b.catalog, b.billing, n, b.webhooks)
	h, err := newHandler(Deps{Accounts: b.accounts, Orgs: b.orgs, Tokens: b.tokens, Teams: b.teams,
		Products: b.products, Invites: b.invites, Security: b.security, Clock: clk, Logger: logger, Dev: true,
		Catalog: b.catalog, Billing: b.billing, Renewal: b.renewal})
	if err != nil {
		t.Fatal(err)
	}
	h.onMissing = func(lang, key string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.missing = append(b.missing, lang+": "+key)
	}
	b.handler = h
	mux := http.NewServeMux()
	mux.Handle("/sandbox/", b.gateway.Handler()) // the sandbox's hosted payment pages, as the app mounts them
	mux.Handle("/", h.routes())
	b.server = httptest.NewServer(appLike(mux))
	t.Cleanup(b.server.Close)
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, m := range b.missing {
			t.Errorf("missing translation %s", m)
		}
	})
	return b
}

// appLike wraps the console as the app does: a request id and CSRF
// protection.
func appLike(next http.Handler) http.Handler {
	var mu sync.Mutex
	n := 0
	return http.NewCrossOriginProtection().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		id := fmt.Sprintf("req-%04d", n)
		mu.Unlock()
		next.ServeHTTP(w, r.WithContext(reqctx.WithRequestID(r.Context(), id)))
	}))
}

// user makes a confirmed account in lang with its organization.
func (b *testBundle) user(email, lang string) account.User {
	b.t.Helper()
	u, err := b.accounts.SignUp(context.Background(), account.SignUpInput{Email: email, Password: testPassword,
		FirstName: "Ada", LastName: "Muster", Language: lang, Confirmed: true}, audit.Meta{IP: "127.0.0.1"})
	if err != nil {
		b.t.Fatalf("SignUp(%s): %v", email, err)
	}
	return u
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see them.
type browser struct {
	t      testing.TB
	b      *testBundle
	client *http.Client
	lang   string // Accept-Language
}

func (b *testBundle) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: b.t, b: b, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (br *browser) do(method, path string, form url.Values) response {
	br.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, br.b.server.URL+path, body)
	if err != nil {
		br.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if br.lang != "" {
		req.Header.Set("Accept-Language", br.lang)
	}
	resp, err := br.client.Do(req)
	if err != nil {
		br.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		br.t.Fatal(err)
	}
	return response{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), header: resp.Header}
}

func (br *browser) get(path string) response { br.t.Helper(); return br.do(http.MethodGet, path, nil) }

func (br *browser) post(path string, form url.Values) response {
	br.t.Helper()
	// Forms of organization pages carry the organization they were drawn
	// for (template "org_field"); fill it as the page would, unless the test
	// sets it.
	if strings.HasPrefix(path, "/organization/") || path == "/organization" {
		if form == nil {
			form = url.Values{}
		}
		if _, set := form["organization_id"]; !set {
			form = cloneValues(form)
			form.Set("organization_id", br.organization())
		}
	}
	return br.do(http.MethodPost, path, form)
}

// organization returns the organization the console has selected, read
// from the page as a browser would.
func (br *browser) organization() string {
	br.t.Helper()
	m := orgMeta.FindStringSubmatch(br.get("/").body)
	if m == nil {
		return ""
	}
	return m[1]
}

var orgMeta = regexp.MustCompile(`<meta name="alpage-organization" content="([^"]+)">`)

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// signIn signs in and checks the redirect.
func (br *browser) signIn(email string) {
	br.t.Helper()
	r := br.post("/signin", url.Values{"email": {email}, "password": {testPassword}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		br.t.Fatalf("sign-in: status %d, location %q, want 303 to /\n%s", r.status, r.location, r.body)
	}
}

// cookie returns the value of the browser's cookie name.
func (br *browser) cookie(name string) string {
	u, _ := url.Parse(br.b.server.URL)
	for _, c := range br.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// element returns the first element of html whose opening tag matches
// pattern, up to its closing tag (no nesting of the same tag assumed).
func element(html, tag, attr string) string {
	re := regexp.MustCompile(`(?s)<` + tag + `[^>]*` + regexp.QuoteMeta(attr) + `[^>]*>.*?</` + tag + `>`)
	return re.FindString(html)
}

func mustContain(t testing.TB, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("page does not contain %q", s)
		}
	}
}
