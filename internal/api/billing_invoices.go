package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
)

// invoiceSummaryJSON is an invoice, pro-forma or credit note as listed.
type invoiceSummaryJSON struct {
	ID             string        `json:"id" format:"uuid"`
	OrganizationID string        `json:"organization_id" format:"uuid"`
	Kind           string        `json:"kind" enum:"invoice,proforma,credit_note"`
	Number         string        `json:"number" example:"2026-000001" doc:"Gapless per kind and year; pro-formas \"P2026-…\", credit notes \"C2026-…\"."`
	Status         string        `json:"status" enum:"unpaid,paid,void"`
	Currency       string        `json:"currency" enum:"CHF,EUR"`
	Net            MoneyJSON     `json:"net"`
	VAT            MoneyJSON     `json:"vat"`
	Total          MoneyJSON     `json:"total"`
	Paid           MoneyJSON     `json:"paid" doc:"Received so far."`
	Due            MoneyJSON     `json:"due" doc:"Left to pay: total minus paid (0 once paid, and for credit notes)."`
	Seller         billing.Party `json:"seller"`
	Buyer          billing.Party `json:"buyer"`
	Language       string        `json:"language" doc:"The language it is written in."`
	IssueDate      string        `json:"issue_date" format:"date"`
	DueDate        string        `json:"due_date" format:"date"`
	// A pro-forma is paid by bank transfer to IBAN with Reference (BIL-4).
	Reference         string     `json:"reference,omitempty" doc:"Pro-formas: the QR reference (QRR, with a QR-IBAN) or creditor reference (SCOR) to quote with the transfer."`
	IBAN              string     `json:"iban,omitempty" doc:"Pro-formas: the account to transfer to."`
	InvoiceID         *string    `json:"invoice_id" format:"uuid" doc:"A paid pro-forma: the invoice it became."`
	CreditedInvoiceID *string    `json:"credited_invoice_id" format:"uuid" doc:"A credit note: the invoice it credits (BIL-9)."`
	IssuedAt          time.Time  `json:"issued_at"`
	PaidAt            *time.Time `json:"paid_at"`
}

// invoiceJSON is one invoice with its lines and payments.
type invoiceJSON struct {
	invoiceSummaryJSON
	Lines    []invoiceLineJSON `json:"lines"`
	Payments []paymentJSON     `json:"payments" doc:"Payments received or under way for it (and for the pro-forma it comes from)."`
}

// invoiceLineJSON is one line of an invoice.
type invoiceLineJSON struct {
	Position    int       `json:"position"`
	Description string    `json:"description" doc:"In the invoice's language."`
	Detail      string    `json:"detail" doc:"The period and its dates."`
	Type        string    `json:"type"`
	ProductID   *string   `json:"product_id" format:"uuid"`
	OrderID     *string   `json:"order_id" format:"uuid"`
	Period      string    `json:"period"`
	PeriodStart string    `json:"period_start" doc:"YYYY-MM-DD, or empty."`
	PeriodEnd   string    `json:"period_end" doc:"YYYY-MM-DD, or empty."`
	Quantity    int       `json:"quantity"`
	UnitPrice   MoneyJSON `json:"unit_price"`
	Net         MoneyJSON `json:"net"`
	VATRate     string    `json:"vat_rate" example:"8.1" doc:"Percent, as a decimal string."`
	VAT         MoneyJSON `json:"vat" doc:"Rounded per line; the invoice's VAT is the sum of its lines'."`
	Total       MoneyJSON `json:"total"`
}

// paymentJSON is money received, or being received.
type paymentJSON struct {
	ID              string     `json:"id" format:"uuid"`
	InvoiceID       *string    `json:"invoice_id" format:"uuid"`
	Purpose         string     `json:"purpose" enum:"invoice,deposit"`
	Method          string     `json:"method" enum:"card,postfinance,paypal,twint,iban,prepaid"`
	PaymentMethodID *string    `json:"payment_method_id" format:"uuid" doc:"The saved method charged, if any."`
	Amount          MoneyJSON  `json:"amount"`
	Refunded        MoneyJSON  `json:"refunded"`
	Status          string     `json:"status" enum:"pending,requires_action,succeeded,failed,canceled"`
	FailureCode     string     `json:"failure_code,omitempty" doc:"card_declined, insufficient_funds, expired_card… when failed."`
	CreatedAt       time.Time  `json:"created_at"`
	SettledAt       *time.Time `json:"settled_at"`
}

func toPaymentJSON(p billing.Payment) paymentJSON {
	return paymentJSON{ID: p.ID, InvoiceID: strPtr(p.InvoiceID), Purpose: p.Purpose, Method: p.Method,
		PaymentMethodID: strPtr(p.PaymentMethodID), Amount: toMoneyJSON(p.Amount), Refunded: toMoneyJSON(p.Refunded),
		Status: p.Status, FailureCode: p.FailureCode, CreatedAt: p.CreatedAt.UTC(), SettledAt: utcPtr(p.SettledAt)}
}

