package sandbox_test

import (
	"errors"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// Every test card does what the documentation says, at Charge.
func TestBIL4_TestCardOutcomes(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		cases := []struct {
			number, brand, last4 string
			status               payment.PaymentStatus
			code                 string // the error's code, "" for none
		}{
			{sandbox.CardVisa, "visa", "4242", payment.StatusSucceeded, ""},
			{sandbox.CardMastercard, "mastercard", "4444", payment.StatusSucceeded, ""},
			{sandbox.CardDeclined, "visa", "0002", payment.StatusFailed, payment.CodeCardDeclined},
			{sandbox.CardInsufficientFunds, "visa", "9995", payment.StatusFailed, payment.CodeInsufficientFunds},
			{sandbox.CardExpired, "visa", "0069", payment.StatusFailed, payment.CodeExpiredCard},
		}
		for _, c := range cases {
			m := b.card(t, c.number)
			if m.Brand != c.brand || m.Last4 != c.last4 || m.Method != payment.MethodCard || m.ExpYear != 2030 || m.Token == "" {
				t.Errorf("%s saved as %+v", c.number, m)
			}
			p, key, err := b.charge(t, m.Token, chf(1250))
			if c.code == "" && err != nil {
				t.Fatalf("%s: Charge: %v", c.number, err)
			}
			if c.code != "" {
				wantCode(t, err, c.code)
				if !payment.IsDecline(err) {
					t.Errorf("%s: IsDecline(%v) = false", c.number, err)
				}
				if e := err.(*payment.Error); e.PaymentID != p.ID {
					t.Errorf("%s: the error names payment %q, the payment is %q", c.number, e.PaymentID, p.ID)
				}
			}
			if p.Status != c.status || p.FailureCode != c.code || p.Amount != chf(1250) || p.Token != m.Token {
				t.Errorf("%s: payment %+v", c.number, p)
			}
			wantCaptured := chf(0)
			if c.status == payment.StatusSucceeded {
				wantCaptured = chf(1250)
			}
			if p.Captured != wantCaptured {
				t.Errorf("%s: captured %v, want %v", c.number, p.Captured, wantCaptured)
			}
			got, err := b.gw.PaymentByKey(b.ctx, key)
			if err != nil || got.ID != p.ID || got.Status != c.status {
				t.Errorf("%s: PaymentByKey = %+v, %v", c.number, got, err)
			}
		}
	})
}

// The timeout card charges, but the call answers "unknown outcome"; the
// gateway's truth is then read by key, and a retry with the same key does
// not charge again.
func TestBIL4_UnknownOutcomeIsResolvedByKey(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		m := b.card(t, sandbox.CardTimeout)
		req := payment.ChargeRequest{Token: m.Token, Amount: chf(4200), IdempotencyKey: "renewal-7", Reference: "inv-7"}
		if _, err := b.gw.Charge(b.ctx, req); !errors.Is(err, payment.ErrUnknownOutcome) {
			t.Fatalf("Charge with the timeout card: %v; want ErrUnknownOutcome", err)
		}
		p, err := b.gw.PaymentByKey(b.ctx, "renewal-7")
		if err != nil || p.Status != payment.StatusSucceeded || p.Captured != chf(4200) {
			t.Fatalf("PaymentByKey = %+v, %v; want the succeeded payment", p, err)
		}
		again, err := b.gw.Charge(b.ctx, req)
		if err != nil || again.ID != p.ID {
			t.Fatalf("retry with the same key = %+v, %v; want payment %s", again, err, p.ID)
		}
		if n := b.count(t, "sandbox_payments"); n != 1 {
			t.Fatalf("%d payments recorded; want 1", n)
		}
	})
}

