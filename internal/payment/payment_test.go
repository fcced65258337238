package payment_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment"
)

func TestErrorsMatchByCode(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("renewing: %w", payment.Errorf(payment.ErrInsufficientFunds, "not enough"))
	if !errors.Is(err, payment.ErrInsufficientFunds) || errors.Is(err, payment.ErrCardDeclined) {
		t.Fatal("errors.Is does not match by code")
	}
	if payment.Code(err) != payment.CodeInsufficientFunds || !payment.IsDecline(err) {
		t.Fatalf("Code = %q, IsDecline = %v", payment.Code(err), payment.IsDecline(err))
	}
	if payment.IsDecline(payment.ErrUnknownOutcome) || payment.Code(errors.New("x")) != "" {
		t.Fatal("an unknown outcome is not a decline; a plain error has no code")
	}
	if payment.ErrCardDeclined.Message != "the card was declined" {
		t.Fatal("Errorf changed its sentinel")
	}
}

func TestBIL4_PostFinanceOnlyInCHF_Allowed(t *testing.T) {
	t.Parallel()
	if err := payment.Allowed(payment.MethodPostFinance, "EUR"); !errors.Is(err, payment.ErrMethodNotAllowed) {
		t.Fatalf("PostFinance in EUR: %v", err)
	}
	for _, m := range payment.Methods {
		if err := payment.Allowed(m, "CHF"); err != nil {
			t.Errorf("%s in CHF: %v", m, err)
		}
	}
	if err := payment.Allowed(payment.MethodCard, "EUR"); err != nil {
		t.Errorf("card in EUR: %v", err)
	}
}

func TestCheckoutRequestValidate(t *testing.T) {
	t.Parallel()
	ok := payment.CheckoutRequest{Amount: money.Amount{Minor: 100, Currency: "CHF"}, Method: payment.MethodCard,
		ReturnURL: "https://x.ch/r", CancelURL: "/c", IdempotencyKey: "k"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid request refused: %v", err)
	}
	saveOnly := ok
	saveOnly.Amount.Minor, saveOnly.SaveMethod = 0, true
	if err := saveOnly.Validate(); err != nil {
		t.Fatalf("save-only request refused: %v", err)
	}
	bad := map[string]func(r *payment.CheckoutRequest){
		"no key":           func(r *payment.CheckoutRequest) { r.IdempotencyKey = " " },
		"zero, not saving": func(r *payment.CheckoutRequest) { r.Amount.Minor = 0 },
		"negative":         func(r *payment.CheckoutRequest) { r.Amount.Minor = -1 },
		"USD":              func(r *payment.CheckoutRequest) { r.Amount.Currency = "USD" },
		"method":           func(r *payment.CheckoutRequest) { r.Method = "iban" },
		"return URL":       func(r *payment.CheckoutRequest) { r.ReturnURL = "//evil.example/r" },
		"cancel URL":       func(r *payment.CheckoutRequest) { r.CancelURL = "" },
		"language":         func(r *payment.CheckoutRequest) { r.Language = "pt" },
		"PostFinance EUR": func(r *payment.CheckoutRequest) {
			r.Method, r.Amount.Currency = payment.MethodPostFinance, "EUR"
		},
	}
	for name, change := range bad {
		r := ok
		change(&r)
		if err := r.Validate(); payment.Code(err) == "" {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
}
