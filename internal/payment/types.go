package payment

import (
	"time"

	"github.com/alpage/alpage/internal/money"
)

// Method is a way to pay offered on the gateway's hosted page.
type Method string

// The methods alpage offers through a gateway. Bank transfers (IBAN) and the
// prepaid account are handled by alpage itself, not by a gateway.
const (
	MethodCard        Method = "card"        // Visa, MasterCard
	MethodPostFinance Method = "postfinance" // PostFinance Card, CHF only
	MethodPayPal      Method = "paypal"
	MethodTwint       Method = "twint"
)

// Methods lists every Method, in the order a page offers them.
var Methods = []Method{MethodCard, MethodPostFinance, MethodPayPal, MethodTwint}

// Valid reports whether m is one of Methods.
func (m Method) Valid() bool {
	for _, v := range Methods {
		if m == v {
			return true
		}
	}
	return false
}

// CheckoutRequest asks the gateway for a hosted page where the customer pays
// Amount (or, with a zero Amount and SaveMethod, only saves a method).
type CheckoutRequest struct {
	Reference      string       // alpage's id of what is paid (invoice, deposit); shown on the page
	Amount         money.Amount // zero to save a method only (Currency still required)
	Method         Method
	SaveMethod     bool   // keep the method for later charges (SavedMethod in the result)
	ReturnURL      string // where the browser goes after paying or failing, with ?checkout={id}
	CancelURL      string // where it goes when the customer cancels, with ?checkout={id}
	Language       string // fr, en, de, it or es; en when empty
	IdempotencyKey string
}

// Checkout is a hosted payment page, created by CreateCheckout.
type Checkout struct {
	ID          string
	RedirectURL string // send the customer's browser here
	ExpiresAt   time.Time
}

// CheckoutStatus is where a hosted page stands.
type CheckoutStatus string

// Checkout statuses. Only open changes; the others are final.
const (
	CheckoutOpen      CheckoutStatus = "open"
	CheckoutSucceeded CheckoutStatus = "succeeded"
	CheckoutFailed    CheckoutStatus = "failed"
	CheckoutCanceled  CheckoutStatus = "canceled"
	CheckoutExpired   CheckoutStatus = "expired"
)

// CheckoutResult is what the gateway knows of a checkout.
type CheckoutResult struct {
	ID          string
	Reference   string
	Method      Method
	Amount      money.Amount
	Status      CheckoutStatus
	Payment     *Payment     // nil when Amount is zero
	SavedMethod *SavedMethod // set when SaveMethod was asked and the checkout succeeded
	FailureCode string       // a Code* when Status is failed
	ExpiresAt   time.Time
}

// SavedMethod is a payment method the gateway keeps for later charges.
// alpage stores its Token and the display fields, never more.
type SavedMethod struct {
	Token    string
	Method   Method
	Brand    string // visa, mastercard, postfinance, paypal, twint
	Last4    string // cards only
	ExpMonth int    // cards only
	ExpYear  int    // cards only, four digits
	Label    string // for people: "Visa •••• 4242", "TWINT", "PayPal buyer@example.com"
}

// ChargeRequest charges (or authorizes) a saved method without the customer.
type ChargeRequest struct {
	Token          string
	Amount         money.Amount // more than zero
	IdempotencyKey string
	Description    string
	Reference      string // alpage's id of what is paid
}

// PaymentStatus is where a payment stands.
type PaymentStatus string

// Payment statuses (see the package documentation for the transitions).
const (
	StatusRequiresAction    PaymentStatus = "requires_action"
	StatusAuthorized        PaymentStatus = "authorized"
	StatusSucceeded         PaymentStatus = "succeeded"
	StatusFailed            PaymentStatus = "failed"
	StatusCanceled          PaymentStatus = "canceled"
	StatusRefunded          PaymentStatus = "refunded"
	StatusPartiallyRefunded PaymentStatus = "partially_refunded"
)

// Payment is the gateway's record of one payment.
type Payment struct {
	ID          string
	Status      PaymentStatus
	Amount      money.Amount // asked or authorized
	Captured    money.Amount // taken from the customer
	Refunded    money.Amount // given back, at most Captured
	FailureCode string       // a Code* when Status is failed
	Method      Method
	MethodLabel string // "Visa •••• 4242", for invoices and receipts
	Token       string // the saved method charged, if any
	CheckoutID  string // the checkout it belongs to, if any
	Reference   string
	CreatedAt   time.Time
}

// Paid reports whether money was taken (and maybe partly given back).
func (p Payment) Paid() bool {
	return p.Status == StatusSucceeded || p.Status == StatusPartiallyRefunded || p.Status == StatusRefunded
}

// RefundStatus is where a refund stands.
type RefundStatus string

// Refund statuses.
const (
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// Refund gives back part or all of a captured payment to the method that paid.
type Refund struct {
	ID        string
	PaymentID string
	Amount    money.Amount
	Status    RefundStatus
	CreatedAt time.Time
}
