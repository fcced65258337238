package billing

import (
	"time"

	"github.com/alpage/alpage/internal/money"
)

// Kinds of invoices (BIL-2, BIL-6, BIL-9).
const (
	KindInvoice    = "invoice"
	KindProforma   = "proforma"
	KindCreditNote = "credit_note"
)

// Methods of payment (BIL-4). Card, PostFinance, PayPal and Twint go
// through the gateway; iban is a bank transfer against a pro-forma; prepaid
// is the organization's prepaid account.
const (
	MethodCard        = "card"
	MethodPostFinance = "postfinance"
	MethodPayPal      = "paypal"
	MethodTwint       = "twint"
	MethodIBAN        = "iban"
	MethodPrepaid     = "prepaid"
)

// Statuses of a payment attempt (PayResult.Status).
const (
	StatusSucceeded        = "succeeded"
	StatusRequiresAction   = "requires_action"
	StatusAwaitingTransfer = "awaiting_transfer"
	StatusFailed           = "failed"
	StatusCanceled         = "canceled"
)

// OrderItem is one product of an order. CreateOrder reads Type, Name, Plan
// and Period; the other fields are filled from the catalog.
type OrderItem struct {
	ID        string
	Position  int
	Type      string // catalog type: "domain", "web_hosting", …
	Plan      string // the offer; for domains the ending (".ch"), found from the name
	Name      string // the product's name: "example.ch"
	Period    string // "1y", "1m", …
	Months    int
	Unit      money.Amount // net price of the period
	ProductID string       // the pending product made for the item
}

// Order lists products to create; it is pending until paid (PRD-3).
type Order struct {
	ID             string
	OrganizationID string
	Currency       string
	Status         string // pending, paid, cancelled
	Items          []OrderItem
	Net, VAT       money.Amount // VAT at today's rate while pending
	Total          money.Amount
	CreatedBy      string
	CreatedAt      time.Time
	PaidAt         *time.Time
	CancelledAt    *time.Time
	InvoiceID      string // the invoice that paid it
}

// Party is the seller or buyer as printed on an invoice (a snapshot).
type Party struct {
	Name           string `json:"name"`
	LegalForm      string `json:"legal_form,omitempty"`
	Street         string `json:"street"`
	BuildingNumber string `json:"building_number,omitempty"`
	PostalCode     string `json:"postal_code"`
	Town           string `json:"town"`
	Country        string `json:"country"`
	VATNumber      string `json:"vat_number,omitempty"`
}

// InvoiceLine is one line of an invoice.
type InvoiceLine struct {
	Position    int
	Description string // type, offer and product name, in the invoice's language
	Detail      string // the period and its dates
	Type        string
	ProductID   string
	OrderID     string
	Period      string
	PeriodStart string // YYYY-MM-DD
	PeriodEnd   string
	Quantity    int
	Unit        money.Amount
	Net         money.Amount
	VATRate     int // hundredths of a percent
	VAT         money.Amount
	Total       money.Amount
}

// Payment is money received (or being received) for an invoice or a deposit.
type Payment struct {
	ID              string
	InvoiceID       string
	Purpose         string // invoice or deposit
	Method          string // card, postfinance, paypal, twint, iban, prepaid
	PaymentMethodID string
	Amount          money.Amount
	Refunded        money.Amount
	Status          string // pending, requires_action, succeeded, failed, canceled
	FailureCode     string
	CreatedAt       time.Time
	SettledAt       *time.Time
}

// Invoice is an invoice, a pro-forma or a credit note: an immutable snapshot
// once issued (BIL-2, BIL-6).
type Invoice struct {
	ID                string
	OrganizationID    string
	Kind              string // invoice, proforma, credit_note
	Number            string // "2026-000001", "P2026-000001", "C2026-000001"
	Status            string // unpaid, paid, void
	Currency          string
	Net, VAT, Total   money.Amount
	Paid              money.Amount
	Seller            Party
	SellerIBAN        string // the account a bank transfer goes to (pro-formas)
	Buyer             Party
	Language          string
	IssueDate         string
	DueDate           string
	Reference         string // QRR or SCOR (pro-formas)
	InvoiceID         string // a paid pro-forma's invoice
	CreditedInvoiceID string // a credit note's invoice
	IssuedAt          time.Time
	PaidAt            *time.Time
	Lines             []InvoiceLine
	Payments          []Payment
}

// draft is an invoice line before issue, as a selection stores it.
type draft struct {
	Type        string `json:"type"` // catalog type, or "deposit"
	Plan        string `json:"plan,omitempty"`
	Name        string `json:"name,omitempty"`
	Period      string `json:"period,omitempty"`
	Months      int    `json:"months,omitempty"`
	Description string `json:"description"`
	Unit        int64  `json:"unit"`
	Quantity    int    `json:"quantity"`
	VATRate     int    `json:"vat_rate"`
	ProductID   string `json:"product_id,omitempty"`
	OrderID     string `json:"order_id,omitempty"`
	// FixedVAT, when set, is the line's VAT as given (a credit note's VAT
	// is the part of a refunded total that was VAT).
	FixedVAT *int64 `json:"fixed_vat,omitempty"`
}

func (d draft) net() int64 { return d.Unit * int64(d.Quantity) }

func (d draft) vat() int64 {
	if d.FixedVAT != nil {
		return *d.FixedVAT
	}
	return LineVAT(d.net(), d.VATRate)
}

// selection is what one payment pays, as resolved when it starts and kept
// (checkouts.selection) until it ends.
type selection struct {
	Currency  string   `json:"currency"`
	Lines     []draft  `json:"lines,omitempty"`
	Orders    []string `json:"orders,omitempty"`
	Proformas []string `json:"proformas,omitempty"`  // pro-formas this payment settles
	InvoiceID string   `json:"invoice_id,omitempty"` // an issued invoice paid alone
	Total     int64    `json:"total"`
	Credit    int64    `json:"credit,omitempty"` // already received on the pro-formas or invoice
	Language  string   `json:"language"`
	Deposit   bool     `json:"deposit,omitempty"`
	// Renewal marks an automatic renewal (ChargeRenewals): its failure
	// notice is the renewal engine's, its receipt says what was renewed.
	Renewal bool `json:"renewal,omitempty"`
}

// objects lists, once each, the products, orders and invoices the
// selection pays (checkout_items: a payment of one of them is under way
// while the attempt is open).
func (sel selection) objects() []string {
	var out []string
	add := func(ids ...string) {
		for _, v := range ids {
			if v != "" && !contains(out, v) {
				out = append(out, v)
			}
		}
	}
	for _, l := range sel.Lines {
		add(l.ProductID, l.OrderID)
	}
	add(sel.Orders...)
	add(sel.Proformas...)
	add(sel.InvoiceID)
	return out
}

// paysProducts reports whether the selection activates or renews products.
func (sel selection) paysProducts() bool {
	for _, l := range sel.Lines {
		if l.ProductID != "" {
			return true
		}
	}
	return false
}

// due is what is left to pay.
func (sel selection) due() int64 { return sel.Total - sel.Credit }
