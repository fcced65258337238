// Package billing is alpage's billing domain (SPEC PRD-2, PRD-3, BIL-1..9):
// orders, invoices, the "to pay" list, paying a selection with one invoice
// and one payment, saved payment methods, the prepaid account, bank files
// and refunds. The API and the console call these functions; every one a
// customer calls takes (ctx, userID, orgID, …) and decides access first
// (ORG-8: legal representatives, administrators and collaborators with the
// billing right; a stranger gets object_not_found, a member without the
// right billing_right_required for lists and actions and object_not_found
// for objects).
//
// # Rules
//
//   - Money is integer minor units (internal/money); VAT is computed per
//     line, rounded half-up to the minor unit, and an invoice's VAT is the
//     sum of its lines' (LineVAT). Rates are hundredths of a percent, dated
//     in the catalog, taken on the day the items are priced.
//   - Orders (CreateOrder) price their items from the current catalog and
//     make one pending product per item; paying activates them with a due
//     date one period ahead (calendar months, in the catalog's time zone).
//     A renewal moves the due date by the period chosen from the current
//     due date (REN-6) and unblocks a blocked product.
//   - Invoices are immutable snapshots (seller, buyer, language, lines,
//     VAT), numbered without gaps in issue order per kind and year
//     ("2026-000001", pro-formas "P2026-000001", credit notes
//     "C2026-000001"): the number is taken from invoice_sequences in the
//     transaction that issues the invoice, so a rollback gives it back.
//   - One selection, one invoice, one payment (BIL-2): Pay resolves the
//     items (each once, one currency), splits what is due between the
//     prepaid account and one other method, charges, and settles in one
//     transaction (invoice, payments, products, orders, notices).
//   - Every change is one transaction and enqueues its e-mails in it
//     (invoice_issued, payment_received, payment_failed, to the billing
//     contacts in their language; an automatic renewal sends one
//     renewal_renewed receipt that carries its invoice). Gateway calls are
//     never made inside a transaction.
//
// # Payment attempts
//
// Every Pay, Deposit and AddPaymentMethod records an attempt (a checkouts
// row) with what it pays, before anything is charged:
//
//	open ──charged / page paid──> completed (invoice issued)
//	  │──declined──────────────> failed    (prepaid part released, payment_failed)
//	  └──canceled / expired────> canceled  (prepaid part released)
//
// The prepaid part is reserved, not debited: a pending "prepaid" payment
// holds it (the account row is locked while the balance minus the holds is
// checked), and the ledger is debited only when the attempt completes, so a
// declined card leaves balance and ledger untouched.
//
// Idempotency: the attempt's key is derived from the organization and the
// request's Idempotency-Key; a repeated request finds the attempt and
// answers its result. The gateway receives keys derived from the attempt's,
// so a repeated charge is replayed by the gateway, never made twice; after
// an unknown outcome (payment.ErrUnknownOutcome) the charge is looked up
// with PaymentByKey before anything else. Attempts left open (a payment
// page the customer never came back from, a lost answer, a crash) are
// finished by SweepPayments, which asks the gateway.
//
// Bank transfers: Pay with iban issues a pro-forma with a QRR reference
// (the seller's QR-IBAN) or an SCOR reference; ImportBankFile matches the
// credits of a camt.054 file to it by reference (full, partial, surplus to
// the prepaid account, unmatched for staff, duplicates booked once).
// Refunds (an operator action) go back to the method that paid and issue a
// credit note.
package billing
