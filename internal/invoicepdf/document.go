package invoicepdf

import (
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/qrbill"
)

// Kind is the kind of document rendered.
type Kind string

// The kinds of documents.
const (
	KindInvoice    Kind = "invoice"     // an invoice (paid or to pay)
	KindProforma   Kind = "proforma"    // a request for payment before the invoice (bank transfer)
	KindCreditNote Kind = "credit_note" // a credit note cancelling all or part of an invoice
)

// Document is everything printed on one invoice, pro-forma or credit note.
// Amounts are printed as given: this package adds nothing up.
type Document struct {
	Kind      Kind
	Number    string        // "2026-0042"; mandatory
	IssueDate calendar.Date // mandatory
	DueDate   calendar.Date // invoices and pro-formas; zero prints no due date
	// Language is "fr", "en", "de", "it" or "es" (a region such as "fr-CH"
	// is ignored); any other language prints in English.
	Language string
	Seller   catalog.Seller
	Buyer    Buyer
	// CustomerReference is the seller's reference for the buyer (a customer
	// or organization number), printed among the dates when not empty.
	CustomerReference string
	Lines             []Line
	Net, VAT, Total   money.Amount
	VATSummary        []VATTotal // one per rate, in the order to print
	// Paid is the payment that settled the invoice (the refund, on a credit
	// note); nil when none.
	Paid *Payment
	// PrepaidUsed is the part paid from the prepaid account; zero prints
	// nothing.
	PrepaidUsed money.Amount
	// AmountDue is what remains to pay; zero on a paid invoice.
	AmountDue money.Amount
	// Reference is the QRR or SCOR payment reference for bank transfers
	// (spaces allowed); a QRR reference is paid to Seller.QRIBAN, an SCOR
	// reference to Seller.IBAN.
	Reference string
	// CreditedInvoice is the number of the invoice a credit note credits.
	CreditedInvoice string
	// QRBill, on a pro-forma, is the Swiss QR-bill whose payment part is
	// printed with it; nil prints none.
	QRBill *qrbill.Bill
	// Notes are printed after the totals, one paragraph each.
	Notes []string
}

// Buyer is the customer's billing address.
type Buyer struct {
	Name           string // person
	Organization   string // company; printed above the person
	Street         string
	BuildingNumber string
	PostalCode     string
	Town           string
	Country        string // ISO 3166-1 alpha-2; printed when not the seller's
	VATNumber      string // printed among the references when not empty
	Email          string // not printed: kept for the caller's convenience
}

// Line is one line of the table.
type Line struct {
	Description string // "Domain example.ch"
	Detail      string // second, smaller line: "1 year, 22.11.2026 – 21.11.2027"
	Quantity    int
	Unit        money.Amount // net unit price
	Net         money.Amount // net amount of the line (printed)
	VATRate     int          // hundredths of a percent: 810 is 8.1 %
	VAT         money.Amount
	Total       money.Amount
}

// VATTotal is the VAT of one rate: Rate (hundredths of a percent) on Base.
type VATTotal struct {
	Rate int
	Base money.Amount
	VAT  money.Amount
}

// Payment is how and when a document was paid (or a credit note refunded).
type Payment struct {
	Date   calendar.Date
	Method string // label in the document's language: "card", "Visa •••• 4242", "Twint"
	Amount money.Amount
}
