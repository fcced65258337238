package sandbox

import (
	"strings"
	"time"

	"github.com/alpage/alpage/internal/payment"
)

// Test card numbers. The sandbox accepts no other number, and keeps none:
// only the token, brand, last four digits and expiry.
const (
	CardVisa              = "4242424242424242" // Visa, succeeds
	CardMastercard        = "5555555555554444" // Mastercard, succeeds
	CardDeclined          = "4000000000000002" // declined: card_declined
	CardInsufficientFunds = "4000000000009995" // declined: insufficient_funds
	CardExpired           = "4000000000000069" // declined: expired_card
	CardTimeout           = "4000000000000259" // succeeds, but the API call times out (ErrUnknownOutcome)
	// CardDeclinesCharges saves, then every charge of it is declined
	// (card_declined): a saved method whose automatic renewals fail.
	CardDeclinesCharges = "4000000000000341"
)

// Behaviors: what a saved method does at each charge.
const (
	behaviorSucceed = "succeed"
	behaviorTimeout = "timeout"
)

// TestCard is a card number the sandbox accepts, and what it does.
type TestCard struct {
	Number   string
	Brand    string // visa, mastercard
	Behavior string // succeed, timeout, or the payment.Code* of its decline
	// Saves: a declining card that is saved all the same (its charges
	// are declined, not its saving).
	Saves bool
}

// TestCards lists the test cards, in the order the card page shows them.
var TestCards = []TestCard{
	{CardVisa, "visa", behaviorSucceed, false},
	{CardMastercard, "mastercard", behaviorSucceed, false},
	{CardDeclined, "visa", payment.CodeCardDeclined, false},
	{CardInsufficientFunds, "visa", payment.CodeInsufficientFunds, false},
	{CardExpired, "visa", payment.CodeExpiredCard, false},
	{CardTimeout, "visa", behaviorTimeout, false},
	{CardDeclinesCharges, "visa", payment.CodeCardDeclined, true},
}

// chargeOutcome is what a charge of amount (minor units) with a method
// of behavior gives: its decline code, or "" when it succeeds (a timeout
// succeeds too). Saving without charging (amount 0) a card that saves
// (TestCard.Saves) succeeds.
func chargeOutcome(behavior string, amount int64, saves bool) string {
	if behavior == behaviorSucceed || behavior == behaviorTimeout || (saves && amount == 0) {
		return ""
	}
	return behavior
}

// Problems with a card form, as message keys of the pages.
const (
	problemNumber  = "err_number"   // not 12 to 19 digits
	problemLuhn    = "err_luhn"     // wrong check digit
	problemNotTest = "err_not_test" // a real card number
	problemExpiry  = "err_expiry"   // not MM/YY
	problemExpired = "err_expired"  // expiry in the past
	problemCVC     = "err_cvc"      // not 3 or 4 digits
	problemName    = "err_name"     // empty name
)

// normalizeNumber drops the spaces and dashes people type in card numbers.
func normalizeNumber(s string) string {
	return strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(strings.TrimSpace(s))
}

// luhn reports whether digits pass the Luhn (mod 10) check.
func luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// checkNumber returns the test card of a typed number, or a problem key.
func checkNumber(raw string) (TestCard, string) {
	n := normalizeNumber(raw)
	if !allDigits(n) || len(n) < 12 || len(n) > 19 {
		return TestCard{}, problemNumber
	}
	if !luhn(n) {
		return TestCard{}, problemLuhn
	}
	for _, c := range TestCards {
		if c.Number == n {
			return c, ""
		}
	}
	return TestCard{}, problemNotTest
}

// expired reports whether a card expiring at the end of month/year has
// expired at now.
func expired(month, year int, now time.Time) bool {
	return !now.Before(time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC))
}

// validExpiry checks a month 1..12 and a four-digit year.
func validExpiry(month, year int) bool {
	return month >= 1 && month <= 12 && year >= 2000 && year <= 2099
}

// problemError turns a card problem into the API's error.
func problemError(problem string) error {
	switch problem {
	case problemNumber:
		return payment.Errorf(payment.ErrInvalidNumber, "a card number has 12 to 19 digits")
	case problemLuhn:
		return payment.Errorf(payment.ErrInvalidNumber, "the card number fails the Luhn check: a digit is wrong")
	case problemNotTest:
		return payment.Errorf(payment.ErrInvalidNumber, "the sandbox takes test card numbers only (4242424242424242, …)")
	case problemExpiry:
		return payment.Errorf(payment.ErrInvalidRequest, "the expiry needs a month from 1 to 12 and a four-digit year")
	case problemExpired:
		return payment.Errorf(payment.ErrExpiredCard, "the expiry date is in the past")
	}
	return payment.Errorf(payment.ErrInvalidRequest, "the card details are invalid")
}

// brandName is a brand as people read it.
func brandName(brand string) string {
	switch brand {
	case "visa":
		return "Visa"
	case "mastercard":
		return "Mastercard"
	case "postfinance":
		return "PostFinance Card"
	}
	return brand
}

// cardLabel is "Visa •••• 4242".
func cardLabel(brand, last4 string) string { return brandName(brand) + " •••• " + last4 }

// declineError is the error of a payment declined with code.
func declineError(code, paymentID string) error {
	var e *payment.Error
	switch code {
	case payment.CodeInsufficientFunds:
		e = payment.Errorf(payment.ErrInsufficientFunds, "the card has insufficient funds")
	case payment.CodeExpiredCard:
		e = payment.Errorf(payment.ErrExpiredCard, "the card has expired")
	default:
		e = payment.Errorf(payment.ErrCardDeclined, "the card was declined by its issuer")
	}
	e.PaymentID = paymentID
	return e
}
