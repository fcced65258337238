package sandbox_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// The same key with the same parameters returns the first result and
// charges once; with other parameters, or for another operation, it is
// refused. A decline replays as the same decline.
func TestBIL4_IdempotencyKeyChargesOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		visa := b.card(t, sandbox.CardVisa)
		req := payment.ChargeRequest{Token: visa.Token, Amount: chf(2500), IdempotencyKey: "pay-1", Reference: "inv-1"}
		first, err := b.gw.Charge(b.ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		second, err := b.gw.Charge(b.ctx, req)
		if err != nil || second.ID != first.ID || second.Captured != chf(2500) {
			t.Fatalf("same key twice: %+v, %v; want payment %s", second, err, first.ID)
		}
		if n := b.count(t, "sandbox_payments"); n != 1 {
			t.Fatalf("%d payments after the same key twice; want 1", n)
		}

		other := req
		other.Amount = chf(2600)
		_, err = b.gw.Charge(b.ctx, other)
		wantCode(t, err, payment.CodeIdempotencyKeyReuse)
		if !errors.Is(err, payment.ErrIdempotencyKeyReuse) {
			t.Fatal("errors.Is does not match ErrIdempotencyKeyReuse")
		}
		_, err = b.gw.Authorize(b.ctx, req) // same parameters, another operation
		wantCode(t, err, payment.CodeIdempotencyKeyReuse)
		_, err = b.gw.Refund(b.ctx, first.ID, chf(100), "pay-1")
		wantCode(t, err, payment.CodeIdempotencyKeyReuse)
		if n := b.count(t, "sandbox_payments"); n != 1 {
			t.Fatalf("%d payments after reused keys; want 1", n)
		}

		declined := b.card(t, sandbox.CardDeclined)
		dreq := payment.ChargeRequest{Token: declined.Token, Amount: chf(700), IdempotencyKey: "pay-2"}
		p1, err1 := b.gw.Charge(b.ctx, dreq)
		p2, err2 := b.gw.Charge(b.ctx, dreq)
		wantCode(t, err1, payment.CodeCardDeclined)
		wantCode(t, err2, payment.CodeCardDeclined)
		if p1.ID == "" || p1.ID != p2.ID {
			t.Fatalf("a replayed decline gave payments %q and %q", p1.ID, p2.ID)
		}

		// A refused call records nothing: its key stays usable.
		_, err = b.gw.Charge(b.ctx, payment.ChargeRequest{Token: "7f000000-0000-7000-8000-000000000000", Amount: chf(1), IdempotencyKey: "pay-3"})
		wantCode(t, err, payment.CodeNotFound)
		if _, err := b.gw.Charge(b.ctx, payment.ChargeRequest{Token: visa.Token, Amount: chf(1), IdempotencyKey: "pay-3"}); err != nil {
			t.Fatalf("a key whose call was refused cannot be used again: %v", err)
		}
	})
}

// Concurrent calls with one key make one payment, and all see it.
func TestBIL4_ConcurrentCallsWithOneKeyChargeOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		visa := b.card(t, sandbox.CardVisa)
		req := payment.ChargeRequest{Token: visa.Token, Amount: chf(1000), IdempotencyKey: "same"}
		const n = 8
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				p, err := b.gw.Charge(b.ctx, req)
				ids[i], errs[i] = p.ID, err
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("call %d: %q, %v; want payment %q", i, ids[i], errs[i], ids[0])
			}
		}
		if c := b.count(t, "sandbox_payments"); c != 1 {
			t.Fatalf("%d payments; want 1", c)
		}
	})
}
