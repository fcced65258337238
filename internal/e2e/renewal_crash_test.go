package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
)

// REN-3, REN-6, DESIGN "sweep": alpage serve is killed (kill -9) at random
// points of a renewal sweep of many due products, 20 times, and restarted;
// after each restart no product is renewed twice for one period, every
// invoice has its payment and every payment its invoice, and the prepaid
// ledgers balance. At the end every product is renewed exactly once and
// the gateway charged exactly what alpage recorded.
func TestREN3_CrashDuringTheRenewalSweep(t *testing.T) {
	t.Parallel()
	const products = 1500
	data := t.TempDir()
	due := seedRenewals(t, data, products)

	srv := startServer(t, "--dev", "--data", data)
	db := openData(t, data)
	if n := renewalSweepRuns(t, db); n == 0 {
		// The periodic sweep ran on start: the renewal sweep is registered
		// when it recorded a run (internal/app registers it).
		srv.stop()
		t.Log(srv.stderr.String())
		t.Skip("the renewal sweep is not registered in internal/app: register renewal.Service.Sweep as a jobs.Sweep")
	}
	// sweep runs the due sweeps in a request that the kill cuts: first
	// moving the clock to D−14, then a minute on each restart (the renewal
	// sweep cut by the kill recorded no run, so it runs again).
	sweep := func(url, advance string) {
		go func() {
			resp, err := http.Post(url+"/api/1/_dev/clock", "application/json", strings.NewReader(`{"advance": "`+advance+`"}`))
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	sweep(srv.URL, "1d")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	orphans := map[int64]bool{} // jobs a killed server left running
	for round := 0; round < 20; round++ {
		waitRenewals(t, db, 1+round*products/40, 30*time.Second)
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond) // a random point of the sweep
		srv.kill9()
		for _, id := range runningJobs(t, db) {
			orphans[id] = true
		}
		checkRenewalInvariants(t, db, due, false)
		srv = startServer(t, "--dev", "--data", data)
		sweep(srv.URL, "1m")
	}
	// Let the payments sweep (5 minutes) and the renewal sweep finish. The
	// request runs the sweeps, then waits (30 s at most) for the e-mails
	// they enqueued: jobs_still_running for that wait alone still means the
	// sweeps ran.
	var out envelope[clockState]
	if code := srv.call("POST", "/api/1/_dev/clock", "", map[string]string{"advance": "2h"}, &out); code != 200 && out.Error.Code != "jobs_still_running" {
		logs := srv.stderr.String()
		t.Fatalf("advancing the clock: %d %s\n%s", code, out.Error.Code, logs[max(0, len(logs)-4000):])
	}
	// The e-mails of 1,500 renewals outlast the clock's 30-second wait and
	// would outlast the 30-second graceful stop too: let them finish first.
	// The jobs a killed server left running wait for the queue's rescue of
	// stuck jobs (5 minutes after they started); the graceful stop does not
	// wait for them.
	waitJobsDone(t, db, orphans, 5*time.Minute)
	srv.stop()
	checkRenewalInvariants(t, db, due, true)
	var renewed int
	if err := db.QueryRow(`SELECT COUNT(*) FROM products WHERE due_date = $1`, due.AddMonths(12).String()).Scan(&renewed); err != nil {
		t.Fatal(err)
	}
	if renewed != products {
		t.Fatalf("renewed after the crashes: %d of %d", renewed, products)
	}
}

// seedRenewals makes a data directory with the demo catalog and products
// organizations whose .ch domains, due in 15 days, renew with a saved
// sandbox card.
func seedRenewals(t *testing.T, data string, products int) calendar.Date {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, data, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := clock.System{}
	cats := catalog.New(db, clk)
	f, err := os.Open("../demo/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Parse(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cats.Import(ctx, c, "catalog.yaml", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	gw, err := sandbox.New(db, clk, sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bill := billing.New(db, clk, cats, nil, gw)
	loc, _ := time.LoadLocation(c.TimeZone)
	due := calendar.Today(clk.Now(), loc).AddDays(15)
	now := clk.Now()
	const perOrg = 50
	for o := 0; o*perOrg < products; o++ {
		orgID, uid := id.New(), id.New()
		err := db.WithTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, name, street, postcode, city, country, created_at, updated_at)
				VALUES ($1, $2, 'Musterstrasse 1', '8000', 'Zürich', 'CH', $3, $3)`, orgID, fmt.Sprintf("Crash %d", o), now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, password_hash, first_name, last_name, language,
				email_confirmed_at, created_at, updated_at) VALUES ($1, $2, 'x', 'Crash', 'Test', 'fr', $3, $3, $3)`,
				uid, fmt.Sprintf("crash%d@example.ch", o), now); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO memberships (organization_id, user_id, role, billing, contact_preferences, created_at)
				VALUES ($1, $2, 'legal_representative', $3, 'billing', $4)`, orgID, uid, false, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		pm, err := bill.AddTestCard(ctx, uid, orgID, sandbox.CardVisa, audit.Meta{ActorID: uid})
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		var args []any
		for i := 0; i < perOrg && o*perOrg+i < products; i++ {
			k := len(args)
			rows = append(rows, fmt.Sprintf("($%d, $%d, 'domain', $%d, 'active', $%d, '.ch', '1y', 'CHF', $%d, $%d, $%d, $%d)",
				k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+7))
			args = append(args, id.New(), orgID, fmt.Sprintf("crash%d-%d.ch", o, i), due.String(), true, pm.ID, now)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO products (id, organization_id, type, name, status, due_date, plan, period,
			currency, auto_renew, payment_method_id, created_at, updated_at) VALUES `+strings.Join(rows, ", "), args...); err != nil {
			t.Fatal(err)
		}
		// The 30-day reminders went out already: the sweep at start has
		// nothing to do until the clock reaches D−14.
		if _, err := db.ExecContext(ctx, `INSERT INTO renewal_steps (product_id, due_date, kind, days, organization_id, created_at)
			SELECT id, due_date, 'reminder', -30, organization_id, created_at FROM products WHERE organization_id = $1`, orgID); err != nil {
			t.Fatal(err)
		}
	}
	return due
}

