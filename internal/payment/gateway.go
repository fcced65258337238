package payment

import (
	"context"

	"github.com/alpage/alpage/internal/money"
)

// Gateway is a payment service provider as alpage's billing code uses it.
// Every mutating call takes an idempotency key (see the package
// documentation); any call may return ErrUnknownOutcome, after which the
// caller asks PaymentByKey before doing anything else.
type Gateway interface {
	// Name identifies the gateway in alpage's tables ("sandbox").
	Name() string

	// CreateCheckout opens a hosted page where the customer pays (or saves
	// a method). It refuses PostFinance outside CHF with
	// ErrMethodNotAllowed. With an Amount, the checkout's payment exists at
	// once, in status requires_action, and PaymentByKey finds it.
	CreateCheckout(ctx context.Context, req CheckoutRequest) (Checkout, error)
	// Checkout reports a checkout's outcome; read it when the customer comes
	// back to ReturnURL (never trust the redirect alone).
	Checkout(ctx context.Context, id string) (CheckoutResult, error)

	// Authorize reserves Amount on a saved method, to Capture or Cancel
	// later. A decline returns the failed Payment and an *Error.
	Authorize(ctx context.Context, req ChargeRequest) (Payment, error)
	// Capture takes amount (at most what was authorized) of an authorized
	// payment; the rest of the authorization is released.
	Capture(ctx context.Context, paymentID string, amount money.Amount, idempotencyKey string) (Payment, error)
	// Cancel releases an authorization that was not captured.
	Cancel(ctx context.Context, paymentID, idempotencyKey string) (Payment, error)
	// Charge authorizes and captures in one call; renewals use it. A
	// decline returns the failed Payment and an *Error.
	Charge(ctx context.Context, req ChargeRequest) (Payment, error)
	// Refund gives back amount of a captured payment, to the method that
	// paid; the refunds of a payment never exceed what was captured
	// (ErrAmountTooLarge).
	Refund(ctx context.Context, paymentID string, amount money.Amount, idempotencyKey string) (Refund, error)

	// Payment returns the gateway's record of a payment.
	Payment(ctx context.Context, id string) (Payment, error)
	// PaymentByKey returns the payment made or changed by the call sent
	// with idempotencyKey (a checkout, an authorization, a charge, a
	// capture, a cancellation or a refund), or ErrNotFound when the gateway
	// never received that call or it made no payment.
	PaymentByKey(ctx context.Context, idempotencyKey string) (Payment, error)

	// DeleteMethod forgets a saved method: later charges with its token
	// fail with ErrNotFound. Deleting twice is not an error.
	DeleteMethod(ctx context.Context, token string) error
}
