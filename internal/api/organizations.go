package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/org"
)

// organizationJSON is an organization as seen by the caller.
type organizationJSON struct {
	ID        string `json:"id" format:"uuid"`
	Name      string `json:"name"`
	LegalForm string `json:"legal_form" enum:"individual,company,public_body"`
	Street    string `json:"street"`
	Postcode  string `json:"postcode"`
	City      string `json:"city"`
	Country   string `json:"country" doc:"ISO 3166-1 alpha-2, or empty."`
	VATNumber string `json:"vat_number"`
	Role      string `json:"role" enum:"legal_representative,administrator,collaborator,external" doc:"Your role in it."`
	Billing   bool   `json:"billing" doc:"Whether you see its billing: legal representatives and administrators always, collaborators with the billing right (ORG-8)."`
	// RequireTwoStep is SEC-5's requirement.
	RequireTwoStep bool      `json:"require_two_step" doc:"The organization requires two-step sign-in from its members (SEC-5)."`
	CreatedAt      time.Time `json:"created_at"`
}

func toOrganizationJSON(o org.Organization) organizationJSON {
	return organizationJSON{
		ID: o.ID, Name: o.Name, LegalForm: o.LegalForm,
		Street: o.Street, Postcode: o.Postcode, City: o.City, Country: o.Country, VATNumber: o.VATNumber,
		Role: o.Role, RequireTwoStep: o.RequireTwoStep, CreatedAt: o.CreatedAt.UTC(),
		Billing: authz.Allow(authz.Actor{Role: authz.Role(o.Role), Billing: o.Billing}, authz.ViewBilling) == nil,
	}
}

type listOrganizationsInput struct {
	PageParams
}

// OrgPath is the {org} path parameter.
type OrgPath struct {
	Org string `path:"org" doc:"The organization's id."`
}

type createOrganizationInput struct {
	Body struct {
		Name      string `json:"name" minLength:"1" maxLength:"200"`
		LegalForm string `json:"legal_form" enum:"individual,company,public_body"`
	}
}

// legalDetailsPatch lists the legal details to change; absent fields stay.
type legalDetailsPatch struct {
	Name      *string `json:"name,omitempty" maxLength:"200"`
	LegalForm *string `json:"legal_form,omitempty" enum:"individual,company,public_body"`
	Street    *string `json:"street,omitempty" maxLength:"200"`
	Postcode  *string `json:"postcode,omitempty" maxLength:"20"`
	City      *string `json:"city,omitempty" maxLength:"100"`
	Country   *string `json:"country,omitempty" doc:"ISO 3166-1 alpha-2, e.g. CH."`
	VATNumber *string `json:"vat_number,omitempty" maxLength:"50"`
	// RequireTwoStep switches SEC-5's requirement; it is not a legal detail.
	RequireTwoStep *bool `json:"require_two_step,omitempty" doc:"Require two-step sign-in from the members (SEC-5)."`
}

// hasLegalDetails reports whether p changes a legal detail.
func (p legalDetailsPatch) hasLegalDetails() bool {
	return p.Name != nil || p.LegalForm != nil || p.Street != nil || p.Postcode != nil || p.City != nil ||
		p.Country != nil || p.VATNumber != nil
}

type patchOrganizationInput struct {
	OrgPath
	Body legalDetailsPatch
}

// patch converts p into the domain's patch.
func (p legalDetailsPatch) patch() org.LegalDetailsPatch {
	return org.LegalDetailsPatch{Name: p.Name, LegalForm: p.LegalForm, Street: p.Street, Postcode: p.Postcode,
		City: p.City, Country: p.Country, VATNumber: p.VATNumber}
}

func (s *server) declareOrganizations() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations", ID: "list-organizations", Tag: "Organizations",
		Summary: "List your organizations", Description: "The organizations you belong to, with your role and billing right in each, paginated.",
	}, func(ctx context.Context, in *listOrganizationsInput) (*ListOut[organizationJSON], error) {
		orgs, err := s.d.Orgs.ListForUser(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		return Paginate(mapSlice(orgs, toOrganizationJSON), in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations", ID: "create-organization", Tag: "Organizations",
		Summary: "Create an organization",
		Description: "Creates another organization with you as its legal representative (ACC-4). " +
			"Complete its address and VAT number with PATCH.",
		Status: http.StatusCreated, Codes: []*apperr.Error{apperr.Validation, org.ErrNameInvalid},
	}, func(ctx context.Context, in *createOrganizationInput) (*Out[organizationJSON], error) {
		p := caller(ctx)
		o, err := s.d.Orgs.Create(ctx, p.UserID, in.Body.Name, in.Body.LegalForm, p.Meta)
		if err != nil {
			return nil, renameAttribute(err, "organization_name", "name")
		}
		return ok(toOrganizationJSON(o)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}", ID: "get-organization", Tag: "Organizations",
		Summary: "Show an organization", Description: "One organization you belong to; any other id is 404 object_not_found.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *OrgPath) (*Out[organizationJSON], error) {
		o, err := s.d.Orgs.GetForUser(ctx, caller(ctx).UserID, in.Org)
		if err != nil {
			return nil, err
		}
		return ok(toOrganizationJSON(o)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPatch, Path: "/organizations/{org}", ID: "update-organization", Tag: "Organizations",
		Summary: "Change the legal details",
		Description: "Changes the fields sent (name, legal form, address, VAT number, require_two_step) and keeps the others. " +
			"Only a legal representative may (ORG-2, SEC-5): others get 403 legal_representative_required.",
		Codes: []*apperr.Error{apperr.NotFound, apperr.Validation, org.ErrNameInvalid, authz.ErrLegalRepresentativeRequired},
	}, func(ctx context.Context, in *patchOrganizationInput) (*Out[organizationJSON], error) {
		p := caller(ctx)
		var o org.Organization
		var err error
		if in.Body.hasLegalDetails() || in.Body.RequireTwoStep == nil {
			if o, err = s.d.Orgs.PatchLegalDetails(ctx, p.UserID, in.Org, in.Body.patch(), p.Meta); err != nil {
				return nil, err
			}
		}
		if in.Body.RequireTwoStep != nil {
			if o, err = s.d.Orgs.SetRequireTwoStep(ctx, p.UserID, in.Org, *in.Body.RequireTwoStep, p.Meta); err != nil {
				return nil, err
			}
		}
		return ok(toOrganizationJSON(o)), nil
	})
}

// mapSlice converts every element of in with f; never nil.
func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// nonNil returns s, or an empty slice for nil, so JSON shows [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// renameAttribute returns err with its attribute from renamed to, for a
// domain error that names an input differently from this API's body.
func renameAttribute(err error, from, to string) error {
	if e := apperr.As(err); e != nil && e.Attribute == from {
		return e.Field(to, e.Values...)
	}
	return err
}
