// Package payment is the interface between alpage's billing code and a
// payment service provider (PSP), shaped like the real ones alpage targets
// (Stripe PaymentIntents, Datatrans, PostFinance Checkout), and the types
// and errors that cross it. It holds no state: an adapter implements
// Gateway; package sandbox is the one alpage ships, a simulator with its
// state in the database, used in development, the demo and the tests.
//
// # Model
//
// alpage never sees a card number. A payment the customer must take part in
// (a first card payment, PayPal, Twint, saving a method) goes through the
// gateway's hosted page:
//
//	co, err := gw.CreateCheckout(ctx, payment.CheckoutRequest{Reference: invoiceID,
//		Amount: total, Method: payment.MethodCard, SaveMethod: true,
//		ReturnURL: ".../billing/return", CancelURL: ".../billing", Language: "fr",
//		IdempotencyKey: attemptKey})
//	// redirect the browser to co.RedirectURL; the gateway sends it back to
//	// ReturnURL?checkout={id} (or CancelURL?checkout={id}), then:
//	res, err := gw.Checkout(ctx, co.ID) // Status, Payment, SavedMethod, FailureCode
//
// A saved method (SavedMethod.Token) is then charged without the customer:
// Charge (authorize and capture at once, what renewals use), or Authorize
// followed by Capture or Cancel. Refund gives back part or all of what was
// captured, never more.
//
// Payment statuses:
//
//	requires_action ──(customer pays on the hosted page)──> succeeded | failed
//	      └──(checkout canceled or expired)──> canceled
//	authorized ──Capture──> succeeded ──Refund──> partially_refunded ──Refund──> refunded
//	      └──Cancel, or not captured in time──> canceled
//
// # Idempotency and unknown outcomes
//
// Every mutating call carries an idempotency key. The same key with the same
// parameters returns the same result (the same payment, the same decline)
// without charging again; the same key with other parameters is refused with
// ErrIdempotencyKeyReuse. A call that times out or meets a server error
// returns ErrUnknownOutcome: the charge may or may not have happened. The
// caller must not retry blindly with a new key; it asks PaymentByKey with
// the key it sent, which gives the gateway's truth (or ErrNotFound: the
// gateway never received the call, and retrying with the same key is safe).
//
// # Errors
//
// Refusals are *Error values with a stable Code (CodeCardDeclined,
// CodeInsufficientFunds, CodeExpiredCard, CodeMethodNotAllowed, …), matched
// with errors.Is against the Err* sentinels. The billing code maps them to
// its apperr codes; this package registers none.
package payment
