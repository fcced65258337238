package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/team"
)

// teamJSON is a work team (TEAM-1..3).
type teamJSON struct {
	ID             string    `json:"id" format:"uuid"`
	OrganizationID string    `json:"organization_id" format:"uuid"`
	Name           string    `json:"name"`
	LeaderID       *string   `json:"leader_id" doc:"The member who is the team's contact person; null when none."`
	MemberIDs      []string  `json:"member_ids" doc:"Users in the team (members or external users)."`
	ProductIDs     []string  `json:"product_ids" doc:"Products every member reaches through the team (TEAM-2)."`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toTeamJSON(t team.Team) teamJSON {
	j := teamJSON{ID: t.ID, OrganizationID: t.OrganizationID, Name: t.Name,
		MemberIDs: nonNil(t.MemberIDs), ProductIDs: nonNil(t.ProductIDs),
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
	if t.LeaderID != "" {
		j.LeaderID = &t.LeaderID
	}
	return j
}

type listTeamsInput struct {
	OrgPath
	PageParams
}

// teamFields are the fields of a team one may set.
type teamFields struct {
	Name       *string   `json:"name,omitempty" minLength:"1" maxLength:"100"`
	LeaderID   *string   `json:"leader_id,omitempty" doc:"A user of the organization, added to the team if not in it; \"\" removes the leader."`
	ProductIDs *[]string `json:"product_ids,omitempty" doc:"The organization's products granted to the team, replacing the current ones."`
}

func (f teamFields) input() team.Input {
	return team.Input{Name: f.Name, LeaderID: f.LeaderID, ProductIDs: f.ProductIDs}
}

type createTeamInput struct {
	OrgPath
	Body struct {
		Name       string   `json:"name" minLength:"1" maxLength:"100"`
		LeaderID   string   `json:"leader_id,omitempty" doc:"A user of the organization, added to the team."`
		ProductIDs []string `json:"product_ids,omitempty" doc:"The organization's products granted to the team."`
	}
}

// TeamPath is {org}/teams/{team}.
type TeamPath struct {
	OrgPath
	Team string `path:"team" doc:"The team's id."`
}

type patchTeamInput struct {
	TeamPath
	Body teamFields
}

type addTeamMembersInput struct {
	TeamPath
	Body struct {
		UserIDs []string `json:"user_ids" minItems:"1" maxItems:"100" doc:"Members or external users of the organization, all added or none."`
	}
}

// TeamMemberPath is {org}/teams/{team}/users/{user}.
type TeamMemberPath struct {
	TeamPath
	User string `path:"user" doc:"The user's id."`
}

func (s *server) declareTeams() {
	view := []*apperr.Error{apperr.NotFound}
	manage := []*apperr.Error{apperr.NotFound, apperr.Validation, authz.ErrAdministratorRequired, authz.ErrExternalUser}
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/teams", ID: "list-teams", Tag: "Teams",
		Summary: "List the teams", Description: "The organization's work teams, paginated; an external user sees only the teams they are in.",
		Codes: view,
	}, func(ctx context.Context, in *listTeamsInput) (*ListOut[teamJSON], error) {
		ts, err := s.d.Teams.List(ctx, caller(ctx).UserID, in.Org)
		if err != nil {
			return nil, err
		}
		return Paginate(mapSlice(ts, toTeamJSON), in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/teams", ID: "create-team", Tag: "Teams",
		Summary: "Create a team", Description: "A work team with an optional leader and products (TEAM-1, TEAM-2); for legal representatives and administrators.",
		Status: http.StatusCreated, Codes: append(append([]*apperr.Error{}, manage...), team.ErrNameTaken),
	}, func(ctx context.Context, in *createTeamInput) (*Out[teamJSON], error) {
		p := caller(ctx)
		b := in.Body
		ti := team.Input{Name: &b.Name}
		if b.LeaderID != "" {
			ti.LeaderID = &b.LeaderID
		}
		if b.ProductIDs != nil {
			ti.ProductIDs = &b.ProductIDs
		}
		t, err := s.d.Teams.Create(ctx, p.UserID, in.Org, ti, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toTeamJSON(t)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/teams/{team}", ID: "get-team", Tag: "Teams",
		Summary: "Show a team", Codes: view,
	}, func(ctx context.Context, in *TeamPath) (*Out[teamJSON], error) {
		t, err := s.d.Teams.Get(ctx, caller(ctx).UserID, in.Org, in.Team)
		if err != nil {
			return nil, err
		}
		return ok(toTeamJSON(t)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPatch, Path: "/organizations/{org}/teams/{team}", ID: "update-team", Tag: "Teams",
		Summary: "Change a team", Description: "Renames it, changes its leader or its products; the members' access follows at once (TEAM-2).",
		Codes: append(append([]*apperr.Error{}, manage...), team.ErrNameTaken),
	}, func(ctx context.Context, in *patchTeamInput) (*Out[teamJSON], error) {
		p := caller(ctx)
		t, err := s.d.Teams.Update(ctx, p.UserID, in.Org, in.Team, in.Body.input(), p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toTeamJSON(t)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/organizations/{org}/teams/{team}", ID: "delete-team", Tag: "Teams",
		Summary: "Delete a team", Description: "Its members lose the products they reached only through it, at once.",
		Status: http.StatusNoContent, Codes: manage,
	}, func(ctx context.Context, in *TeamPath) (*struct{}, error) {
		p := caller(ctx)
		return nil, s.d.Teams.Delete(ctx, p.UserID, in.Org, in.Team, p.Meta)
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/teams/{team}/users", ID: "add-team-members", Tag: "Teams",
		Summary: "Add people to a team", Description: "Adds several members or external users in one step (TEAM-3); answers the team.",
		Codes: manage,
	}, func(ctx context.Context, in *addTeamMembersInput) (*Out[teamJSON], error) {
		p := caller(ctx)
		t, err := s.d.Teams.AddMembers(ctx, p.UserID, in.Org, in.Team, in.Body.UserIDs, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toTeamJSON(t)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/organizations/{org}/teams/{team}/users/{user}", ID: "remove-team-member", Tag: "Teams",
		Summary: "Remove someone from a team", Description: "They lose the products they reached only through the team, at once (TEAM-2).",
		Status: http.StatusNoContent, Codes: manage,
	}, func(ctx context.Context, in *TeamMemberPath) (*struct{}, error) {
		p := caller(ctx)
		_, err := s.d.Teams.RemoveMember(ctx, p.UserID, in.Org, in.Team, in.User, p.Meta)
		return nil, err
	})
}
