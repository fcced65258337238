package billing_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

// start is the fixtures' time: 22 November 2026, 10:00 in Zurich.
var start = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// bundle is an organization with its members, the demo catalog, the
// sandbox gateway and the billing service over one database.
type bundle struct {
	t        *testing.T
	db       *store.DB
	clk      *clock.Fixed
	gw       *sandbox.Gateway
	bill     *billing.Service
	notifier *notify.Notifier
	org      string
	lr       string // legal representative, billing contact, French
	admin    string
	collab   string // collaborator without the billing right
	billing  string // collaborator with the billing right
	stranger string
}

func setup(t *testing.T, db *store.DB) *bundle {
	t.Helper()
	clk := clock.NewFixed(start)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(db, clk, logger)
	n := notify.New(db, clk, q, notify.Config{Hold: true, BaseURL: "http://console.test"}, notify.SandboxSMS{}, logger)
	notify.RegisterWorkers(q, n)
	if err := q.Open(false); err != nil {
		t.Fatal(err)
	}
	gw, err := sandbox.New(db, clk, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cats := catalog.New(db, clk)
	f, err := os.Open("../demo/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := catalog.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cats.Import(ctx, c, "catalog.yaml", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	b := &bundle{t: t, db: db, clk: clk, gw: gw, notifier: n, bill: billing.New(db, clk, cats, n, gw)}
	b.org = b.newOrg("Muster AG")
	b.lr = b.member(b.org, "lr@example.ch", "fr", "legal_representative", false, "billing")
	b.admin = b.member(b.org, "admin@example.ch", "de", "administrator", false, "")
	b.collab = b.member(b.org, "collab@example.ch", "en", "collaborator", false, "billing")
	b.billing = b.member(b.org, "billing@example.ch", "it", "collaborator", true, "")
	b.stranger = b.user("stranger@example.ch", "en")
	return b
}

func (b *bundle) exec(query string, args ...any) {
	b.t.Helper()
	if _, err := b.db.ExecContext(ctx, query, args...); err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
}

func (b *bundle) newOrg(name string) string {
	b.t.Helper()
	orgID := id.New()
	b.exec(`INSERT INTO organizations (id, name, street, postcode, city, country, created_at, updated_at)
		VALUES ($1, $2, 'Musterstrasse 1', '8000', 'Zürich', 'CH', $3, $3)`, orgID, name, b.clk.Now())
	return orgID
}

func (b *bundle) user(email, lang string) string {
	b.t.Helper()
	uid := id.New()
	b.exec(`INSERT INTO users (id, email, password_hash, first_name, last_name, language, email_confirmed_at, created_at, updated_at)
		VALUES ($1, $2, 'x', 'First', 'Last', $3, $4, $4, $4)`, uid, email, lang, b.clk.Now())
	return uid
}

func (b *bundle) member(orgID, email, lang, role string, billingRight bool, prefs string) string {
	b.t.Helper()
	uid := b.user(email, lang)
	b.exec(`INSERT INTO memberships (organization_id, user_id, role, billing, contact_preferences, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, orgID, uid, role, billingRight, prefs, b.clk.Now())
	return uid
}

// product inserts an active product with a due date and a period.
func (b *bundle) product(typ, name, plan, period, due string) string {
	b.t.Helper()
	pid := id.New()
	b.exec(`INSERT INTO products (id, organization_id, type, name, status, due_date, plan, period, currency, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, 'CHF', $8, $8)`, pid, b.org, typ, name, due, plan, period, b.clk.Now())
	return pid
}

func meta(actorID string) audit.Meta { return audit.Meta{ActorID: actorID, IP: "192.0.2.1"} }

func chf(s string) money.Amount {
	a, err := money.Parse(s, "CHF")
	if err != nil {
		panic(err)
	}
	return a
}

// order orders one item for the bundle's organization in CHF.
func (b *bundle) order(typ, name, period string) billing.Order {
	b.t.Helper()
	o, err := b.bill.CreateOrder(ctx, b.lr, b.org, "CHF", []billing.OrderItem{{Type: typ, Name: name, Period: period}}, meta(b.lr))
	if err != nil {
		b.t.Fatalf("CreateOrder(%s): %v", name, err)
	}
	return o
}

// card saves a sandbox test card.
func (b *bundle) card(number string) string {
	b.t.Helper()
	pm, err := b.bill.AddTestCard(ctx, b.lr, b.org, number, meta(b.lr))
	if err != nil {
		b.t.Fatalf("AddTestCard(%s): %v", number, err)
	}
	return pm.ID
}

// deposit credits the prepaid account with a saved Visa card.
func (b *bundle) deposit(amount string) {
	b.t.Helper()
	pm := b.card(sandbox.CardVisa)
	if _, err := b.bill.Deposit(ctx, b.lr, b.org, billing.DepositInput{Amount: chf(amount), PaymentMethodID: pm}, meta(b.lr)); err != nil {
		b.t.Fatalf("Deposit(%s): %v", amount, err)
	}
}

func (b *bundle) count(query string, args ...any) int {
	b.t.Helper()
	var n int
	if err := b.db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// sandboxCharges counts the payments the sandbox took money for.
func (b *bundle) sandboxCharges() int {
	return b.count(`SELECT COUNT(*) FROM sandbox_payments WHERE captured_minor > 0`)
}

func (b *bundle) productRow(pid string) (status, due string) {
	b.t.Helper()
	if err := b.db.QueryRowContext(ctx, `SELECT status, COALESCE(due_date, '') FROM products WHERE id = $1`, pid).
		Scan(&status, &due); err != nil {
		b.t.Fatalf("product %s: %v", pid, err)
	}
	return status, due
}

func (b *bundle) balance() (int64, int) {
	b.t.Helper()
	accts, err := b.bill.Prepaid(ctx, b.lr, b.org)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, a := range accts {
		if a.Currency == "CHF" {
			return a.Balance.Minor, len(a.Entries)
		}
	}
	return 0, 0
}

// outbox lists the templates sent to email, newest first.
func (b *bundle) outbox(email string) []string {
	b.t.Helper()
	entries, err := b.notifier.List(ctx, email, 100)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Template)
	}
	return out
}

// payOnPage plays the customer on the sandbox's card page.
func (b *bundle) payOnPage(redirect, number string) {
	b.t.Helper()
	form := url.Values{"number": {number}, "expiry": {"12/30"}, "cvc": {"123"}, "name": {"Anna Muster"}}
	req := httptest.NewRequest(http.MethodPost, redirect+"/pay", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	b.gw.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.t.Fatalf("sandbox page answered %d: %s", rec.Code, rec.Body.String())
	}
}

// camt builds a camt.054 file from testdata/camt054.xml.tmpl.
func camt(t *testing.T, amount, reference, bankRef string) *bytes.Reader {
	t.Helper()
	tpl := template.Must(template.ParseFiles("testdata/camt054.xml.tmpl"))
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, map[string]string{"Amount": amount, "Currency": "CHF", "Reference": reference, "BankRef": bankRef}); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

func wantCode(t *testing.T, err error, code string) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	return e
}

// approveOnPage plays the customer approving on the sandbox's Twint page.
func (b *bundle) approveOnPage(redirect string) {
	b.t.Helper()
	req := httptest.NewRequest(http.MethodPost, redirect+"/approve", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	b.gw.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.t.Fatalf("sandbox page answered %d: %s", rec.Code, rec.Body.String())
	}
}
