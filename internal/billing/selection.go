package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/id"
)

// PayItem is one item of a selection to pay (BIL-2): exactly one of
// OrderID (a pending order), InvoiceID (an unpaid invoice or pro-forma) or
// ProductID (a renewal, with the Period chosen, BIL-3; empty keeps the
// product's period).
type PayItem struct {
	OrderID   string
	InvoiceID string
	ProductID string
	Period    string
}

// resolver turns a selection into the lines to invoice, in tx.
type resolver struct {
	s     *Service
	tx    *sql.Tx
	orgID string
	lang  string
	cat   catalog.Catalog
	today calendar.Date
	now   time.Time
	sel   selection
	seen  map[string]bool
}

// resolve checks every item of a selection (payable, once, one currency),
// locks the orders, products and invoices it pays, and prices it.
func (s *Service) resolve(ctx context.Context, tx *sql.Tx, orgID, lang string, cat catalog.Catalog, items []PayItem) (selection, error) {
	if len(items) == 0 || len(items) > 50 {
		return selection{}, apperr.Validation.With("Select 1 to 50 items to pay.").Field("items")
	}
	r := &resolver{s: s, tx: tx, orgID: orgID, lang: lang, cat: cat, today: s.today(cat), now: s.nowUTC(),
		sel: selection{Language: lang}, seen: map[string]bool{}}
	for _, it := range items {
		n := 0
		for _, v := range []string{it.OrderID, it.InvoiceID, it.ProductID} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			return selection{}, apperr.Validation.With("Each item names one order, one invoice or one product.").Field("items")
		}
		var err error
		switch {
		case it.OrderID != "":
			err = r.order(ctx, it.OrderID)
		case it.InvoiceID != "":
			err = r.invoice(ctx, it.InvoiceID, len(items))
		default:
			err = r.renewal(ctx, it.ProductID, strings.TrimSpace(it.Period))
		}
		if err != nil {
			return selection{}, err
		}
	}
	if r.sel.InvoiceID == "" {
		r.sel.Total = sumDrafts(r.sel.Lines).Total
	}
	return r.sel, nil
}

// once refuses an item (or a product inside it) selected twice.
func (r *resolver) once(key, attr string) error {
	if r.seen[key] {
		return apperr.Validation.With("An item is selected twice: select each item once.").Field(attr, key)
	}
	r.seen[key] = true
	return nil
}

// currency checks that every item is in the selection's currency.
func (r *resolver) currency(c string) error {
	if r.sel.Currency == "" {
		r.sel.Currency = c
	}
	if r.sel.Currency != c {
		return ErrCurrencyMismatch.Field("currency", r.sel.Currency, c)
	}
	return nil
}

// busy refuses an item another payment page is open for.
func (r *resolver) busy(ctx context.Context, objectID string) error {
	open, err := r.s.openAttemptFor(ctx, r.tx, r.orgID, objectID, r.now)
	if err != nil {
		return err
	}
	if open {
		return ErrPaymentInProgress
	}
	return nil
}

// description is "Type – Offer – name" in the selection's language.
func (r *resolver) description(typ, plan, name string) string {
	t, ok := r.cat.Type(typ)
	if !ok {
		return typ + " – " + name
	}
	for _, o := range t.Offers {
		if o.Plan == plan {
			return t.Name(r.lang) + " – " + o.Name(r.lang) + " – " + name
		}
	}
	return t.Name(r.lang) + " – " + name
}

func (r *resolver) order(ctx context.Context, orderID string) error {
	if err := r.once(orderID, "order_id"); err != nil {
		return err
	}
	o, err := r.s.order(ctx, r.tx, r.orgID, orderID, true)
	if errors.Is(err, apperr.NotFound) {
		return apperr.NotFound.With("There is no such order in this organization.").Field("order_id", orderID)
	}
	if err != nil {
		return err
	}
	if o.Status != "pending" {
		return ErrItemNotPayable.With("This order was already paid or cancelled.").Field("order_id", orderID)
	}
	if err := r.currency(o.Currency); err != nil {
		return err
	}
	if err := r.busy(ctx, orderID); err != nil {
		return err
	}
	if err := loadItems(ctx, r.tx, &o, 0); err != nil {
		return err
	}
	rate := r.cat.VATRate(r.today.String())
	for _, it := range o.Items {
		if it.ProductID == "" {
			return ErrItemNotPayable.With("A product of this order was deleted: cancel the order and order again.").Field("order_id", orderID)
		}
		if err := r.once(it.ProductID, "product_id"); err != nil {
			return err
		}
		r.sel.Lines = append(r.sel.Lines, draft{Type: it.Type, Plan: it.Plan, Name: it.Name, Period: it.Period,
			Months: it.Months, Description: r.description(it.Type, it.Plan, it.Name), Unit: it.Unit.Minor,
			Quantity: 1, VATRate: rate, ProductID: it.ProductID, OrderID: o.ID})
	}
	r.sel.Orders = append(r.sel.Orders, o.ID)
	return nil
}

