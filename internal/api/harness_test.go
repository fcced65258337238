package api

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/devmode"
	"github.com/alpage/alpage/internal/id"
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

var testNow = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// cheap argon2id parameters: tests check behaviour, not cost.
var testPassword = account.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// bundle is one API server on loopback over its own SQLite database.
type bundle struct {
	srv      *httptest.Server
	s        *server
	db       *store.DB
	clk      *clock.Fixed
	accounts *account.Service
	orgs     *org.Service
	tokens   *token.Service
	teams    *team.Service
	products *product.Service
	catalog  *catalog.Service
	billing  *billing.Service
	gateway  *sandbox.Gateway
	webhooks *webhook.Service
	renewal  *renewal.Service
	invites  *invite.Service
	notifier *notify.Notifier
	security *security.Service
	logs     *lockedWriter
}

type opts struct {
	dev       bool // add the test clock (with a working job queue)
	rateLimit int  // requests per minute per token; 0 means the default
}

func setup(t *testing.T, o opts) *bundle {
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
	logs := &lockedWriter{w: &bytes.Buffer{}}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	clk := clock.NewFixed(testNow)
	q := jobs.New(db, clk, logger)
	n := notify.New(db, clk, q, notify.Config{BaseURL: "http://127.0.0.1:8080", From: "alpage <no-reply@alpage.example>", Hold: true},
		notify.SandboxSMS{}, logger)
	notify.RegisterWorkers(q, n)
	if err := q.Open(o.dev); err != nil {
		t.Fatal(err)
	}
	b := &bundle{db: db, clk: clk, logs: logs, notifier: n,
		accounts: account.New(db, clk, n, account.Options{Password: testPassword}),
		orgs:     org.New(db, clk, org.WithNotifier(n)),
		tokens:   token.New(db, clk),
		teams:    team.New(db, clk),
		products: product.New(db, clk),
		catalog:  catalog.New(db, clk),
	}
	b.invites = invite.New(db, clk, n, b.accounts, invite.Options{})
	b.security = security.New(db, clk, n, b.accounts)
	if b.gateway, err = sandbox.New(db, clk, sandbox.Options{}); err != nil {
		t.Fatal(err)
	}
	b.billing = billing.New(db, clk, b.catalog, n, b.gateway)
	b.webhooks = webhook.New(db, clk, q, nil)
	b.renewal = renewal.New(db, clk, b.catalog, b.billing, n, b.webhooks)
	d := Deps{DB: db, Clock: clk, Logger: logger, Accounts: b.accounts, Orgs: b.orgs, Tokens: b.tokens,
		Teams: b.teams, Products: b.products, Invites: b.invites, Notifier: n, Security: b.security,
		Catalog: b.catalog, Billing: b.billing, Renewal: b.renewal, Webhooks: b.webhooks, BaseURL: "http://127.0.0.1:8080",
		RateLimit: o.rateLimit}
	if o.dev {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(ctx)
		})
		d.DevClock = devmode.New(db, clock.NewOffset(0), q)
	}
	b.s, err = build(d)
	if err != nil {
		t.Fatal(err)
	}
	// What the app puts in front of the API: a request id.
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rid := id.New()
		w.Header().Set("X-Request-Id", rid)
		b.s.mux.ServeHTTP(w, r.WithContext(reqctx.WithRequestID(r.Context(), rid)))
	}))
	t.Cleanup(b.srv.Close)
	t.Cleanup(func() {
		if t.Failed() && b.logs.String() != "" {
			t.Logf("server log:\n%s", b.logs.String())
		}
	})
	return b
}

// lockedWriter serializes log writes from concurrent requests.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// testUserPassword is the password of every test user.
const testUserPassword = "correct horse battery staple"

// user signs up a confirmed person, with an organization of their own, and
// gives them a token.
func (b *bundle) user(t *testing.T, email string) (userID, secret string) {
	t.Helper()
	return b.userIn(t, email, "en")
}

// userIn is user with the person's language.
func (b *bundle) userIn(t *testing.T, email, language string) (userID, secret string) {
	t.Helper()
	ctx := context.Background()
	first, _, _ := strings.Cut(email, "@")
	u, err := b.accounts.SignUp(ctx, account.SignUpInput{
		Email: email, Password: testUserPassword, FirstName: strings.ToUpper(first[:1]) + first[1:], LastName: "Muster",
		Language: language, Country: "CH", TimeZone: "Europe/Zurich", Confirmed: true,
	}, audit.Meta{})
	if err != nil {
		t.Fatalf("signing up %s: %v", email, err)
	}
	secret, _, err = b.tokens.Create(ctx, u.ID, "test", nil, nil, audit.Meta{ActorID: u.ID})
	if err != nil {
		t.Fatalf("creating token: %v", err)
	}
	return u.ID, secret
}

// addOrganization makes userID the legal representative of a new organization.
func (b *bundle) addOrganization(t *testing.T, userID, name string) string {
	t.Helper()
	var o org.Organization
	err := b.db.WithTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		o, err = org.CreateTx(context.Background(), tx, b.clk.Now(), name, "company", userID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends a request; body is JSON-encoded unless it is a string or []byte.
func (b *bundle) do(t *testing.T, method, path, secret string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(v)
	case []byte:
		rd = bytes.NewReader(v)
	default:
		buf, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, b.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

// data returns the "data" object of a success envelope.
func (r response) data(t *testing.T) map[string]any {
	t.Helper()
	if r.body["result"] != "success" {
		t.Fatalf("result = %v, want success; status %d, body %s", r.body["result"], r.status, r.raw)
	}
	d, ok := r.body["data"].(map[string]any)
	if !ok {
		t.Fatalf("data is not an object: %s", r.raw)
	}
	return d
}

// wantError checks an error envelope: status, code and, when given, the
// attribute.
func (r response) wantError(t *testing.T, status int, code string, attribute ...string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.raw)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json; body %s", ct, r.raw)
	}
	if r.body["result"] != "error" {
		t.Fatalf("result = %v, want error; body %s", r.body["result"], r.raw)
	}
	e, ok := r.body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %s", r.raw)
	}
	if e["code"] != code {
		t.Fatalf("error.code = %v, want %s; body %s", e["code"], code, r.raw)
	}
	if d, _ := e["description"].(string); d == "" {
		t.Fatalf("error.description is empty: %s", r.raw)
	}
	if len(attribute) > 0 {
		c, _ := e["context"].(map[string]any)
		if c == nil || c["attribute"] != attribute[0] {
			t.Fatalf("error.context.attribute = %v, want %s; body %s", c, attribute[0], r.raw)
		}
	}
	for k := range r.body {
		if k != "result" && k != "error" {
			t.Fatalf("unexpected member %q in error envelope: %s", k, r.raw)
		}
	}
	return e
}
