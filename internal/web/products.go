package web

import (
	"net/http"

	"github.com/alpage/alpage/internal/apperr"
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

// productPage is the data of a product's page.
type productPage struct {
	Page
	Product  product.Product
	Category category
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
	p := &productPage{Page: Page{Nav: "products:" + pr.Type}, Product: pr, Category: c}
	p.Title = pr.Name
	return h.render(w, r, http.StatusOK, "product", p)
}
