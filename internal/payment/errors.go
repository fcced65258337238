package payment

import "errors"

// Stable error codes. The billing code maps them to apperr codes and
// messages; they never change meaning.
const (
	CodeCardDeclined        = "card_declined"              // the issuer refused; try another method
	CodeInsufficientFunds   = "insufficient_funds"         // a decline: not enough money on the account
	CodeExpiredCard         = "expired_card"               // a decline: the card has expired
	CodeMethodNotAllowed    = "payment_method_not_allowed" // e.g. PostFinance Card outside CHF
	CodeIdempotencyKeyReuse = "idempotency_key_reuse"      // the same key was sent with other parameters
	CodeUnknownOutcome      = "unknown_outcome"            // timeout or server error: ask PaymentByKey
	CodeInvalidNumber       = "invalid_number"             // a card number that fails the Luhn check, or not a test card
	CodeAmountTooLarge      = "amount_too_large"           // capture above the authorization, refund above what is left
	CodeUnexpectedState     = "unexpected_state"           // e.g. capturing a failed payment, refunding an uncaptured one
	CodeNotFound            = "not_found"                  // no such checkout, payment or (live) token
	CodeInvalidRequest      = "invalid_request"            // a malformed request: missing key, bad amount, currency
)

// Error is a refusal by the gateway, with a stable Code.
type Error struct {
	Code    string // one of the Code* constants
	Message string // English, for logs and developers
	// PaymentID names the payment the error concerns when the gateway
	// recorded one (a declined charge is a failed payment).
	PaymentID string
}

// Error implements error.
func (e *Error) Error() string { return "payment: " + e.Code + ": " + e.Message }

// Is matches errors by code: errors.Is(err, payment.ErrCardDeclined).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is, one per code. Gateways return copies with a
// specific Message (see Errorf).
var (
	ErrCardDeclined        = &Error{Code: CodeCardDeclined, Message: "the card was declined"}
	ErrInsufficientFunds   = &Error{Code: CodeInsufficientFunds, Message: "insufficient funds"}
	ErrExpiredCard         = &Error{Code: CodeExpiredCard, Message: "the card has expired"}
	ErrMethodNotAllowed    = &Error{Code: CodeMethodNotAllowed, Message: "this payment method is not allowed for this payment"}
	ErrIdempotencyKeyReuse = &Error{Code: CodeIdempotencyKeyReuse, Message: "this idempotency key was used with other parameters"}
	// ErrUnknownOutcome means the call may or may not have been carried
	// out: do not retry with a new key; ask PaymentByKey with the same key.
	ErrUnknownOutcome  = &Error{Code: CodeUnknownOutcome, Message: "the gateway did not answer in time; the outcome is unknown"}
	ErrInvalidNumber   = &Error{Code: CodeInvalidNumber, Message: "the card number is not valid"}
	ErrAmountTooLarge  = &Error{Code: CodeAmountTooLarge, Message: "the amount is larger than what is left"}
	ErrUnexpectedState = &Error{Code: CodeUnexpectedState, Message: "the payment is not in a state that allows this"}
	ErrNotFound        = &Error{Code: CodeNotFound, Message: "no such object"}
	ErrInvalidRequest  = &Error{Code: CodeInvalidRequest, Message: "the request is invalid"}
)

// Errorf returns a copy of sentinel with a specific message.
func Errorf(sentinel *Error, message string) *Error {
	c := *sentinel
	c.Message = message
	return &c
}

// Code returns the code of a gateway error in err's chain, or "".
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsDecline reports whether err is a decline by the issuer (card declined,
// insufficient funds, expired card): the customer should use another method.
func IsDecline(err error) bool {
	switch Code(err) {
	case CodeCardDeclined, CodeInsufficientFunds, CodeExpiredCard:
		return true
	}
	return false
}
