package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/org"
)

// organizationJSON is an organization as seen by the caller.
type organizationJSON struct {
	ID        string    `json:"id" format:"uuid"`
	Name      string    `json:"name"`
	LegalForm string    `json:"legal_form" enum:"individual,company,public_body"`
	Role      string    `json:"role" enum:"legal_representative,administrator,collaborator,external" doc:"Your role in it."`
	CreatedAt time.Time `json:"created_at"`
}

func toOrganizationJSON(o org.Organization) organizationJSON {
	return organizationJSON{ID: o.ID, Name: o.Name, LegalForm: o.LegalForm, Role: o.Role, CreatedAt: o.CreatedAt.UTC()}
}

type listOrganizationsInput struct {
	PageParams
}

type organizationIDInput struct {
	ID string `path:"id" doc:"The organization's id."`
}

func (s *server) declareOrganizations() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations", ID: "list-organizations", Tag: "Organizations",
		Summary: "List your organizations", Description: "The organizations you belong to, with your role in each, paginated.",
	}, func(ctx context.Context, in *listOrganizationsInput) (*ListOut[organizationJSON], error) {
		orgs, err := s.d.Orgs.ListForUser(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		out := make([]organizationJSON, len(orgs))
		for i, o := range orgs {
			out[i] = toOrganizationJSON(o)
		}
		return Paginate(out, in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{id}", ID: "get-organization", Tag: "Organizations",
		Summary: "Show an organization", Description: "One organization you belong to; any other id is 404 object_not_found.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *organizationIDInput) (*Out[organizationJSON], error) {
		if !id.Valid(in.ID) {
			return nil, apperr.NotFound
		}
		o, err := s.d.Orgs.GetForUser(ctx, caller(ctx).UserID, in.ID)
		if err != nil {
			return nil, err
		}
		return ok(toOrganizationJSON(o)), nil
	})
}