func (r *resolver) invoice(ctx context.Context, invoiceID string, count int) error {
	if err := r.once(invoiceID, "invoice_id"); err != nil {
		return err
	}
	if !id.Valid(invoiceID) {
		return apperr.NotFound.With("There is no such invoice in this organization.").Field("invoice_id", invoiceID)
	}
	var kind, status, currency string
	var total, paid int64
	err := r.tx.QueryRowContext(ctx, `SELECT kind, status, currency, total_minor, paid_minor FROM invoices
		WHERE id = $1 AND organization_id = $2`+r.s.forUpdate(), invoiceID, r.orgID).Scan(&kind, &status, &currency, &total, &paid)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound.With("There is no such invoice in this organization.").Field("invoice_id", invoiceID)
	}
	if err != nil {
		return fmt.Errorf("billing: loading the invoice to pay: %w", err)
	}
	if status != "unpaid" || kind == KindCreditNote {
		return ErrItemNotPayable.With("This invoice is paid, void or a credit note: there is nothing to pay.").Field("invoice_id", invoiceID)
	}
	if err := r.currency(currency); err != nil {
		return err
	}
	if err := r.busy(ctx, invoiceID); err != nil {
		return err
	}
	if kind == KindInvoice {
		if count > 1 {
			return ErrInvoicePayAlone.Field("invoice_id", invoiceID)
		}
		r.sel.InvoiceID, r.sel.Total, r.sel.Credit = invoiceID, total, paid
		return nil
	}
	lines, err := loadLines(ctx, r.tx, invoiceID, currency)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if l.Type == lineDeposit {
			return ErrItemNotPayable.With("A deposit pro-forma is paid by bank transfer; to pay by card, make a deposit by card.").
				Field("invoice_id", invoiceID)
		}
		months, _ := catalog.ParsePeriod(l.Period)
		if l.ProductID != "" {
			if err := r.once(l.ProductID, "product_id"); err != nil {
				return err
			}
		}
		r.sel.Lines = append(r.sel.Lines, draft{Type: l.Type, Period: l.Period, Months: months, Description: l.Description,
			Unit: l.Unit.Minor, Quantity: l.Quantity, VATRate: l.VATRate, ProductID: l.ProductID, OrderID: l.OrderID})
		if l.OrderID != "" && !contains(r.sel.Orders, l.OrderID) {
			r.sel.Orders = append(r.sel.Orders, l.OrderID)
		}
	}
	r.sel.Proformas = append(r.sel.Proformas, invoiceID)
	r.sel.Credit += paid
	return nil
}

func (r *resolver) renewal(ctx context.Context, productID, period string) error {
	if err := r.once(productID, "product_id"); err != nil {
		return err
	}
	if !id.Valid(productID) {
		return apperr.NotFound.With("There is no such product in this organization.").Field("product_id", productID)
	}
	var typ, name, status, plan, cur, currency string
	err := r.tx.QueryRowContext(ctx, `SELECT type, name, status, plan, period, currency FROM products
		WHERE id = $1 AND organization_id = $2`+r.s.forUpdate(), productID, r.orgID).Scan(&typ, &name, &status, &plan, &cur, &currency)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound.With("There is no such product in this organization.").Field("product_id", productID)
	}
	if err != nil {
		return fmt.Errorf("billing: loading the product to renew: %w", err)
	}
	if status != "active" && status != "blocked" {
		return ErrItemNotPayable.With("Only an active or blocked product can be renewed; a pending one is paid with its order.").
			Field("product_id", productID)
	}
	if err := r.busy(ctx, productID); err != nil {
		return err
	}
	_, offer, err := r.cat.Offer(typ, name, plan)
	if err != nil {
		return ErrItemNotPayable.With("This product is no longer in the catalog: contact support to renew it.").Field("product_id", productID)
	}
	if currency == "" && len(r.cat.Currencies) > 0 {
		currency = r.cat.Currencies[0]
	}
	if period == "" {
		period = cur
	}
	if period == "" || !contains(offer.PeriodNames(), period) && period == cur {
		period = offer.Periods[0].Period
	}
	p, price, err := offer.Price(period, currency)
	if err != nil {
		return err
	}
	if err := r.currency(currency); err != nil {
		return err
	}
	r.sel.Lines = append(r.sel.Lines, draft{Type: typ, Plan: offer.Plan, Name: name, Period: p.Period, Months: p.Months,
		Description: r.description(typ, offer.Plan, name), Unit: price.Minor, Quantity: 1,
		VATRate: r.cat.VATRate(r.today.String()), ProductID: productID})
	return nil
}

// lineDeposit is the type of a deposit's line on a pro-forma.
const lineDeposit = "deposit"

// depositLine is the line of a deposit pro-forma: no VAT, which is due on
// the invoices the deposit later pays.
func depositLine(lang string, amount int64) draft {
	return draft{Type: lineDeposit, Description: i18n.T(lang, "billing.deposit_line"), Unit: amount, Quantity: 1}
}
