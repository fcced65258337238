package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/reqctx"
)

// orderPage is the data of the order form (PRD-1, PRD-3): a product type,
// then an offer and period of the current catalog with their prices (net
// and VAT included) in the currency chosen, and the product's name.
type orderPage struct {
	billingPage
	Catalog  catalog.Catalog
	Type     catalog.Type
	Currency string
	Choice   string // "plan|period"
	Name     string
	VATRate  int
}

// TypeLabel is a catalog type's name in the page's language.
func (p *orderPage) TypeLabel(t catalog.Type) string { return t.Name(p.Lang) }

// OfferLabel is an offer's name in the page's language.
func (p *orderPage) OfferLabel(o catalog.Offer) string { return o.Name(p.Lang) }

// Net is a period's price in the currency chosen.
func (p *orderPage) Net(per catalog.Period) money.Amount { return per.Prices[p.Currency] }

// Gross is a period's price with VAT.
func (p *orderPage) Gross(per catalog.Period) money.Amount {
	n := per.Prices[p.Currency]
	return money.Amount{Minor: n.Minor + billing.LineVAT(n.Minor, p.VATRate), Currency: n.Currency}
}

// HasPrice reports whether a period has a price in the currency chosen.
func (p *orderPage) HasPrice(per catalog.Period) bool { _, ok := per.Prices[p.Currency]; return ok }

// ChoiceOf is the form value of an offer's period.
func (p *orderPage) ChoiceOf(o catalog.Offer, per catalog.Period) string {
	return o.Plan + "|" + per.Period
}

// IsDomain reports whether the type chosen is a domain name (its offers
// are endings, its name is typed).
func (p *orderPage) IsDomain() bool { return p.Type.Type == "domain" }

// newOrderPage loads the current catalog and the type and currency asked
// for (the first type and currency by default).
func (h *handler) newOrderPage(r *http.Request, typ, currency string) (*orderPage, error) {
	v, err := h.Catalog.Current(r.Context())
	if err != nil {
		return nil, err
	}
	p := &orderPage{billingPage: billingPage{Page{TitleKey: "billing.order.title", Nav: "billing:orders"}}, Catalog: v.Catalog}
	p.fillActor(visitorOf(r))
	if err := authzBilling(&p.Page); err != nil {
		return nil, err
	}
	if len(v.Catalog.Types) == 0 {
		return nil, catalog.ErrEmpty
	}
	p.Type = v.Catalog.Types[0]
	if t, ok := v.Catalog.Type(typ); ok {
		p.Type = t
	}
	p.Currency = v.Catalog.Currencies[0]
	if slices.Contains(v.Catalog.Currencies, currency) {
		p.Currency = currency
	}
	p.VATRate = v.Catalog.VATRate(today(v.Catalog, h.Clock.Now()))
	if len(p.Type.Offers) > 0 && len(p.Type.Offers[0].Periods) > 0 {
		p.Choice = p.ChoiceOf(p.Type.Offers[0], p.Type.Offers[0].Periods[0])
	}
	return p, nil
}

// authzBilling refuses the pages of the Billing section that do not ask the
// billing domain first (the order form reads only the catalog) to members
// without the billing right (ORG-8).
func authzBilling(p *Page) error { return authz.Allow(p.actor, authz.ViewBilling) }

// orderForm shows the order form: ?type= and ?currency= choose what is
// listed.
func (h *handler) orderForm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := h.newOrderPage(r, q.Get("type"), q.Get("currency"))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "billing_order", p)
}

// createOrder orders the product (PRD-3) and goes to "To pay" with the new
// order ticked.
func (h *handler) createOrder(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newOrderPage(r, r.PostFormValue("type"), r.PostFormValue("currency"))
	if err != nil {
		return err
	}
	p.Choice = strings.TrimSpace(r.PostFormValue("choice"))
	p.Name = strings.TrimSpace(r.PostFormValue("name"))
	plan, period, _ := strings.Cut(p.Choice, "|")
	name := p.Name
	if p.IsDomain() {
		name = strings.ToLower(strings.TrimSuffix(name, "."))
		if name != "" && !strings.Contains(name, ".") {
			name += plan // "example" with the ending chosen
		}
		if name != "" && !strings.HasSuffix(name, plan) {
			return h.refuse(w, r, "billing_order", p, apperr.Validation.With("The domain must end with the ending chosen.").
				Field("domain_name", name))
		}
	}
	item := billing.OrderItem{Type: p.Type.Type, Plan: plan, Name: name, Period: period}
	o, err := h.Billing.CreateOrder(r.Context(), v.user.ID, v.org.ID, p.Currency, []billing.OrderItem{item}, reqctx.Meta(r, v.user.ID))
	if err != nil {
		if e := apperr.As(err); e != nil && e.Attribute == "name" && p.IsDomain() {
			err = e.Field("domain_name", e.Values...)
		}
		return h.refuse(w, r, "billing_order", p, err)
	}
	return redirect(w, r, "/billing?ordered=1&selected=order:"+o.ID)
}

// ordersPage is the data of the list of orders.
type ordersPage struct {
	billingPage
	Orders []billing.Order
}

// ItemNames are an order's products, comma-separated.
func (p *ordersPage) ItemNames(o billing.Order) string {
	names := make([]string, len(o.Items))
	for i, it := range o.Items {
		names[i] = it.Name
	}
	return strings.Join(names, ", ")
}

// orders lists the organization's orders, newest first.
func (h *handler) orders(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p := &ordersPage{billingPage: billingPage{Page{TitleKey: "billing.orders.title", Nav: "billing:orders"}}}
	var err error
	if p.Orders, err = h.Billing.ListOrders(r.Context(), v.user.ID, v.org.ID, ""); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "billing_orders", p)
}

// orderDetailPage is the data of one order.
type orderDetailPage struct {
	billingPage
	Order billing.Order
}

// showOrder shows one order; a pending one can be paid or cancelled.
func (h *handler) showOrder(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	o, err := h.Billing.GetOrder(r.Context(), v.user.ID, v.org.ID, r.PathValue("order"))
	if err != nil {
		return err
	}
	p := &orderDetailPage{billingPage: billingPage{Page{TitleKey: "billing.order_detail.title", Nav: "billing:orders"}}, Order: o}
	if r.URL.Query().Has("cancelled") {
		p.NoticeKey = "billing.order_detail.cancelled"
	}
	return h.render(w, r, http.StatusOK, "billing_order_detail", p)
}

// cancelOrder cancels a pending order (PRD-3); a paid one, or one being
// paid, is refused on its page.
func (h *handler) cancelOrder(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	ctx := r.Context()
	if _, err := h.Billing.CancelOrder(ctx, v.user.ID, v.org.ID, r.PathValue("order"), reqctx.Meta(r, v.user.ID)); err != nil {
		o, gerr := h.Billing.GetOrder(ctx, v.user.ID, v.org.ID, r.PathValue("order"))
		if gerr != nil {
			return gerr
		}
		p := &orderDetailPage{billingPage: billingPage{Page{TitleKey: "billing.order_detail.title", Nav: "billing:orders"}}, Order: o}
		return h.refuse(w, r, "billing_order_detail", p, err)
	}
	return redirect(w, r, "/billing/orders/"+r.PathValue("order")+"?cancelled=1")
}
