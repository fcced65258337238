package idempotency_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/idempotency"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestAPI4_IdempotencyKeyLifecycle(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		s := idempotency.New(db, clk)
		req := idempotency.Request{Owner: "u1", Key: "k1", Method: "POST", Path: "/api/1/profile/tokens", Body: []byte(`{"name":"a"}`)}

		if r, err := s.Begin(ctx, req); err != nil || r != nil {
			t.Fatalf("first begin: %v, %v; want to own the key", r, err)
		}
		if _, err := s.Begin(ctx, req); !errors.Is(err, apperr.InProgress) {
			t.Fatalf("begin while in progress: %v, want request_in_progress", err)
		}
		want := idempotency.Response{Status: 201, ContentType: "application/json", Body: []byte(`{"result":"success"}`)}
		if err := s.Complete(ctx, req.Owner, req.Key, want); err != nil {
			t.Fatal(err)
		}
		r, err := s.Begin(ctx, req)
		if err != nil || r == nil {
			t.Fatalf("replay: %v, %v", r, err)
		}
		if r.Status != want.Status || r.ContentType != want.ContentType || !bytes.Equal(r.Body, want.Body) {
			t.Fatalf("replay = %+v, want %+v", r, want)
		}
		other := req
		other.Body = []byte(`{"name":"b"}`)
		if _, err := s.Begin(ctx, other); !errors.Is(err, apperr.IdempotencyReuse) {
			t.Fatalf("other body: %v, want idempotency_key_reused", err)
		}
		other = req
		other.Path = "/api/1/elsewhere"
		if _, err := s.Begin(ctx, other); !errors.Is(err, apperr.IdempotencyReuse) {
			t.Fatalf("other path: %v, want idempotency_key_reused", err)
		}
		// Another owner has its own key space.
		other = req
		other.Owner = "u2"
		if r, err := s.Begin(ctx, other); err != nil || r != nil {
			t.Fatalf("other owner: %v, %v; want to own the key", r, err)
		}
		// Abandoned keys can be retried.
		if err := s.Abandon(ctx, "u2", req.Key); err != nil {
			t.Fatal(err)
		}
		if r, err := s.Begin(ctx, other); err != nil || r != nil {
			t.Fatalf("after abandon: %v, %v; want to own the key", r, err)
		}
		// After 24 h the key is forgotten: another body may use it.
		clk.Advance(idempotency.TTL)
		other = req
		other.Body = []byte(`{"name":"c"}`)
		if r, err := s.Begin(ctx, other); err != nil || r != nil {
			t.Fatalf("after 24 h: %v, %v; want to own the key", r, err)
		}
		clk.Advance(idempotency.TTL)
		if err := idempotency.Sweep(db).Run(ctx, clk.Now()); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM idempotency_keys`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("after sweep: %d keys, want 0", n)
		}
	})
}

func TestAPI4_IdempotencyKeyOneWinner(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := idempotency.New(db, clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
		req := idempotency.Request{Owner: "u1", Key: "race", Method: "POST", Path: "/x", Body: []byte(`{}`)}
		var mu sync.Mutex
		owners := 0
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.Begin(ctx, req)
				if err == nil && r == nil {
					mu.Lock()
					owners++
					mu.Unlock()
				} else if !errors.Is(err, apperr.InProgress) {
					t.Errorf("begin: %v, %v", r, err)
				}
			}()
		}
		wg.Wait()
		if owners != 1 {
			t.Fatalf("%d requests own the key, want 1", owners)
		}
	})
}

func TestAPI4_IdempotencyKeyLength(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		s := idempotency.New(db, clock.NewFixed(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
		_, err := s.Begin(context.Background(), idempotency.Request{Owner: "u", Key: string(make([]byte, 256)), Method: "POST", Path: "/x"})
		if e := apperr.As(err); e == nil || e.Code != "bad_request" || e.Attribute != "Idempotency-Key" {
			t.Fatalf("long key: %v, want bad_request on Idempotency-Key", err)
		}
	})
}
