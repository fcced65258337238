package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/product"
)

// productJSON is a product of an organization.
type productJSON struct {
	ID             string    `json:"id" format:"uuid"`
	OrganizationID string    `json:"organization_id" format:"uuid"`
	Type           string    `json:"type" enum:"domain,web_hosting,mail,cloud_storage,collaboration_suite,cloud_server,ssl_certificate,premium_support"`
	Name           string    `json:"name"`
	Status         string    `json:"status" enum:"pending,active,blocked,terminated"`
	DueDate        *string   `json:"due_date" format:"date" doc:"YYYY-MM-DD; null when none."`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toProductJSON(p product.Product) productJSON {
	j := productJSON{ID: p.ID, OrganizationID: p.OrganizationID, Type: p.Type, Name: p.Name, Status: p.Status,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	if p.DueDate != "" {
		j.DueDate = &p.DueDate
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
		return Paginate(mapSlice(ps, toProductJSON), in.PageParams), nil
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
		return ok(toProductJSON(p)), nil
	})
}
