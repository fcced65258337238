package renewal_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/webhook"
)

// swReceiver is the provider's system: it answers 500 to the first
// delivery of every event and 200 to the next, and keeps what it got.
type swReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string]int // deliveries per event id
	ok   map[string][]byte
	sigs map[string]string
}

func swNewReceiver(t *testing.T) *swReceiver {
	r := &swReceiver{seen: map[string]int{}, ok: map[string][]byte{}, sigs: map[string]string{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var ev struct{ ID, Type string }
		_ = json.Unmarshal(body, &ev)
		r.mu.Lock()
		r.seen[ev.ID]++
		first := r.seen[ev.ID] == 1
		if !first {
			r.ok[ev.Type+" "+ev.ID] = body
			r.sigs[ev.Type+" "+ev.ID] = req.Header.Get(webhook.SignatureHeader)
		}
		r.mu.Unlock()
		if first {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.Close)
	return r
}

// delivered lists the events (type, body, signature) answered 200.
func (r *swReceiver) delivered() map[string][2]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][2]string{}
	for k, b := range r.ok {
		out[k] = [2]string{string(b), r.sigs[k]}
	}
	return out
}

// PRD-5: the events of an automatic renewal reach the provider's endpoint
// signed with Alpage-Signature; an endpoint answering 500 gets the event
// again.
func TestPRD5_RenewalEventsReachTheEndpointSignedAndRetried(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := swSetup(t, db, swOptions{work: true})
		ctx, cancel := context.WithCancel(swCtx)
		defer cancel()
		if err := b.q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = b.q.Stop(stop)
		})
		rcv := swNewReceiver(t)
		_, secret, err := b.hooks.Add(swCtx, rcv.URL+"/alpage", []string{"product.*", "invoice.*"}, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		visa := b.card(sandbox.CardVisa)
		pid := b.buy("domain", "", "hooks.ch", "1y", visa)
		b.sweepOn(b.due(pid).AddDays(-14))
		if b.renewalInvoices(pid) != 1 {
			t.Fatal("not renewed")
		}
		want := map[string]bool{"product.activated": false, "product.renewed": false, "invoice.paid": false, "invoice.issued": false}
		deadline := time.Now().Add(90 * time.Second) // River retries after its back-off: poll, do not assert time
		for {
			for k, v := range rcv.delivered() {
				var ev struct {
					Type string
					Data map[string]any
				}
				if err := json.Unmarshal([]byte(v[0]), &ev); err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				if err := webhook.Verify(secret, v[1], []byte(v[0]), b.clk.Now(), 5*time.Minute); err != nil {
					t.Fatalf("%s does not verify: %v", k, err)
				}
				if _, ok := want[ev.Type]; ok {
					want[ev.Type] = true
				}
				if ev.Type == "product.renewed" && (ev.Data["product_id"] != pid || ev.Data["due_date"] != b.due(pid).String()) {
					t.Errorf("product.renewed data: %v", ev.Data)
				}
			}
			all := true
			for _, got := range want {
				all = all && got
			}
			if all {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("events delivered after a retry: %v", want)
			}
			time.Sleep(100 * time.Millisecond)
		}
		ds, err := b.hooks.Deliveries(swCtx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, d := range ds {
			if d.ResponseStatus == http.StatusInternalServerError {
				failed++
			}
		}
		if failed < len(want) {
			t.Errorf("deliveries answered 500: %d, want at least %d (one per event)", failed, len(want))
		}
	})
}