func openData(t *testing.T, data string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+data+"/alpage.db?_pragma=busy_timeout(10000)&_time_format=sqlite")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func renewalSweepRuns(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	deadline := time.Now().Add(60 * time.Second)
	for {
		if err := db.QueryRow(`SELECT COUNT(*) FROM sweep_runs WHERE name LIKE 'renewal%'`).Scan(&n); err == nil && n > 0 {
			return n
		}
		if time.Now().After(deadline) {
			return 0
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitRenewals waits until at least n renewals are recorded, or d passes
// (a sweep that finished before n is fine).
func waitRenewals(t *testing.T, db *sql.DB, n int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		var got int
		if err := db.QueryRow(`SELECT COUNT(*) FROM invoice_lines WHERE order_id IS NULL AND product_id IS NOT NULL`).Scan(&got); err == nil && got >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkRenewalInvariants checks what must hold after any crash; final adds
// that the gateway charged exactly the payments alpage recorded.
func checkRenewalInvariants(t *testing.T, db *sql.DB, due calendar.Date, final bool) {
	t.Helper()
	checks := map[string]string{
		"products renewed twice for one period": `SELECT COUNT(*) FROM (SELECT l.product_id FROM invoice_lines l
			JOIN invoices i ON i.id = l.invoice_id WHERE i.kind = 'invoice' AND l.order_id IS NULL
			GROUP BY l.product_id, l.period_start HAVING COUNT(*) > 1) d`,
		"products moved by more than one period": fmt.Sprintf(`SELECT COUNT(*) FROM products WHERE due_date NOT IN ('%s', '%s')`,
			due.String(), due.AddMonths(12).String()),
		"renewed products without their invoice": fmt.Sprintf(`SELECT COUNT(*) FROM products p WHERE p.due_date = '%s' AND NOT EXISTS
			(SELECT 1 FROM invoice_lines l WHERE l.product_id = p.id AND l.period_start = '%s')`, due.AddMonths(12).String(), due.String()),
		"invoices without their payment": `SELECT COUNT(*) FROM invoices i WHERE i.kind = 'invoice' AND i.status = 'paid'
			AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id AND p.status = 'succeeded')`,
		"payments without their invoice": `SELECT COUNT(*) FROM payments WHERE status = 'succeeded' AND purpose = 'invoice' AND invoice_id IS NULL`,
		"invoices paid twice": `SELECT COUNT(*) FROM (SELECT invoice_id FROM payments WHERE status = 'succeeded' AND method <> 'prepaid'
			GROUP BY invoice_id HAVING COUNT(*) > 1) d`,
		"prepaid accounts off their ledger": `SELECT COUNT(*) FROM prepaid_accounts a WHERE a.balance_minor <>
			(SELECT COALESCE(SUM(e.amount_minor), 0) FROM prepaid_entries e WHERE e.organization_id = a.organization_id AND e.currency = a.currency)`,
		"gateway charges beyond alpage's payments and attempts under way": `SELECT COUNT(*) FROM sandbox_payments s WHERE s.captured_minor > 0
			AND s.reference NOT IN (SELECT CAST(id AS text) FROM checkouts WHERE status IN ('open','completed'))`,
	}
	if final {
		checks["gateway charges without a settled payment"] = `SELECT (SELECT COUNT(*) FROM sandbox_payments WHERE captured_minor > 0)
			- (SELECT COUNT(*) FROM payments WHERE status = 'succeeded' AND method <> 'prepaid')`
		checks["attempts left open"] = `SELECT COUNT(*) FROM checkouts WHERE status = 'open'`
	}
	for what, q := range checks {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// runningJobs lists the ids of the jobs in state running.
func runningJobs(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	rows, err := db.Query(`SELECT id FROM river_job WHERE state = 'running'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// waitJobsDone waits until the job queue has nothing left to run but the
// orphans, jobs left running by a killed server.
func waitJobsDone(t *testing.T, db *sql.DB, orphans map[int64]bool, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		n := 0
		rows, err := db.Query(`SELECT id, state FROM river_job WHERE state IN ('available', 'running')`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var state string
			if err := rows.Scan(&id, &state); err != nil {
				t.Fatal(err)
			}
			if state == "available" || !orphans[id] {
				n++
			}
		}
		rows.Close()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			var states []string
			rows, err := db.Query(`SELECT kind, state, attempt, COUNT(*) FROM river_job
				WHERE state IN ('available', 'running') GROUP BY kind, state, attempt`)
			if err == nil {
				for rows.Next() {
					var kind, state string
					var attempt, count int
					if rows.Scan(&kind, &state, &attempt, &count) == nil {
						states = append(states, fmt.Sprintf("%s %s attempt %d: %d", kind, state, attempt, count))
					}
				}
				rows.Close()
			}
			t.Fatalf("%d jobs still to run after %v: %v", n, timeout, states)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