// FailNext: the call never reaches the gateway; nothing is found by key,
// and the retry with the same key charges once.
func TestBIL4_FailNextLosesTheRequest(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		m := b.card(t, sandbox.CardVisa)
		req := payment.ChargeRequest{Token: m.Token, Amount: chf(990), IdempotencyKey: "k1"}
		b.gw.FailNext(2)
		for range 2 {
			if _, err := b.gw.Charge(b.ctx, req); !errors.Is(err, payment.ErrUnknownOutcome) {
				t.Fatalf("Charge during the outage: %v", err)
			}
		}
		if _, err := b.gw.PaymentByKey(b.ctx, "k1"); !errors.Is(err, payment.ErrNotFound) {
			t.Fatalf("PaymentByKey after a lost request: %v; want ErrNotFound", err)
		}
		p, err := b.gw.Charge(b.ctx, req)
		if err != nil || p.Status != payment.StatusSucceeded {
			t.Fatalf("Charge after the outage: %+v, %v", p, err)
		}
		if n := b.count(t, "sandbox_payments"); n != 1 {
			t.Fatalf("%d payments; want 1", n)
		}
	})
}

// LoseNextResponses: the call is carried out, its answer lost.
func TestBIL4_LoseNextResponsesKeepsThePayment(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		m := b.card(t, sandbox.CardMastercard)
		req := payment.ChargeRequest{Token: m.Token, Amount: eur(500), IdempotencyKey: "k2"}
		b.gw.LoseNextResponses(1)
		if _, err := b.gw.Charge(b.ctx, req); !errors.Is(err, payment.ErrUnknownOutcome) {
			t.Fatalf("Charge: %v; want ErrUnknownOutcome", err)
		}
		p, err := b.gw.PaymentByKey(b.ctx, "k2")
		if err != nil || p.Status != payment.StatusSucceeded {
			t.Fatalf("PaymentByKey = %+v, %v", p, err)
		}
		again, err := b.gw.Charge(b.ctx, req)
		if err != nil || again.ID != p.ID {
			t.Fatalf("retry = %+v, %v", again, err)
		}
		if n := b.count(t, "sandbox_payments"); n != 1 {
			t.Fatalf("%d payments; want 1", n)
		}
	})
}

// A saved card past its expiry on the clock declines with expired_card.
func TestBIL4_SavedCardExpiresWithTheClock(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		m, err := b.gw.SaveTestCard(b.ctx, sandbox.CardVisa, 3, 2026) // valid through March 2026
		if err != nil {
			t.Fatal(err)
		}
		b.clock.Advance(31 * 24 * time.Hour) // 1 April 2026
		_, _, err = b.charge(t, m.Token, chf(100))
		wantCode(t, err, payment.CodeExpiredCard)
	})
}

func TestBIL4_SaveTestCardRefusesBadInput(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		cases := []struct {
			number      string
			month, year int
			code        string
		}{
			{"4242424242424241", 12, 2030, payment.CodeInvalidNumber}, // Luhn
			{"4111111111111111", 12, 2030, payment.CodeInvalidNumber}, // a valid number, not a test card
			{"4242", 12, 2030, payment.CodeInvalidNumber},
			{"4242 4242 4242 424x", 12, 2030, payment.CodeInvalidNumber},
			{sandbox.CardVisa, 13, 2030, payment.CodeInvalidRequest},
			{sandbox.CardVisa, 2, 2026, payment.CodeExpiredCard}, // before March 2026
		}
		for _, c := range cases {
			_, err := b.gw.SaveTestCard(b.ctx, c.number, c.month, c.year)
			wantCode(t, err, c.code)
		}
		if n := b.count(t, "sandbox_methods"); n != 0 {
			t.Fatalf("%d methods saved from refused cards", n)
		}
		// Spaces are what people type; they are fine.
		if m, err := b.gw.SaveTestCard(b.ctx, "4242 4242 4242 4242", 3, 2026); err != nil || m.Label != "Visa •••• 4242" {
			t.Fatalf("SaveTestCard with spaces = %+v, %v", m, err)
		}
	})
}

