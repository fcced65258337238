package renewal_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/calendar"
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

var swCtx = context.Background()

// swZurich is the demo catalog's time zone: due dates are days there.
var swZurich = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		panic(err)
	}
	return loc
}()

// swBundle is an organization with billing contacts in two languages, the
// demo catalog, the sandbox gateway, billing, webhooks and the renewal
// engine over one database, on a fixed clock the test moves.
type swBundle struct {
	t        testing.TB
	db       *store.DB
	clk      *clock.Fixed
	q        *jobs.Queue
	gw       *sandbox.Gateway
	notifier *notify.Notifier
	hooks    *webhook.Service
	bill     *billing.Service
	ren      *renewal.Service
	org      string
	lr       string // legal representative, billing contact, French
	admin    string // administrator, billing contact, German
	collab   string // collaborator, no billing notices
}

type swOptions struct {
	httpClient *http.Client // webhook deliveries
	work       bool         // run the job workers (webhook deliveries)
}

func swSetup(t testing.TB, db *store.DB, opts swOptions) *swBundle {
	t.Helper()
	b := swStack(t, db, clock.NewFixed(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)), opts)
	b.org = b.newOrg("Muster AG")
	b.lr = b.member(b.org, "lr@example.ch", "fr", "legal_representative", "billing")
	b.admin = b.member(b.org, "admin@example.ch", "de", "administrator", "billing technical")
	b.collab = b.member(b.org, "collab@example.ch", "en", "collaborator", "")
	return b
}

