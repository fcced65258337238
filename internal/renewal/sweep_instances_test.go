package renewal_test

import (
	"sync"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

// REN-3, DESIGN "sweep": two instances on one PostgreSQL database sweep
// the same 10,000 due products at the same time; each product is renewed
// exactly once (one invoice line, one payment, one gateway charge, the due
// date moved once). CI=true makes PostgreSQL mandatory.
func TestREN3_TwoInstancesRenewEachProductOnce(t *testing.T) {
	t.Parallel()
	n := 10000
	if testing.Short() {
		n = 1000
	}
	url := pgtest.URL(t)
	open := func() *store.DB {
		db, err := store.Open(swCtx, "", url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db1, db2 := open(), open()
	if _, err := db1.Migrate(swCtx); err != nil {
		t.Fatal(err)
	}
	one := swSetup(t, db1, swOptions{})
	two := swStack(t, db2, one.clk, swOptions{})
	due := calendar.Today(one.clk.Now(), swZurich).AddDays(40)
	products := swSeed(t, one, n/100, 100, due.String())
	one.at(due.AddDays(-14), 9)
	started := time.Now()

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, inst := range []*swBundle{one, two} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = inst.ren.Sweep(swCtx, inst.clk.Now())
		}()
	}
	wg.Wait()
	t.Logf("%d products swept by two instances in %s", len(products), time.Since(started))
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i+1, err)
		}
	}
	// What an instance left under way (the other held the product) the
	// next sweep finishes; nothing is done twice.
	if err := one.ren.Sweep(swCtx, one.clk.Now()); err != nil {
		t.Fatal(err)
	}
	swCheckOnce(t, db1, products, due.String(), due.AddMonths(12).String())
	if got := one.count(`SELECT COUNT(*) FROM renewal_steps WHERE kind = 'reminder'`); got != len(products) {
		t.Errorf("14-day reminders recorded: %d, want %d", got, len(products))
	}
	if got := one.count(`SELECT COUNT(*) FROM outbox WHERE template = 'renewal_reminder'`); got != len(products) {
		t.Errorf("14-day reminders sent: %d, want %d (one contact per organization)", got, len(products))
	}
	_ = testutil.Engines
}
