package renewal_test

import (
	"testing"
	"time"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// REN-3, REN-6, BIL-7, PRD-4: the operator's forecast lists the charges
// (monthly products each month), manual due dates, blocks and terminations
// of the window, and the expected revenue per currency, VAT included.
func TestREN3_ForecastOnASeededSet(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := lcSetup(t, db)
		add := func(typ, name, plan, period, currency, status, due string, auto bool) string {
			pid := id.New()
			b.exec(`INSERT INTO products (id, organization_id, type, name, status, due_date, plan, period, currency, auto_renew,
				created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
				pid, b.org, typ, name, status, due, plan, period, currency, auto, b.clk.Now())
			return pid
		}
		add("domain", "yearly.ch", ".ch", "1y", "CHF", "active", "2026-04-10", true)              // charge 03-27
		add("web_hosting", "monthly.ch", "starter", "1m", "CHF", "active", "2026-03-20", true)    // charges 03-06, 04-06
		add("web_hosting", "manual.eu", "starter", "1y", "EUR", "active", "2026-03-15", false)    // due 03-15, block 03-16, end 04-14
		add("domain", "blocked.ch", ".ch", "1y", "CHF", "blocked", "2026-02-20", false)           // end 03-22
		add("domain", "later.ch", ".ch", "1y", "CHF", "active", "2026-06-30", true)               // charge after the window
		add("domain", "gone.ch", ".ch", "1y", "CHF", "terminated", "2026-03-20", true)            // nothing
		add("domain", "retrying.li", ".li", "1y", "CHF", "active", "2026-03-10", true)            // next retry 03-03
		leaving := add("domain", "leaving.ch", ".ch", "1y", "CHF", "active", "2026-04-01", false) // the customer's end 04-01
		add("domain", "operator.ch", "", "", "", "active", "2026-04-20", false)                   // made by the operator: priced as billing proposes
		b.exec(`INSERT INTO termination_requests (id, organization_id, product_id, mode, status, effective_date, expires_at, created_at)
			VALUES ($1, $2, $3, 'due_date', 'scheduled', '2026-04-01', $4, $4)`, id.New(), b.org, leaving, b.clk.Now())
		before := b.count(`SELECT COUNT(*) FROM audit_events`) + b.count(`SELECT COUNT(*) FROM products WHERE status = 'terminated'`)

		from := calendar.Today(b.clk.Now(), time.UTC)
		f, err := b.ren.Forecast(lcCtx, from, 60)
		if err != nil {
			t.Fatal(err)
		}
		if f.From.String() != "2026-03-02" || f.To.String() != "2026-04-30" {
			t.Errorf("window %s..%s", f.From, f.To)
		}
		var got []string
		for _, it := range f.Items {
			s := it.Date.String() + " " + it.Kind + " " + it.ProductName
			if it.Priced {
				s += " " + it.Total.Currency + " " + it.Total.String()
			}
			got = append(got, s)
		}
		want := []string{
			"2026-03-03 charge retrying.li CHF 16.22",
			"2026-03-06 charge monthly.ch CHF 9.73",
			"2026-03-15 due manual.eu EUR 108.10",
			"2026-03-16 block manual.eu",
			"2026-03-22 termination blocked.ch",
			"2026-03-27 charge yearly.ch CHF 16.22",
			"2026-04-01 termination leaving.ch",
			"2026-04-06 charge monthly.ch CHF 9.73",
			"2026-04-14 termination manual.eu",
			"2026-04-20 due operator.ch CHF 16.22",
			"2026-04-21 block operator.ch",
		}
		if !lcEqual(got, want) {
			t.Errorf("items:\n%v\nwant:\n%v", got, want)
		}
		if len(f.Totals) != 2 {
			t.Fatalf("totals %+v", f.Totals)
		}
		chf, eur := f.Totals[0], f.Totals[1]
		if chf.Currency != "CHF" || chf.Charges.String() != "51.90" || chf.ChargeCount != 4 || chf.Due.String() != "16.22" || chf.DueCount != 1 {
			t.Errorf("CHF %+v", chf)
		}
		if eur.Currency != "EUR" || eur.Due.String() != "108.10" || eur.DueCount != 1 || eur.ChargeCount != 0 {
			t.Errorf("EUR %+v", eur)
		}
		if f.Blocks != 2 || f.Terminations != 3 {
			t.Errorf("%d blocks, %d terminations", f.Blocks, f.Terminations)
		}
		if after := b.count(`SELECT COUNT(*) FROM audit_events`) + b.count(`SELECT COUNT(*) FROM products WHERE status = 'terminated'`); after != before {
			t.Error("the forecast changed something")
		}
		if _, err := b.ren.Forecast(lcCtx, from, 0); err == nil {
			t.Error("a window of 0 days was accepted")
		}
		_ = renewal.ForecastCharge
	})
}
