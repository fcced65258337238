package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/money"
)

// billingRoutes adds the Billing section (PRD-1..3, BIL-1..6, ORG-8): what
// is to pay, orders, invoices, payment methods and the prepaid account.
// Every page asks the billing domain, which decides access: a member
// without the billing right gets its refusal, an object of another
// organization "not found".
func (h *handler) billingRoutes(pages *http.ServeMux) {
	pages.Handle("GET /billing", h.inOrganization(h.due))
	pages.Handle("POST /billing/summary", h.inOrganization(h.dueSummary))
	pages.Handle("POST /billing/pay", h.inOrganization(h.pay))
	pages.Handle("GET /billing/return", h.inOrganization(h.checkoutReturn))
	pages.Handle("GET /billing/order", h.inOrganization(h.orderForm))
	pages.Handle("POST /billing/order", h.inOrganization(h.createOrder))
	pages.Handle("GET /billing/orders", h.inOrganization(h.orders))
	pages.Handle("GET /billing/orders/{order}", h.inOrganization(h.showOrder))
	pages.Handle("POST /billing/orders/{order}/cancel", h.inOrganization(h.cancelOrder))
	pages.Handle("GET /billing/invoices", h.inOrganization(h.invoices))
	pages.Handle("GET /billing/invoices/{invoice}", h.inOrganization(h.showInvoice))
	pages.Handle("GET /billing/invoices/{invoice}/pdf", h.inOrganization(h.invoicePDF))
	pages.Handle("GET /billing/methods", h.inOrganization(h.paymentMethods))
	pages.Handle("POST /billing/methods", h.inOrganization(h.addPaymentMethod))
	pages.Handle("POST /billing/methods/{method}/default", h.inOrganization(h.defaultPaymentMethod))
	pages.Handle("POST /billing/methods/{method}/remove", h.inOrganization(h.removePaymentMethod))
	pages.Handle("GET /billing/prepaid", h.inOrganization(h.prepaid))
	pages.Handle("POST /billing/prepaid/deposit", h.inOrganization(h.deposit))
}

// billingPage is what every page of the Billing section shows around its
// content: names of periods, methods, kinds and statuses in the page's
// language.
type billingPage struct {
	Page
}

// PeriodName is a billing period ("1y", "3m") in words: "1 year", "3 months".
func (p *billingPage) PeriodName(period string) string {
	months := periodMonths(period)
	switch {
	case months <= 0:
		return period
	case months%12 == 0 && months == 12:
		return p.T("billing.period.year")
	case months%12 == 0:
		return p.T("billing.period.years", months/12)
	case months == 1:
		return p.T("billing.period.month")
	}
	return p.T("billing.period.months", months)
}

// periodMonths reads "2y" as 24 and "3m" as 3; 0 when it is neither.
func periodMonths(period string) int {
	if len(period) < 2 {
		return 0
	}
	n, err := strconv.Atoi(period[:len(period)-1])
	if err != nil || n <= 0 {
		return 0
	}
	switch period[len(period)-1] {
	case 'y':
		return n * 12
	case 'm':
		return n
	}
	return 0
}

// MethodName is a payment method's name ("card", "iban" …).
func (p *billingPage) MethodName(method string) string { return p.T("billing.method." + method) }

// KindName is the name of an invoice's kind: invoice, pro-forma, credit note.
func (p *billingPage) KindName(kind string) string { return p.T("billing.kind." + kind) }

// InvoiceStatus is the name of an invoice's status: unpaid, paid, void.
func (p *billingPage) InvoiceStatus(status string) string {
	return p.T("billing.invoice_status." + status)
}

// OrderStatus is the name of an order's status: pending, paid, cancelled.
func (p *billingPage) OrderStatus(status string) string { return p.T("billing.order_status." + status) }

// TypeName is the name of a product type.
func (p *billingPage) TypeName(typ string) string {
	key := "product_type." + typ
	if p.tr.Has(key) {
		return p.T(key)
	}
	return typ
}

// Rate writes a VAT rate in hundredths of a percent as "8.1 %".
func (p *billingPage) Rate(rate int) string {
	s := strconv.Itoa(rate/100) + "." + strconv.Itoa((rate%100)/10)
	if rate%10 != 0 {
		s = fmt.Sprintf("%d.%02d", rate/100, rate%100)
	}
	return s + " %"
}

// Remaining is what is left to pay on an invoice.
func (p *billingPage) Remaining(inv billing.Invoice) money.Amount {
	return money.Amount{Minor: inv.Total.Minor - inv.Paid.Minor, Currency: inv.Currency}
}

// IBAN writes an account number in groups of four, as printed on a QR-bill.
func (p *billingPage) IBAN(iban string) string {
	s := strings.ReplaceAll(iban, " ", "")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Reference writes a QR reference in groups of five from the right (27
// digits: 2 + 5×5) or an SCOR reference in groups of four, as on a QR-bill.
func (p *billingPage) Reference(ref string) string {
	if len(ref) == 27 {
		parts := []string{ref[:2]}
		for i := 2; i < 27; i += 5 {
			parts = append(parts, ref[i:i+5])
		}
		return strings.Join(parts, " ")
	}
	return p.IBAN(ref)
}

// returnURL is where the payment page sends the customer back (the
// gateway appends &checkout={id}): for tells what the payment was for.
func (h *handler) returnURL(r *http.Request, forWhat string) string {
	return strings.TrimSuffix(h.BaseURL, "/") + "/billing/return?for=" + url.QueryEscape(forWhat) +
		"&org=" + url.QueryEscape(visitorOf(r).org.ID)
}

// today is the calendar day of now in the catalog's time zone.
func today(cat catalog.Catalog, now time.Time) string {
	return now.In(cat.Location()).Format(time.DateOnly)
}

// failures are the declines a payment page may answer, shown with their
// message when the customer comes back (?failed=code).
var failures = map[string]*apperr.Error{
	billing.ErrCardDeclined.Code:      billing.ErrCardDeclined,
	billing.ErrInsufficientFunds.Code: billing.ErrInsufficientFunds,
	billing.ErrExpiredCard.Code:       billing.ErrExpiredCard,
}

// isOutcomeUnknown reports whether the gateway did not confirm a payment:
// the page says so instead of failing, and nothing is paid again.
func isOutcomeUnknown(err error) bool { return errors.Is(err, billing.ErrOutcomeUnknown) }

// parseAmount reads a decimal amount typed by a person ("50", "12.5",
// "12,50") in currency; "" is zero. A wrong one is validation_failed on
// field.
func parseAmount(s, currency, field string) (money.Amount, error) {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "'", ""), " ", ""))
	if s == "" {
		return money.Amount{Minor: 0, Currency: currency}, nil
	}
	s = strings.Replace(s, ",", ".", 1)
	a, err := money.Parse(s, currency)
	if err != nil || strings.HasPrefix(s, "-") {
		return money.Amount{}, apperr.Validation.With("Enter an amount like 50.00.").Field(field, s)
	}
	return a, nil
}
