// Package sandbox is a payment gateway simulator that behaves like a real
// one (package payment's Gateway): hosted checkout pages, saved-method
// tokens, authorizations, captures, refunds, idempotency keys and unknown
// outcomes. It is the only fake payment provider in alpage, because real
// gateways cannot be reached from development, the demo or the tests.
//
// # State
//
// Everything lives in the database, in the tables a real gateway would keep
// on its side (migration 00009): sandbox_methods (saved tokens: brand, last
// four digits, expiry; never a card number), sandbox_checkouts (hosted
// pages), sandbox_payments, sandbox_refunds and sandbox_requests (one row
// per idempotency key: the call's operation, a hash of its parameters and
// what it made). Times come from the injected clock: an open checkout past
// its expiry (Options.CheckoutTTL, 24 h) reads as expired, an authorization
// not captured in time (Options.AuthorizationTTL, 7 days) as canceled, and
// a saved card past its expiry declines with expired_card.
//
// # Hosted pages
//
// Handler serves the checkout pages under Options.BaseURL ("/sandbox"),
// server-rendered from embedded templates in fr, en, de, it and es,
// badged "SANDBOX — no real money":
//
//   - card and PostFinance Card: number, expiry (MM/YY), CVC and name;
//     the number is checked (12 to 19 digits, Luhn, a test card) and
//     forgotten once its brand and last four digits are taken;
//   - PayPal: "Log in to PayPal (sandbox)" with an e-mail, Approve or Cancel;
//   - TWINT: a QR code and "open the TWINT app", with Approve (simulated).
//     With SaveMethod the TWINT profile is saved at this first payment;
//     later charges with its token need no scanning.
//
// After the customer acts the browser goes to ReturnURL?checkout={id}
// (paid or failed; read Gateway.Checkout) or CancelURL?checkout={id}.
// PostFinance Card is refused outside CHF (payment_method_not_allowed).
//
// # Test cards
//
// Any future expiry and any CVC; no other number is accepted:
//
//	4242424242424242  Visa         succeeds
//	5555555555554444  Mastercard   succeeds
//	4000000000000002  Visa         declined: card_declined
//	4000000000009995  Visa         declined: insufficient_funds
//	4000000000000069  Visa         declined: expired_card
//	4000000000000259  Visa         succeeds, but API calls with its token time
//	                               out: Charge/Authorize record the payment and
//	                               return payment.ErrUnknownOutcome; PaymentByKey
//	                               tells the truth (succeeded)
//
// A card's outcome shows on the hosted page (a declined checkout is failed,
// with its FailureCode) and at every charge of its saved token; saving a
// card never charges it, so a declining card can be saved (SaveTestCard or
// a checkout with a zero amount) to test failed renewals.
//
// # Seams for tests
//
// SaveTestCard saves a test card without a page (the API's sandbox mode).
// FailNext(n) makes the next n mutating calls time out before reaching the
// gateway (nothing happens; PaymentByKey answers not found; retrying with
// the same key is safe); LoseNextResponses(n) makes them time out after
// they were carried out (PaymentByKey finds the payment; retrying with the
// same key returns it without charging again). Both answer
// payment.ErrUnknownOutcome.
package sandbox
