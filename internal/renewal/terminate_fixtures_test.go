package renewal_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/webhook"
)

var lcCtx = context.Background()

// lcStart is the fixtures' time: 2 March 2026, 10:30 in Zurich. A product
// of one year paid then is due on 2 March 2027, 365 days later.
var lcStart = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// lcBundle is an organization with its members, the demo catalog, the
// sandbox gateway, billing and the renewal engine over one database.
type lcBundle struct {
	t        *testing.T
	db       *store.DB
	clk      *clock.Fixed
	notifier *notify.Notifier
	bill     *billing.Service
	ren      *renewal.Service
	org      string
	lr       string // legal representative (French)
	admin    string // administrator (German)
	collab   string // collaborator without the billing right
	stranger string
}

func lcSetup(t *testing.T, db *store.DB) *lcBundle {
	t.Helper()
	clk := clock.NewFixed(lcStart)
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
	if _, err := cats.Import(lcCtx, c, "catalog.yaml", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	bill := billing.New(db, clk, cats, n, gw)
	b := &lcBundle{t: t, db: db, clk: clk, notifier: n, bill: bill,
		ren: renewal.New(db, clk, cats, bill, n, webhook.New(db, clk, q, nil))}
	b.org = b.newOrg("Muster AG")
	b.lr = b.member(b.org, "lr@example.ch", "Léa", "fr", "legal_representative", false)
	b.admin = b.member(b.org, "admin@example.ch", "Max", "de", "administrator", false)
	b.collab = b.member(b.org, "collab@example.ch", "Cleo", "en", "collaborator", false)
	b.stranger = b.user("stranger@example.ch", "Sam", "en")
	return b
}

func (b *lcBundle) exec(query string, args ...any) {
	b.t.Helper()
	if _, err := b.db.ExecContext(lcCtx, query, args...); err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
}

func (b *lcBundle) newOrg(name string) string {
	b.t.Helper()
	orgID := id.New()
	b.exec(`INSERT INTO organizations (id, name, street, postcode, city, country, created_at, updated_at)
		VALUES ($1, $2, 'Musterstrasse 1', '8000', 'Zürich', 'CH', $3, $3)`, orgID, name, b.clk.Now())
	return orgID
}

func (b *lcBundle) user(email, first, lang string) string {
	b.t.Helper()
	uid := id.New()
	b.exec(`INSERT INTO users (id, email, password_hash, first_name, last_name, language, email_confirmed_at, created_at, updated_at)
		VALUES ($1, $2, 'x', $3, 'Muster', $4, $5, $5, $5)`, uid, email, first, lang, b.clk.Now())
	return uid
}

func (b *lcBundle) member(orgID, email, first, lang, role string, billingRight bool) string {
	b.t.Helper()
	uid := b.user(email, first, lang)
	b.exec(`INSERT INTO memberships (organization_id, user_id, role, billing, contact_preferences, created_at)
		VALUES ($1, $2, $3, $4, 'billing', $5)`, orgID, uid, role, billingRight, b.clk.Now())
	return uid
}

func lcMeta(actorID string) audit.Meta { return audit.Meta{ActorID: actorID, IP: "192.0.2.1"} }

// card saves a sandbox Visa card for the organization.
func (b *lcBundle) card() string {
	b.t.Helper()
	pm, err := b.bill.AddTestCard(lcCtx, b.lr, b.org, sandbox.CardVisa, lcMeta(b.lr))
	if err != nil {
		b.t.Fatalf("AddTestCard: %v", err)
	}
	return pm.ID
}

// paid orders one product and pays it with a saved card: it is active,
// due one period later, and renews automatically with the card (REN-1).
func (b *lcBundle) paid(typ, name, plan, period string) string {
	b.t.Helper()
	o, err := b.bill.CreateOrder(lcCtx, b.lr, b.org, "CHF", []billing.OrderItem{{Type: typ, Name: name, Plan: plan, Period: period}}, lcMeta(b.lr))
	if err != nil {
		b.t.Fatalf("CreateOrder(%s): %v", name, err)
	}
	pm := b.card()
	r, err := b.bill.Pay(lcCtx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, PaymentMethodID: pm}, lcMeta(b.lr))
	if err != nil || r.Status != "succeeded" {
		b.t.Fatalf("Pay(%s): %+v, %v", name, r, err)
	}
	return o.Items[0].ProductID
}

// days moves the clock n days forward.
func (b *lcBundle) days(n int) { b.clk.Advance(time.Duration(n) * 24 * time.Hour) }

func (b *lcBundle) count(query string, args ...any) int {
	b.t.Helper()
	var n int
	if err := b.db.QueryRowContext(lcCtx, query, args...).Scan(&n); err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (b *lcBundle) product(pid string) (status, due string, autoRenew bool) {
	b.t.Helper()
	if err := b.db.QueryRowContext(lcCtx, `SELECT status, COALESCE(due_date, ''), auto_renew FROM products WHERE id = $1`, pid).
		Scan(&status, &due, &autoRenew); err != nil {
		b.t.Fatalf("product %s: %v", pid, err)
	}
	return status, due, autoRenew
}

// outbox lists the templates sent to email, newest first.
func (b *lcBundle) outbox(email string) []string {
	b.t.Helper()
	entries, err := b.notifier.List(lcCtx, email, 100)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Template)
	}
	return out
}

// token is the secret of the newest termination link e-mailed to email.
func (b *lcBundle) token(email string) string {
	b.t.Helper()
	entries, err := b.notifier.List(lcCtx, email, 100)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, e := range entries {
		for _, l := range e.Links {
			if u, err := url.Parse(l); err == nil && u.Path == "/terminate/confirm" {
				return u.Query().Get("token")
			}
		}
	}
	b.t.Fatalf("no termination link for %s", email)
	return ""
}

func lcWantCode(t *testing.T, what string, err error, code string) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
	if !errors.Is(err, e) {
		t.Fatalf("%s: errors.Is does not match its own code", what)
	}
	return e
}

func lcContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// endsAtDueDate has the administrator ask for pid's termination at its due
// date and confirm it with the e-mailed link.
func (b *lcBundle) endsAtDueDate(pid string) {
	b.t.Helper()
	if _, err := b.ren.RequestTermination(lcCtx, b.admin, b.org, pid, renewal.WhenDueDate, lcMeta(b.admin)); err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.ren.ConfirmTermination(lcCtx, b.token("admin@example.ch"), lcMeta("")); err != nil {
		b.t.Fatal(err)
	}
}
