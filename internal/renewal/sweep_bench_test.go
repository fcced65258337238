package renewal_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// BenchmarkREN3_SweepRenewals seeds products due in 14 days that renew
// automatically with saved sandbox cards (100 per organization, one
// billing contact each) and times the sweep that renews them all: the
// metric is renewals/s. ALPAGE_BENCH_RENEWALS sets how many products
// (100000 on SQLite, 10000 on PostgreSQL by default; run it with
// -benchtime 1x). Each renewal is a whole one: the 14-day reminder,
// payment attempt, gateway charge, invoice with its number, due date
// moved, events and e-mails enqueued, as the sweep does them (on SQLite,
// chunks of products sharing their transactions, each product in its
// savepoint; on PostgreSQL, one product per transaction, several at once;
// bench/README.md). The postgres variant needs PostgreSQL (pgtest).
func BenchmarkREN3_SweepRenewals(b *testing.B) {
	for _, c := range []struct {
		engine store.Engine
		n      int
	}{{store.SQLite, 100000}, {store.Postgres, 10000}} {
		b.Run(string(c.engine), func(b *testing.B) {
			n := c.n
			if v, err := strconv.Atoi(os.Getenv("ALPAGE_BENCH_RENEWALS")); err == nil && v > 0 {
				n = v
			}
			benchSweep(b, c.engine, n)
		})
	}
}

func benchSweep(b *testing.B, engine store.Engine, n int) {
	perOrg := min(100, n)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := testutil.OpenDB(b, engine)
		bd := swSetup(b, db, swOptions{})
		due := calendar.Today(bd.clk.Now(), swZurich).AddDays(40)
		products := swSeed(b, bd, n/perOrg, perOrg, due.String())
		bd.at(due.AddDays(-14), 9)
		b.StartTimer()
		start := time.Now()
		if err := bd.ren.Sweep(swCtx, bd.clk.Now()); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		swCheckOnce(b, db, products, due.String(), due.AddMonths(12).String())
		if keep := os.Getenv("ALPAGE_BENCH_KEEP_DB"); keep != "" { // a copy to study (EXPLAIN QUERY PLAN)
			if _, err := db.ExecContext(swCtx, `VACUUM INTO $1`, keep); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "renewals/s")
}
