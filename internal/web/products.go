package web

import (
	"net/http"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/product"
)

// productsPage is the data of a product list (UI-1): the products the user
// reaches in the selected organization (ORG-8), of one category or all.
type productsPage struct {
	Page
	Category category // zero for every product
	Products []product.Product
}

// CategoryOf is the category of a product type.
func (p *productsPage) CategoryOf(typ string) category {
	c, _ := categoryOf(typ)
	return c
}

// products lists the products the user reaches, by category (?type=).
func (h *handler) products(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p := &productsPage{Page: Page{TitleKey: "products.title", Nav: "products"}}
	typ := r.URL.Query().Get("type")
	if typ != "" {
		c, ok := categoryOf(typ)
		if !ok {
			return apperr.NotFound
		}
		p.Category, p.TitleKey, p.Nav = c, "category."+c.Key, "products:"+typ
	}
	var err error
	if p.Products, err = h.Products.ListForUser(r.Context(), v.user.ID, v.org.ID, product.Filter{Type: typ}); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "products", p)
}

// productPage is the data of a product's page: its details, and for those
// who see billing its price, auto-renewal and invoices (PRD-2).
type productPage struct {
	billingPage
	Product  product.Product
	Category category
	Price    productPrice
	Invoices []billing.Invoice // the invoices with a line for the product
	Timeline *timelineView     // what happened and what comes next (REN, BIL-7)
	Method   string            // the label of the saved method auto-renewal charges, or ""
}

// showProduct shows one product; a product the user does not reach, or of
// another organization, is "not found" (ORG-8, ORG-9).
func (h *handler) showProduct(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	pr, err := h.Products.Get(r.Context(), v.user.ID, v.org.ID, r.PathValue("product"))
	if err != nil {
		return err
	}
	c, _ := categoryOf(pr.Type)
	p := &productPage{billingPage: billingPage{Page{Nav: "products:" + pr.Type}}, Product: pr, Category: c}
	p.Title = pr.Name
	p.fillActor(v)
	if p.Can("billing.view") {
		if p.Price, err = h.productPrice(r, pr); err != nil {
			return err
		}
		if p.Invoices, err = h.productInvoices(r, pr.ID); err != nil {
			return err
		}
		if pr.AutoRenew {
			methods, err := h.Billing.ListPaymentMethods(r.Context(), v.user.ID, v.org.ID)
			if err != nil {
				return err
			}
			for _, m := range methods {
				if m.ID == pr.PaymentMethodID || (pr.PaymentMethodID == "" && m.Default) {
					p.Method = m.Label
				}
			}
		}
	}
	if p.Timeline, err = h.productTimeline(r, pr.ID); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "product", p)
}