func TestBIL4_DeletedMethodCannotBeCharged(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		m := b.card(t, sandbox.CardVisa)
		if err := b.gw.DeleteMethod(b.ctx, m.Token); err != nil {
			t.Fatal(err)
		}
		if err := b.gw.DeleteMethod(b.ctx, m.Token); err != nil {
			t.Fatalf("deleting twice: %v", err)
		}
		_, _, err := b.charge(t, m.Token, chf(100))
		wantCode(t, err, payment.CodeNotFound)
		_, _, err = b.charge(t, "not-a-token", chf(100))
		wantCode(t, err, payment.CodeNotFound)
	})
}

func TestBIL4_AuthorizeCaptureCancel(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		m := b.card(t, sandbox.CardVisa)
		auth := func(key string) payment.Payment {
			t.Helper()
			p, err := b.gw.Authorize(b.ctx, payment.ChargeRequest{Token: m.Token, Amount: chf(5000), IdempotencyKey: key})
			if err != nil || p.Status != payment.StatusAuthorized || p.Captured != chf(0) {
				t.Fatalf("Authorize = %+v, %v", p, err)
			}
			return p
		}
		p := auth("a1")
		_, err := b.gw.Capture(b.ctx, p.ID, chf(5001), "c0")
		wantCode(t, err, payment.CodeAmountTooLarge)
		_, err = b.gw.Capture(b.ctx, p.ID, eur(100), "c0")
		wantCode(t, err, payment.CodeInvalidRequest)
		got, err := b.gw.Capture(b.ctx, p.ID, chf(3000), "c1")
		if err != nil || got.Status != payment.StatusSucceeded || got.Captured != chf(3000) || got.Amount != chf(5000) {
			t.Fatalf("Capture = %+v, %v", got, err)
		}
		if again, err := b.gw.Capture(b.ctx, p.ID, chf(3000), "c1"); err != nil || again.Captured != chf(3000) {
			t.Fatalf("Capture replayed = %+v, %v", again, err)
		}
		_, err = b.gw.Capture(b.ctx, p.ID, chf(1000), "c2")
		wantCode(t, err, payment.CodeUnexpectedState)
		if byKey, err := b.gw.PaymentByKey(b.ctx, "c1"); err != nil || byKey.ID != p.ID {
			t.Fatalf("PaymentByKey(capture key) = %+v, %v", byKey, err)
		}

		// Cancel releases an authorization; a canceled one is not captured.
		q := auth("a2")
		if c, err := b.gw.Cancel(b.ctx, q.ID, "x1"); err != nil || c.Status != payment.StatusCanceled {
			t.Fatalf("Cancel = %+v, %v", c, err)
		}
		_, err = b.gw.Capture(b.ctx, q.ID, chf(100), "c3")
		wantCode(t, err, payment.CodeUnexpectedState)

		// An authorization lapses after 7 days.
		r := auth("a3")
		b.clock.Advance(7*24*time.Hour + time.Second)
		if got, _ := b.gw.Payment(b.ctx, r.ID); got.Status != payment.StatusCanceled {
			t.Fatalf("an authorization 7 days old reads %s; want canceled", got.Status)
		}
		_, err = b.gw.Capture(b.ctx, r.ID, chf(100), "c4")
		wantCode(t, err, payment.CodeUnexpectedState)
	})
}

func TestBIL4_InvalidRequestsAreRefused(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		m := b.card(t, sandbox.CardVisa)
		for _, req := range []payment.ChargeRequest{
			{Token: m.Token, Amount: chf(100)},                      // no key
			{Token: m.Token, Amount: chf(0), IdempotencyKey: "z"},   // zero
			{Token: m.Token, Amount: chf(-5), IdempotencyKey: "z"},  // negative
			{Token: m.Token, Amount: usd(100), IdempotencyKey: "z"}, // currency
			{Amount: chf(100), IdempotencyKey: "z"},                 // no token
		} {
			_, err := b.gw.Charge(b.ctx, req)
			wantCode(t, err, payment.CodeInvalidRequest)
		}
		if n := b.count(t, "sandbox_payments"); n != 0 {
			t.Fatalf("%d payments from invalid requests", n)
		}
	})
}
