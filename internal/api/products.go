package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
)

// productJSON is a product of an organization.
type productJSON struct {
	ID              string     `json:"id" format:"uuid"`
	OrganizationID  string     `json:"organization_id" format:"uuid"`
	Type            string     `json:"type" enum:"domain,web_hosting,mail,cloud_storage,collaboration_suite,cloud_server,ssl_certificate,premium_support"`
	Name            string     `json:"name"`
	Status          string     `json:"status" enum:"pending,active,blocked,terminated"`
	DueDate         *string    `json:"due_date" format:"date" doc:"YYYY-MM-DD; null when none."`
	Plan            *string    `json:"plan" doc:"The offer it was ordered with (a domain's ending, a hosting plan); null for a product made by the operator."`
	Period          *string    `json:"period" example:"1y" doc:"The billing period it renews for (PRD-2); null when none."`
	Currency        *string    `json:"currency" enum:"CHF,EUR" doc:"The currency it is billed in; null when none."`
	Price           *MoneyJSON `json:"price" doc:"The catalog's net price of its period in its currency, VAT excluded; null when the catalog does not sell it."`
	AutoRenew       bool       `json:"auto_renew" doc:"It renews by itself with payment_method_id (REN-1, REN-2)."`
	PaymentMethodID *string    `json:"payment_method_id" format:"uuid" doc:"The saved payment method used for auto-renewal; null when none."`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// productPricer converts products to JSON with their price from the
// current catalog (none when the catalog is empty). Without the billing
// right (ORG-8) the price and the payment method stay null.
type productPricer struct {
	cat     catalog.Catalog
	billing bool
}

// pricer loads the current catalog once for a request, and whether the
// caller sees the billing of orgID.
func (s *server) pricer(ctx context.Context, orgID string) (productPricer, error) {
	actor, err := org.ActorOf(ctx, s.d.DB, caller(ctx).UserID, orgID)
	if err != nil {
		return productPricer{}, err
	}
	v, err := s.d.Catalog.Current(ctx)
	if err != nil && !errors.Is(err, catalog.ErrEmpty) {
		return productPricer{}, err
	}
	return productPricer{cat: v.Catalog, billing: authz.Allow(actor, authz.ViewBilling) == nil}, nil
}

// price is the catalog's net price of p's period in p's currency (the
// catalog's first currency for a product without one), or nil.
func (pr productPricer) price(p product.Product) *MoneyJSON {
	if p.Period == "" {
		return nil
	}
	_, offer, err := pr.cat.Offer(p.Type, p.Name, p.Plan)
	if err != nil {
		return nil
	}
	currency := p.Currency
	if currency == "" && len(pr.cat.Currencies) > 0 {
		currency = pr.cat.Currencies[0]
	}
	_, a, err := offer.Price(p.Period, currency)
	if err != nil {
		return nil
	}
	j := toMoneyJSON(a)
	return &j
}

func (pr productPricer) toJSON(p product.Product) productJSON {
	j := productJSON{ID: p.ID, OrganizationID: p.OrganizationID, Type: p.Type, Name: p.Name, Status: p.Status,
		Plan: strPtr(p.Plan), Period: strPtr(p.Period), Currency: strPtr(p.Currency), Price: pr.price(p),
		AutoRenew: p.AutoRenew, PaymentMethodID: strPtr(p.PaymentMethodID),
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	if p.DueDate != "" {
		j.DueDate = &p.DueDate
	}
	if !pr.billing {
		j.Price, j.PaymentMethodID = nil, nil
	}
	return j
}

type listProductsInput struct {
	OrgPath
	PageParams
	Type   string `query:"filter[type]" enum:"domain,web_hosting,mail,cloud_storage,collaboration_suite,cloud_server,ssl_certificate,premium_support" doc:"Only products of this type."`
	Status string `query:"filter[status]" enum:"pending,active,blocked,terminated" doc:"Only products in this status."`
}

// ProductPath is {org}/products/{product}.
type ProductPath struct {
	OrgPath
	Product string `path:"product" doc:"The product's id."`
}

func (s *server) declareProducts() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/products", ID: "list-products", Tag: "Products",
		Summary: "List the products you reach",
		Description: "Every product of the organization for legal representatives and administrators; for others, the products " +
			"granted to them directly or through a team (ORG-8, TEAM-2), paginated.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *listProductsInput) (*ListOut[productJSON], error) {
		ps, err := s.d.Products.ListForUser(ctx, caller(ctx).UserID, in.Org, product.Filter{Type: in.Type, Status: in.Status})
		if err != nil {
			return nil, err
		}
		pr, err := s.pricer(ctx, in.Org)
		if err != nil {
			return nil, err
		}
		return Paginate(mapSlice(ps, pr.toJSON), in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/products/{product}", ID: "get-product", Tag: "Products",
		Summary: "Show a product", Description: "A product you reach; any other is 404 object_not_found.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *ProductPath) (*Out[productJSON], error) {
		p, err := s.d.Products.Get(ctx, caller(ctx).UserID, in.Org, in.Product)
		if err != nil {
			return nil, err
		}
		pr, err := s.pricer(ctx, in.Org)
		if err != nil {
			return nil, err
		}
		return ok(pr.toJSON(p)), nil
	})
}
