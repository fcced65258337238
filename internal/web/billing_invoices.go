package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/product"
)

// invoicesPage is the data of the list of invoices, pro-formas and credit
// notes (BIL-6).
type invoicesPage struct {
	billingPage
	Invoices []billing.Invoice
}

// invoices lists the organization's invoices, newest first.
func (h *handler) invoices(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p := &invoicesPage{billingPage: billingPage{Page{TitleKey: "billing.invoices.title", Nav: "billing:invoices"}}}
	var err error
	if p.Invoices, err = h.Billing.ListInvoices(r.Context(), v.user.ID, v.org.ID, billing.InvoiceFilter{}); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "billing_invoices", p)
}

// invoicePage is the data of one invoice, pro-forma or credit note: its
// lines, totals and payments; a pro-forma shows how to pay it by transfer.
type invoicePage struct {
	billingPage
	Invoice billing.Invoice
}

// showInvoice shows one invoice; ?paid= and ?transfer= say what just happened.
func (h *handler) showInvoice(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	inv, err := h.Billing.GetInvoice(r.Context(), v.user.ID, v.org.ID, r.PathValue("invoice"))
	if err != nil {
		return err
	}
	p := &invoicePage{billingPage: billingPage{Page{Nav: "billing:invoices"}}, Invoice: inv}
	switch q := r.URL.Query(); {
	case q.Has("paid") && inv.Status == "paid":
		p.NoticeKey = "billing.invoice.paid_notice"
	case q.Has("transfer") && inv.Kind == billing.KindProforma:
		p.NoticeKey = "billing.invoice.transfer_notice"
	}
	h.fill(&p.Page, r)
	p.Title = p.KindName(inv.Kind) + " " + inv.Number
	return h.render(w, r, http.StatusOK, "billing_invoice", p)
}

// invoicePDF downloads an invoice as a PDF in its language (BIL-6); an
// unpaid pro-forma carries its QR-bill.
func (h *handler) invoicePDF(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	pdf, name, err := h.Billing.InvoicePDF(r.Context(), v.user.ID, v.org.ID, r.PathValue("invoice"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "private, no-store") // personal and billing data
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	_, _ = w.Write(pdf)
	return nil
}

// productPrice is what a product costs per period, from the current
// catalog; zero when the catalog does not sell it (any more).
type productPrice struct {
	Net, Gross money.Amount
}

// productPrice prices a product's period in its currency.
func (h *handler) productPrice(r *http.Request, pr product.Product) (productPrice, error) {
	v, err := h.Catalog.Current(r.Context())
	if errors.Is(err, catalog.ErrEmpty) {
		return productPrice{}, nil
	}
	if err != nil {
		return productPrice{}, err
	}
	_, offer, err := v.Catalog.Offer(pr.Type, pr.Name, pr.Plan)
	if err != nil {
		return productPrice{}, nil
	}
	_, net, err := offer.Price(pr.Period, pr.Currency)
	if err != nil {
		return productPrice{}, nil
	}
	rate := v.Catalog.VATRate(today(v.Catalog, h.Clock.Now()))
	return productPrice{Net: net, Gross: money.Amount{Minor: net.Minor + billing.LineVAT(net.Minor, rate), Currency: net.Currency}}, nil
}

// productInvoices are the invoices with a line for the product, newest
// first (the product page).
func (h *handler) productInvoices(r *http.Request, productID string) ([]billing.Invoice, error) {
	v := visitorOf(r)
	return h.Billing.ListInvoices(r.Context(), v.user.ID, v.org.ID, billing.InvoiceFilter{ProductID: productID})
}
