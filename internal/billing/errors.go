package billing

import (
	"net/http"

	"github.com/alpage/alpage/internal/apperr"
)

// Refusals of the billing package. Declines by the card issuer are 402
// Payment Required: the request was right, the money did not come.
var (
	// ErrProductExists refuses ordering a product the organization already
	// has (same type and name, not terminated).
	ErrProductExists = apperr.Register("product_already_exists", http.StatusConflict,
		"The organization already has this product: renew it from the list of items to pay instead of ordering it again.")
	// ErrOrderNotPending refuses cancelling or paying an order that is paid or cancelled.
	ErrOrderNotPending = apperr.Register("order_not_pending", http.StatusConflict,
		"This order is no longer pending: it was paid or cancelled already.")
	// ErrItemNotPayable refuses a selection item that is paid, cancelled,
	// terminated, or not due.
	ErrItemNotPayable = apperr.Register("item_not_payable", http.StatusConflict,
		"This item cannot be paid now: it is paid, cancelled or terminated. Reload the list of items to pay.")
	// ErrPaymentInProgress refuses paying an item another payment is
	// waiting for (an open checkout), or cancelling an order being paid.
	ErrPaymentInProgress = apperr.Register("payment_in_progress", http.StatusConflict,
		"A payment for this item is already under way: finish it on the payment page or wait until it expires.")
	// ErrCurrencyMismatch refuses a selection with items in several currencies.
	ErrCurrencyMismatch = apperr.Register("currency_mismatch", http.StatusUnprocessableEntity,
		"The selected items are in different currencies: pay the items of each currency separately.")
	// ErrInvoicePayAlone refuses an issued invoice selected with other items.
	ErrInvoicePayAlone = apperr.Register("invoice_pay_alone", http.StatusUnprocessableEntity,
		"An invoice already issued is paid on its own: select it alone, then pay the other items.")
	// ErrPrepaidInsufficient refuses a prepaid part larger than the balance.
	ErrPrepaidInsufficient = apperr.Register("prepaid_insufficient", http.StatusUnprocessableEntity,
		"The prepaid account does not hold this amount: lower the prepaid part or make a deposit first.")
	// ErrMethodNotAllowed refuses a method the currency or purpose does not
	// allow (PostFinance Card outside CHF).
	ErrMethodNotAllowed = apperr.Register("payment_method_not_allowed", http.StatusUnprocessableEntity,
		"This payment method is not available for this payment: PostFinance Card pays in CHF only; choose another method.")
	// ErrCardDeclined is the issuer's refusal.
	ErrCardDeclined = apperr.Register("card_declined", http.StatusPaymentRequired,
		"The card was declined by its bank: use another card or payment method.")
	// ErrInsufficientFunds is a decline for lack of money.
	ErrInsufficientFunds = apperr.Register("insufficient_funds", http.StatusPaymentRequired,
		"The card has insufficient funds: use another card or payment method.")
	// ErrExpiredCard is a decline of an expired card.
	ErrExpiredCard = apperr.Register("expired_card", http.StatusPaymentRequired,
		"The card has expired: add a valid card and pay again.")
	// ErrOutcomeUnknown answers when the gateway did not confirm a charge;
	// a sweep settles it later (SweepPayments).
	ErrOutcomeUnknown = apperr.Register("payment_outcome_unknown", http.StatusServiceUnavailable,
		"The payment service did not confirm the payment yet: do not pay again; the invoice appears here once it is confirmed.")
	// ErrMethodInUse refuses removing a saved method that products renew with.
	ErrMethodInUse = apperr.Register("payment_method_in_use", http.StatusConflict,
		"Products renew automatically with this payment method: choose another method for them (or switch auto-renewal off) first.")
	// ErrDepositOutOfRange refuses a deposit outside 0.10..9999.00 (BIL-5).
	ErrDepositOutOfRange = apperr.Register("deposit_out_of_range", http.StatusUnprocessableEntity,
		"A deposit must be between 0.10 and 9999.00: change the amount.")
	// ErrSandboxOnly refuses adding a test card when the gateway is not the sandbox.
	ErrSandboxOnly = apperr.Register("sandbox_only", http.StatusUnprocessableEntity,
		"Test cards can be added only when the payment gateway is the sandbox: add a card through the payment page.")
	// ErrRefundTooLarge refuses refunding more than what is left of a payment.
	ErrRefundTooLarge = apperr.Register("refund_exceeds_payment", http.StatusUnprocessableEntity,
		"A refund cannot exceed what is left of the payment: lower the amount.")
	// ErrRefundNotSupported refuses refunding a bank transfer automatically.
	ErrRefundNotSupported = apperr.Register("refund_not_supported", http.StatusUnprocessableEntity,
		"A bank transfer is refunded by a transfer from the provider's bank, or credited to the prepaid account; it cannot be sent back automatically.")
	// ErrBankFileInvalid refuses a file that is not a camt.054 notification.
	ErrBankFileInvalid = apperr.Register("bank_file_invalid", http.StatusUnprocessableEntity,
		"The file is not a readable camt.054 bank notification: export the camt.054 file from the bank again.")
)
