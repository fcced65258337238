package sandbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
)

// start is the sandbox's time in the tests: 1 March 2026.
var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// bundle is what a test needs.
type bundle struct {
	gw    *sandbox.Gateway
	db    *store.DB
	clock *clock.Fixed
	ctx   context.Context
}

func setup(t *testing.T, db *store.DB) bundle {
	t.Helper()
	clk := clock.NewFixed(start)
	gw, err := sandbox.New(db, clk, sandbox.Options{})
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	return bundle{gw: gw, db: db, clock: clk, ctx: context.Background()}
}

func chf(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "CHF"} }
func eur(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "EUR"} }

// card saves a test card expiring in December 2030.
func (b bundle) card(t *testing.T, number string) payment.SavedMethod {
	t.Helper()
	m, err := b.gw.SaveTestCard(b.ctx, number, 12, 2030)
	if err != nil {
		t.Fatalf("SaveTestCard(%s): %v", number, err)
	}
	return m
}

// charge charges amount on token with a new key.
func (b bundle) charge(t *testing.T, token string, amount money.Amount) (payment.Payment, string, error) {
	t.Helper()
	key := id.New()
	p, err := b.gw.Charge(b.ctx, payment.ChargeRequest{Token: token, Amount: amount, IdempotencyKey: key,
		Description: "test", Reference: "inv-1"})
	return p, key, err
}

// paid charges amount on a new Visa and fails the test unless it succeeds.
func (b bundle) paid(t *testing.T, amount money.Amount) payment.Payment {
	t.Helper()
	p, _, err := b.charge(t, b.card(t, sandbox.CardVisa).Token, amount)
	if err != nil {
		t.Fatalf("Charge: %v", err)
	}
	return p
}

// count returns the number of rows of a sandbox table.
func (b bundle) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := b.db.QueryRowContext(b.ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

// wantCode fails unless err is a *payment.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *payment.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error = %v; want code %s", err, code)
	}
}

func usd(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "USD"} }
