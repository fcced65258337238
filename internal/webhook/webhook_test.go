package webhook_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/webhook"
)

var now = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// receiver is the provider's system: it records what it receives and
// answers the statuses it is told to, in order, then 200.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []received
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Clone(), b})
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"seen": true}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func TestPRD5_SignatureVerifiesOnlyTheSignedBodyRecently(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"1","type":"invoice.paid"}`)
	h := webhook.Sign("whsec_x", now, body)
	if !strings.HasPrefix(h, "t=1795338000,v1=") {
		t.Fatalf("signature header = %q", h)
	}
	if err := webhook.Verify("whsec_x", h, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("Verify = %v", err)
	}
	for name, tc := range map[string]struct {
		secret, header string
		body           []byte
		at             time.Time
		want           error
	}{
		"other body":      {"whsec_x", h, []byte(`{"id":"2"}`), now, webhook.ErrSignatureInvalid},
		"other secret":    {"whsec_y", h, body, now, webhook.ErrSignatureInvalid},
		"replayed later":  {"whsec_x", h, body, now.Add(6 * time.Minute), webhook.ErrSignatureExpired},
		"no header":       {"whsec_x", "", body, now, webhook.ErrSignatureMissing},
		"no v1":           {"whsec_x", "t=1795338000", body, now, webhook.ErrSignatureMissing},
		"forged time":     {"whsec_x", strings.Replace(h, "t=1795338000", "t=1795338060", 1), body, now, webhook.ErrSignatureInvalid},
		"garbage":         {"whsec_x", "v1=abc,t=x", body, now, webhook.ErrSignatureMissing},
		"second v1 works": {"whsec_x", "t=1795338000,v1=00," + strings.Split(h, ",")[1], body, now, nil},
	} {
		if err := webhook.Verify(tc.secret, tc.header, tc.body, tc.at, 5*time.Minute); !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", name, err, tc.want)
		}
	}
}

func setup(t *testing.T, db *store.DB, work bool) (*webhook.Service, *jobs.Queue) {
	t.Helper()
	clk := clock.NewFixed(now)
	q := jobs.New(db, clk, slog.New(slog.DiscardHandler))
	s := webhook.New(db, clk, q, nil)
	webhook.RegisterWorkers(q, s)
	if err := q.Open(work); err != nil {
		t.Fatal(err)
	}
	if work {
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(ctx)
		})
	}
	return s, q
}

// PRD-5: an event published in a committed change reaches every endpoint
// that wants it, signed; a rolled-back change publishes nothing.
func TestPRD5_PublishDeliversSignedEventsOfCommittedChanges(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, q := setup(t, db, true)
		all, products := newReceiver(t), newReceiver(t)
		_, allSecret, err := s.Add(ctx, all.URL+"/hook", nil, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Add(ctx, products.URL, []string{"product.*"}, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		var eventID string
		if err := db.WithTx(ctx, func(tx *sql.Tx) error {
			eventID, err = s.Publish(ctx, tx, webhook.InvoicePaid, "", map[string]string{"invoice_id": "inv-1"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		rollback := errors.New("rolled back")
		if err := db.WithTx(ctx, func(tx *sql.Tx) error {
			if _, err := s.Publish(ctx, tx, webhook.ProductBlocked, "", nil); err != nil {
				return err
			}
			return rollback
		}); !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		wait(t, q)

		got := all.requests()
		if len(got) != 1 || len(products.requests()) != 0 {
			t.Fatalf("all got %d, products got %d; want 1 and 0 (invoice.paid only; the blocked product was rolled back)",
				len(got), len(products.requests()))
		}
		r := got[0]
		if err := webhook.Verify(allSecret, r.header.Get(webhook.SignatureHeader), r.body, now, 5*time.Minute); err != nil {
			t.Errorf("the delivery does not verify: %v", err)
		}
		var b struct {
			ID, Type string
			Data     map[string]string
		}
		if err := json.Unmarshal(r.body, &b); err != nil || b.ID != eventID || b.Type != "invoice.paid" ||
			b.Data["invoice_id"] != "inv-1" || r.header.Get("Alpage-Event-Id") != eventID {
			t.Errorf("body %s (%v), header %v", r.body, err, r.header)
		}
		ds, err := s.Deliveries(ctx, "", 10)
		if err != nil || len(ds) != 1 || ds[0].Status != "succeeded" || ds[0].ResponseStatus != 200 ||
			ds[0].EventType != "invoice.paid" || ds[0].ResponseBody != `{"seen": true}` || ds[0].Attempt != 1 {
			t.Errorf("deliveries = %+v, %v", ds, err)
		}
	})
}

// PRD-5: at least once — the delivery job is kept for MaxAttempts tries,
// an endpoint that fails is tried again, and every attempt is listed.
func TestPRD5_FailedDeliveriesAreRetriedAndListed(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := setup(t, db, false) // the test plays River's attempts itself
		r := newReceiver(t, http.StatusInternalServerError, http.StatusBadGateway)
		ep, _, err := s.Add(ctx, r.URL, []string{"product.activated"}, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		var eventID string
		if err := db.WithTx(ctx, func(tx *sql.Tx) error {
			eventID, err = s.Publish(ctx, tx, webhook.ProductActivated, "", map[string]string{"product_id": "p"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var maxAttempts int
		if err := db.QueryRowContext(ctx, `SELECT max_attempts FROM river_job WHERE kind = 'webhook.deliver'`).
			Scan(&maxAttempts); err != nil || maxAttempts != webhook.MaxAttempts {
			t.Fatalf("delivery job: %d attempts (%v), want %d", maxAttempts, err, webhook.MaxAttempts)
		}
		for attempt, want := range []string{"500", "502", ""} {
			err := s.Deliver(ctx, eventID, ep.ID, attempt+1)
			if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
				t.Fatalf("attempt %d = %v, want %q", attempt+1, err, want)
			}
		}
		ds, err := s.Deliveries(ctx, ep.ID, 10)
		if err != nil || len(ds) != 3 {
			t.Fatalf("deliveries = %+v, %v", ds, err)
		}
		for i, want := range []struct {
			attempt, status int
			state           string
		}{{3, 200, "succeeded"}, {2, 502, "failed"}, {1, 500, "failed"}} {
			if d := ds[i]; d.Attempt != want.attempt || d.ResponseStatus != want.status || d.Status != want.state {
				t.Errorf("delivery %d = attempt %d, %d %s; want %+v", i, d.Attempt, d.ResponseStatus, d.Status, want)
			}
		}
		if n := len(r.requests()); n != 3 {
			t.Errorf("the receiver got %d requests, want 3", n)
		}
	})
}

// An endpoint removed after an event was published gets nothing more; an
// unanswered endpoint is recorded as such.
func TestPRD5_RemovedAndUnreachableEndpoints(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := setup(t, db, false)
		r := newReceiver(t)
		ep, _, err := s.Add(ctx, r.URL, nil, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		dead, _, err := s.Add(ctx, "http://127.0.0.1:1/hook", nil, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		var eventID string
		_ = db.WithTx(ctx, func(tx *sql.Tx) error {
			eventID, err = s.Publish(ctx, tx, webhook.ProductTerminated, "", nil)
			return err
		})
		if err := s.Remove(ctx, ep.ID, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Deliver(ctx, eventID, ep.ID, 1); err == nil || len(r.requests()) != 0 {
			t.Errorf("delivery to a removed endpoint = %v, %d requests; want refused, none", err, len(r.requests()))
		}
		if err := s.Deliver(ctx, eventID, dead.ID, 1); err == nil {
			t.Error("delivery to a closed port succeeded")
		}
		ds, _ := s.Deliveries(ctx, dead.ID, 10)
		if len(ds) != 1 || ds[0].ResponseStatus != 0 || !strings.Contains(ds[0].Error, "no answer") {
			t.Errorf("deliveries to the dead endpoint = %+v", ds)
		}
		if list, _ := s.List(ctx); len(list) != 1 || list[0].ID != dead.ID {
			t.Errorf("List = %+v, want the dead endpoint only", list)
		}
		if err := s.Remove(ctx, ep.ID, audit.Meta{}); !errors.Is(err, apperr.NotFound) {
			t.Errorf("removing twice = %v, want not found", err)
		}
	})
}

func TestPRD5_AddRefusesBadAddressesAndPatterns(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db, false)
		ctx := context.Background()
		// Plain http only to a server on the same machine or network.
		for _, u := range []string{"", "ftp://x.example/h", "/hooks", "https://user:pw@x.example/", "https://",
			"http://8.8.8.8/x", "http://example.com/x", "http://no-such-host.example/x", "http://[2001:db8::1]/x"} {
			if _, _, err := s.Add(ctx, u, nil, audit.Meta{}); !errors.Is(err, webhook.ErrURLInvalid) {
				t.Errorf("Add(%q) = %v, want webhook_url_invalid", u, err)
			}
		}
		for _, u := range []string{"http://127.0.0.1:9000/h", "http://localhost/h", "http://10.1.2.3/h", "http://192.168.1.5:8080/h",
			"http://provisioning/h", "http://prov.internal/h", "http://[::1]:9000/h", "https://8.8.8.8/x"} {
			if _, _, err := s.Add(ctx, u, nil, audit.Meta{}); err != nil {
				t.Errorf("Add(%q) = %v, want accepted", u, err)
			}
		}
		for _, p := range []string{"Product.*", "product.**", "a b"} {
			if _, _, err := s.Add(ctx, "https://x.example/h", []string{p}, audit.Meta{}); !errors.Is(err, apperr.Validation) {
				t.Errorf("pattern %q = %v, want validation_failed", p, err)
			}
		}
		ep, secret, err := s.Add(ctx, "https://x.example/h", []string{"product.*, invoice.paid"}, audit.Meta{})
		if err != nil || !strings.HasPrefix(secret, "whsec_") || len(ep.Events) != 2 {
			t.Fatalf("Add = %+v, %q, %v", ep, secret, err)
		}
		for typ, want := range map[string]bool{"product.blocked": true, "invoice.paid": true, "invoice.issued": false, "productx.a": false} {
			if ep.Wants(typ) != want {
				t.Errorf("Wants(%s) = %v", typ, !want)
			}
		}
	})
}

func wait(t *testing.T, q *jobs.Queue) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}
