package sandbox_test

import (
	"fmt"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestBIL9_Refunds(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)

		// Full refund.
		p := b.paid(t, chf(3000))
		r, err := b.gw.Refund(b.ctx, p.ID, chf(3000), "r1")
		if err != nil || r.Amount != chf(3000) || r.PaymentID != p.ID || r.Status != payment.RefundSucceeded {
			t.Fatalf("full refund = %+v, %v", r, err)
		}
		got, _ := b.gw.Payment(b.ctx, p.ID)
		if got.Status != payment.StatusRefunded || got.Refunded != chf(3000) {
			t.Fatalf("after a full refund: %+v", got)
		}
		_, err = b.gw.Refund(b.ctx, p.ID, chf(1), "r2")
		wantCode(t, err, payment.CodeAmountTooLarge)

		// Partial refunds, then one too many.
		q := b.paid(t, chf(1000))
		if _, err := b.gw.Refund(b.ctx, q.ID, chf(400), "r3"); err != nil {
			t.Fatal(err)
		}
		if again, err := b.gw.Refund(b.ctx, q.ID, chf(400), "r3"); err != nil {
			t.Fatalf("replayed refund: %v", err)
		} else if got, _ := b.gw.Payment(b.ctx, q.ID); got.Refunded != chf(400) || again.Amount != chf(400) {
			t.Fatalf("a replayed refund refunded again: %+v", got)
		}
		got, _ = b.gw.Payment(b.ctx, q.ID)
		if got.Status != payment.StatusPartiallyRefunded {
			t.Fatalf("after a partial refund: %s", got.Status)
		}
		_, err = b.gw.Refund(b.ctx, q.ID, chf(601), "r4")
		wantCode(t, err, payment.CodeAmountTooLarge)
		if _, err := b.gw.Refund(b.ctx, q.ID, chf(600), "r4"); err != nil {
			t.Fatalf("refunding the rest (after a refused attempt with the same key): %v", err)
		}
		if byKey, err := b.gw.PaymentByKey(b.ctx, "r4"); err != nil || byKey.Status != payment.StatusRefunded {
			t.Fatalf("PaymentByKey(refund key) = %+v, %v", byKey, err)
		}

		// Other currency, uncaptured payments, unknown payments.
		s := b.paid(t, chf(500))
		_, err = b.gw.Refund(b.ctx, s.ID, eur(100), "r5")
		wantCode(t, err, payment.CodeInvalidRequest)
		auth, err := b.gw.Authorize(b.ctx, payment.ChargeRequest{Token: s.Token, Amount: chf(500), IdempotencyKey: "a1"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.gw.Refund(b.ctx, auth.ID, chf(100), "r6")
		wantCode(t, err, payment.CodeUnexpectedState)
		_, err = b.gw.Refund(b.ctx, "0190a000-0000-7000-8000-000000000000", chf(100), "r7")
		wantCode(t, err, payment.CodeNotFound)
		if n := b.count(t, "sandbox_refunds"); n != 3 {
			t.Fatalf("%d refunds recorded; want 3", n)
		}
	})
}

// Property: whatever refunds are asked, in any order, the refunds of a
// payment never exceed what was captured, and the payment's Refunded is the
// sum of the refunds that were accepted.
func TestBIL9_RefundsNeverExceedTheCapturedAmount(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		visa := b.card(t, "4242424242424242")
		n := 0
		rapid.Check(t, func(rt *rapid.T) {
			n++
			amount := rapid.Int64Range(1, 100_000).Draw(rt, "amount")
			capture := rapid.Int64Range(1, amount).Draw(rt, "capture")
			auth, err := b.gw.Authorize(b.ctx, payment.ChargeRequest{Token: visa.Token, Amount: chf(amount),
				IdempotencyKey: fmt.Sprintf("auth-%d", n)})
			if err != nil {
				rt.Fatal(err)
			}
			if _, err := b.gw.Capture(b.ctx, auth.ID, chf(capture), fmt.Sprintf("cap-%d", n)); err != nil {
				rt.Fatal(err)
			}
			accepted := int64(0)
			for i, ask := range rapid.SliceOfN(rapid.Int64Range(1, capture+50), 1, 8).Draw(rt, "refunds") {
				_, err := b.gw.Refund(b.ctx, auth.ID, chf(ask), fmt.Sprintf("ref-%d-%d", n, i))
				switch {
				case err == nil:
					accepted += ask
				case payment.Code(err) != payment.CodeAmountTooLarge:
					rt.Fatalf("refund %d: %v", ask, err)
				case accepted+ask <= capture:
					rt.Fatalf("refund of %d refused with %d of %d refunded", ask, accepted, capture)
				}
			}
			p, err := b.gw.Payment(b.ctx, auth.ID)
			if err != nil {
				rt.Fatal(err)
			}
			if accepted > capture || p.Refunded.Minor != accepted || p.Captured.Minor != capture {
				rt.Fatalf("captured %d, accepted refunds %d, payment says refunded %d", capture, accepted, p.Refunded.Minor)
			}
			wantStatus := payment.StatusPartiallyRefunded
			switch accepted {
			case 0:
				wantStatus = payment.StatusSucceeded
			case capture:
				wantStatus = payment.StatusRefunded
			}
			if p.Status != wantStatus {
				rt.Fatalf("status %s with %d of %d refunded", p.Status, accepted, capture)
			}
		})
	})
}

// Concurrent refunds cannot overshoot either: the check and the count are
// one statement.
func TestBIL9_ConcurrentRefundsNeverExceedTheCapturedAmount(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		p := b.paid(t, chf(1000))
		const n = 10 // 10 × 300 asked, 1000 captured: at most 3 succeed
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for i := range n {
			wg.Go(func() {
				_, err := b.gw.Refund(b.ctx, p.ID, chf(300), fmt.Sprintf("c-%d", i))
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else if payment.Code(err) != payment.CodeAmountTooLarge {
					t.Errorf("refund: %v", err)
				}
			})
		}
		wg.Wait()
		got, _ := b.gw.Payment(b.ctx, p.ID)
		if ok != 3 || got.Refunded != chf(900) {
			t.Fatalf("%d refunds accepted, payment refunded %v; want 3 and 9.00", ok, got.Refunded)
		}
	})
}