// swStack is one instance of alpage's services over db (another instance
// on the same PostgreSQL database has its own stack), with the demo
// catalog imported once.
func swStack(t testing.TB, db *store.DB, clk *clock.Fixed, opts swOptions) *swBundle {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(db, clk, logger)
	n := notify.New(db, clk, q, notify.Config{Hold: true, BaseURL: "http://console.test"}, notify.SandboxSMS{}, logger)
	notify.RegisterWorkers(q, n)
	hooks := webhook.New(db, clk, q, opts.httpClient)
	webhook.RegisterWorkers(q, hooks)
	gw, err := sandbox.New(db, clk, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cats := catalog.New(db, clk)
	if _, err := cats.Current(swCtx); err != nil {
		f, err := os.Open("../demo/catalog.yaml")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		c, err := catalog.Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cats.Import(swCtx, c, "catalog.yaml", audit.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	bill := billing.New(db, clk, cats, n, gw)
	ren := renewal.New(db, clk, cats, bill, n, hooks)
	if err := q.Open(opts.work); err != nil {
		t.Fatal(err)
	}
	return &swBundle{t: t, db: db, clk: clk, q: q, gw: gw, notifier: n, hooks: hooks, bill: bill, ren: ren}
}

func (b *swBundle) exec(query string, args ...any) {
	b.t.Helper()
	if _, err := b.db.ExecContext(swCtx, query, args...); err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
}

func (b *swBundle) count(query string, args ...any) int {
	b.t.Helper()
	var n int
	if err := b.db.QueryRowContext(swCtx, query, args...).Scan(&n); err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (b *swBundle) newOrg(name string) string {
	b.t.Helper()
	orgID := id.New()
	b.exec(`INSERT INTO organizations (id, name, street, postcode, city, country, created_at, updated_at)
		VALUES ($1, $2, 'Musterstrasse 1', '8000', 'Zürich', 'CH', $3, $3)`, orgID, name, b.clk.Now())
	return orgID
}

func (b *swBundle) member(orgID, email, lang, role, prefs string) string {
	b.t.Helper()
	uid := id.New()
	b.exec(`INSERT INTO users (id, email, password_hash, first_name, last_name, language, email_confirmed_at, created_at, updated_at)
		VALUES ($1, $2, 'x', 'First', 'Last', $3, $4, $4, $4)`, uid, email, lang, b.clk.Now())
	b.exec(`INSERT INTO memberships (organization_id, user_id, role, billing, contact_preferences, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, orgID, uid, role, false, prefs, b.clk.Now())
	return uid
}

func swMeta(actorID string) audit.Meta { return audit.Meta{ActorID: actorID, IP: "192.0.2.1"} }

// card saves a sandbox test card for the organization.
func (b *swBundle) card(number string) string {
	b.t.Helper()
	pm, err := b.bill.AddTestCard(swCtx, b.lr, b.org, number, swMeta(b.lr))
	if err != nil {
		b.t.Fatalf("AddTestCard(%s): %v", number, err)
	}
	return pm.ID
}

// buy orders a product and pays the order with the saved method pm: the
// product is active, due one period ahead, and (REN-1) renews with pm.
func (b *swBundle) buy(typ, plan, name, period, pm string) string {
	b.t.Helper()
	o, err := b.bill.CreateOrder(swCtx, b.lr, b.org, "CHF", []billing.OrderItem{{Type: typ, Plan: plan, Name: name, Period: period}}, swMeta(b.lr))
	if err != nil {
		b.t.Fatalf("CreateOrder(%s): %v", name, err)
	}
	if _, err := b.bill.Pay(swCtx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, PaymentMethodID: pm},
		swMeta(b.lr)); err != nil {
		b.t.Fatalf("Pay(%s): %v", name, err)
	}
	return o.Items[0].ProductID
}

// product reads a product's status, due date, auto-renewal and method.
func (b *swBundle) product(pid string) (status, due string, autoRenew bool, pm string) {
	b.t.Helper()
	if err := b.db.QueryRowContext(swCtx, `SELECT status, COALESCE(due_date, ''), auto_renew, COALESCE(CAST(payment_method_id AS text), '')
		FROM products WHERE id = $1`, pid).Scan(&status, &due, &autoRenew, &pm); err != nil {
		b.t.Fatalf("product %s: %v", pid, err)
	}
	return status, due, autoRenew, pm
}

func (b *swBundle) due(pid string) calendar.Date {
	b.t.Helper()
	_, d, _, _ := b.product(pid)
	day, err := calendar.Parse(d)
	if err != nil {
		b.t.Fatalf("due date %q: %v", d, err)
	}
	return day
}

// at moves the clock to hh:00 in Zurich on day (never backwards).
func (b *swBundle) at(day calendar.Date, hh int) {
	b.t.Helper()
	target := day.Start(swZurich).Add(time.Duration(hh) * time.Hour)
	d := target.Sub(b.clk.Now())
	if d < 0 {
		b.t.Fatalf("the clock cannot go back from %s to %s", b.clk.Now(), target)
	}
	b.clk.Advance(d)
}

// sweep runs the renewal sweep now.
func (b *swBundle) sweep() {
	b.t.Helper()
	if err := b.ren.Sweep(swCtx, b.clk.Now()); err != nil {
		b.t.Fatalf("Sweep at %s: %v", b.clk.Now(), err)
	}
}

// sweepOn moves the clock to 09:00 on day and sweeps.
func (b *swBundle) sweepOn(day calendar.Date) {
	b.t.Helper()
	b.at(day, 9)
	b.sweep()
}

// mails lists the templates sent to email (newest first) in language lang
// ("" for any).
func (b *swBundle) mails(email, template, lang string) []notify.OutboxEntry {
	b.t.Helper()
	entries, err := b.notifier.List(swCtx, email, 500)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []notify.OutboxEntry
	for _, e := range entries {
		if e.Template == template && (lang == "" || e.Language == lang) {
			out = append(out, e)
		}
	}
	return out
}

// charges counts the sandbox payments that took money.
func (b *swBundle) charges() int {
	return b.count(`SELECT COUNT(*) FROM sandbox_payments WHERE captured_minor > 0`)
}

// events counts the webhook events of a type about a product.
func (b *swBundle) events(typ, pid string) int {
	return b.count(`SELECT COUNT(*) FROM webhook_events WHERE type = $1 AND payload LIKE $2`, typ, "%"+pid+"%")
}

// renewalInvoices counts the invoices with a line renewing pid.
func (b *swBundle) renewalInvoices(pid string) int {
	return b.count(`SELECT COUNT(DISTINCT i.id) FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
		WHERE i.kind = 'invoice' AND l.product_id = $1 AND l.order_id IS NULL`, pid)
}
