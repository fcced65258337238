package billing_test

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// recorder is a billing.Publisher that keeps the event types published.
type recorder struct {
	mu    sync.Mutex
	types []string
}

func (r *recorder) Publish(_ context.Context, _ *sql.Tx, typ, _ string, _ any) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.types = append(r.types, typ)
	return typ, nil
}

// PRD-5: an invoice paid by bank transfer is invoice.paid for the
// provider's systems, like one paid by card; a system listening only for
// invoice.paid must not miss it.
func TestPRD5_ProformaPaidByTransferPublishesInvoicePaid(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		events := &recorder{}
		b.bill.UsePublisher(events)
		o := b.order("domain", "example.ch", "1y")
		if _, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "iban"},
			meta(b.lr)); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open("testdata/camt054_proforma.xml")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got, err := b.bill.ImportBankFile(ctx, f, "camt054_proforma.xml", meta("")); err != nil || got.Matched != 1 {
			t.Fatalf("import: %+v, %v", got, err)
		}
		for _, want := range []string{"product.activated", "invoice.paid"} {
			if !slices.Contains(events.types, want) {
				t.Errorf("events %v: no %s", events.types, want)
			}
		}
	})
}