// strPtr returns &s, or nil for "".
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toInvoiceSummaryJSON(inv billing.Invoice) invoiceSummaryJSON {
	due := inv.Total
	due.Minor -= inv.Paid.Minor
	if due.Minor < 0 || inv.Kind == billing.KindCreditNote || inv.Status != "unpaid" {
		due.Minor = 0
	}
	return invoiceSummaryJSON{ID: inv.ID, OrganizationID: inv.OrganizationID, Kind: inv.Kind, Number: inv.Number,
		Status: inv.Status, Currency: inv.Currency, Net: toMoneyJSON(inv.Net), VAT: toMoneyJSON(inv.VAT),
		Total: toMoneyJSON(inv.Total), Paid: toMoneyJSON(inv.Paid), Due: toMoneyJSON(due), Seller: inv.Seller,
		Buyer: inv.Buyer, Language: inv.Language, IssueDate: inv.IssueDate, DueDate: inv.DueDate, Reference: inv.Reference,
		IBAN: inv.SellerIBAN, InvoiceID: strPtr(inv.InvoiceID), CreditedInvoiceID: strPtr(inv.CreditedInvoiceID),
		IssuedAt: inv.IssuedAt.UTC(), PaidAt: utcPtr(inv.PaidAt)}
}

func toInvoiceJSON(inv billing.Invoice) invoiceJSON {
	j := invoiceJSON{invoiceSummaryJSON: toInvoiceSummaryJSON(inv), Lines: []invoiceLineJSON{},
		Payments: mapSlice(inv.Payments, toPaymentJSON)}
	for _, l := range inv.Lines {
		j.Lines = append(j.Lines, invoiceLineJSON{Position: l.Position, Description: l.Description, Detail: l.Detail,
			Type: l.Type, ProductID: strPtr(l.ProductID), OrderID: strPtr(l.OrderID), Period: l.Period,
			PeriodStart: l.PeriodStart, PeriodEnd: l.PeriodEnd, Quantity: l.Quantity, UnitPrice: toMoneyJSON(l.Unit),
			Net: toMoneyJSON(l.Net), VATRate: percent(l.VATRate), VAT: toMoneyJSON(l.VAT), Total: toMoneyJSON(l.Total)})
	}
	return j
}

type listInvoicesInput struct {
	OrgPath
	PageParams
	Kind   string `query:"filter[kind]" enum:"invoice,proforma,credit_note" doc:"Only invoices of this kind."`
	Status string `query:"filter[status]" enum:"unpaid,paid,void" doc:"Only invoices in this status."`
}

// InvoicePath is {org}/invoices/{invoice}.
type InvoicePath struct {
	OrgPath
	Invoice string `path:"invoice" doc:"The invoice's id."`
}

// pdfOut is a PDF file to download.
type pdfOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

func (s *server) declareInvoices() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/invoices", ID: "list-invoices", Tag: "Billing",
		Summary: "List the invoices",
		Description: "Invoices, pro-forma invoices and credit notes of the organization, newest first, without their lines, " +
			"paginated (BIL-2, BIL-6).",
		Codes: billingCodes(),
	}, func(ctx context.Context, in *listInvoicesInput) (*ListOut[invoiceSummaryJSON], error) {
		invs, err := s.d.Billing.ListInvoices(ctx, caller(ctx).UserID, in.Org, billing.InvoiceFilter{Kind: in.Kind, Status: in.Status})
		if err != nil {
			return nil, err
		}
		return Paginate(mapSlice(invs, toInvoiceSummaryJSON), in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/invoices/{invoice}", ID: "get-invoice", Tag: "Billing",
		Summary:     "Show an invoice",
		Description: "An invoice, pro-forma or credit note with its lines and payments; any other id is 404 object_not_found.",
		Codes:       []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *InvoicePath) (*Out[invoiceJSON], error) {
		inv, err := s.d.Billing.GetInvoice(ctx, caller(ctx).UserID, in.Org, in.Invoice)
		if err != nil {
			return nil, err
		}
		return ok(toInvoiceJSON(inv)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/invoices/{invoice}/pdf", ID: "get-invoice-pdf", Tag: "Billing",
		Summary: "Download an invoice as PDF",
		Description: "The invoice, pro-forma or credit note as a PDF in its language (BIL-6), as an attachment named after its " +
			"number; an unpaid pro-forma carries the Swiss QR-bill payment part. Errors are JSON.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *InvoicePath) (*pdfOut, error) {
		pdf, name, err := s.d.Billing.InvoicePDF(ctx, caller(ctx).UserID, in.Org, in.Invoice)
		if err != nil {
			return nil, err
		}
		return &pdfOut{ContentType: "application/pdf", ContentDisposition: fmt.Sprintf("attachment; filename=%q", name),
			CacheControl: "private, no-store", Body: pdf}, nil
	})
	answersFile(s, "application/pdf", "The PDF, as an attachment named after the invoice's number.")
}
