package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/org"
)

// memberJSON is a person of an organization: a member, or an external user
// (role "external", ORG-1).
type memberJSON struct {
	ID                 string    `json:"id" format:"uuid" doc:"The user's id."`
	Email              string    `json:"email" format:"email"`
	FirstName          string    `json:"first_name"`
	LastName           string    `json:"last_name"`
	Role               string    `json:"role" enum:"legal_representative,administrator,collaborator,external"`
	Billing            bool      `json:"billing" doc:"The billing right (ORG-8)."`
	ContactPreferences []string  `json:"contact_preferences" doc:"Categories of notices received for this organization: billing, technical, legal, security, marketing."`
	ProductIDs         []string  `json:"product_ids" doc:"Products granted directly (teams may grant more)."`
	TeamIDs            []string  `json:"team_ids"`
	JoinedAt           time.Time `json:"joined_at"`
}

func toMemberJSON(m org.Member) memberJSON {
	return memberJSON{ID: m.UserID, Email: m.Email, FirstName: m.FirstName, LastName: m.LastName,
		Role: m.Role, Billing: m.Billing, ContactPreferences: nonNil(m.ContactPreferences),
		ProductIDs: nonNil(m.ProductIDs), TeamIDs: nonNil(m.TeamIDs), JoinedAt: m.JoinedAt.UTC()}
}

type listMembersInput struct {
	OrgPath
	PageParams
	Role   string `query:"filter[role]" enum:"legal_representative,administrator,collaborator,external" doc:"Only people with this role."`
	TeamID string `query:"filter[team_id]" doc:"Only members of this team."`
}

// MemberPath is {org}/users/{user}.
type MemberPath struct {
	OrgPath
	User string `path:"user" doc:"The user's id."`
}

// memberPatch lists the rights to change; absent fields stay.
type memberPatch struct {
	Role               *string   `json:"role,omitempty" enum:"legal_representative,administrator,collaborator,external" doc:"Only a legal representative appoints a legal representative (ORG-2); the person gets an e-mail (ORG-7)."`
	ProductIDs         *[]string `json:"product_ids,omitempty" doc:"The products granted directly, replacing the current grants."`
	Billing            *bool     `json:"billing,omitempty"`
	ContactPreferences *[]string `json:"contact_preferences,omitempty" doc:"Replaces the current preferences; anyone may change their own (ORG-5)."`
}

type patchMemberInput struct {
	MemberPath
	Body memberPatch
}

type removeMembersInput struct {
	OrgPath
	Body struct {
		UserIDs []string `json:"user_ids" minItems:"1" maxItems:"100" doc:"All are removed, or none."`
	}
}

// memberCodes are the refusals of changes to members.
var memberCodes = []*apperr.Error{apperr.NotFound, apperr.Validation, authz.ErrAdministratorRequired,
	authz.ErrLegalRepresentativeRequired, authz.ErrExternalUser, org.ErrLastLegalRepresentative}

func (s *server) declareMembers() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/users", ID: "list-members", Tag: "Members",
		Summary: "List the people of an organization",
		Description: "Members and external users (role `external`), sorted by last then first name, paginated. " +
			"External users cannot list them (403 external_user).",
		Codes: []*apperr.Error{apperr.NotFound, authz.ErrExternalUser},
	}, func(ctx context.Context, in *listMembersInput) (*ListOut[memberJSON], error) {
		ms, err := s.d.Orgs.Members(ctx, caller(ctx).UserID, in.Org, org.MemberFilter{Role: in.Role, TeamID: in.TeamID})
		if err != nil {
			return nil, err
		}
		return Paginate(mapSlice(ms, toMemberJSON), in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/users/{user}", ID: "get-member", Tag: "Members",
		Summary: "Show a person of an organization", Description: "Yourself always; others if you may list the members.",
		Codes: []*apperr.Error{apperr.NotFound, authz.ErrExternalUser},
	}, func(ctx context.Context, in *MemberPath) (*Out[memberJSON], error) {
		m, err := s.d.Orgs.Member(ctx, caller(ctx).UserID, in.Org, in.User)
		if err != nil {
			return nil, err
		}
		return ok(toMemberJSON(m)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPatch, Path: "/organizations/{org}/users/{user}", ID: "update-member", Tag: "Members",
		Summary: "Change a person's rights",
		Description: "Changes the role, directly granted products, billing right and contact preferences sent (ORG-5). " +
			"Demoting the last legal representative is 409 last_legal_representative (ORG-6).",
		Codes: memberCodes,
	}, func(ctx context.Context, in *patchMemberInput) (*Out[memberJSON], error) {
		p := caller(ctx)
		b := in.Body
		m, err := s.d.Orgs.UpdateMember(ctx, p.UserID, in.Org, in.User, org.MemberUpdate{
			Role: b.Role, ProductIDs: b.ProductIDs, Billing: b.Billing, ContactPreferences: b.ContactPreferences,
		}, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toMemberJSON(m)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/organizations/{org}/users/{user}", ID: "remove-member", Tag: "Members",
		Summary:     "Remove a person from an organization",
		Description: "Removes one member or external user (ORG-4); the last legal representative cannot be removed (ORG-6).",
		Status:      http.StatusNoContent, Codes: memberCodes,
	}, func(ctx context.Context, in *MemberPath) (*struct{}, error) {
		p := caller(ctx)
		return nil, s.d.Orgs.RemoveMembers(ctx, p.UserID, in.Org, []string{in.User}, p.Meta)
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/users/remove", ID: "remove-members", Tag: "Members",
		Summary:     "Remove several people at once",
		Description: "Removes every user listed, or none when one of them cannot be removed (ORG-4, ORG-6).",
		Status:      http.StatusNoContent, Codes: memberCodes,
	}, func(ctx context.Context, in *removeMembersInput) (*struct{}, error) {
		p := caller(ctx)
		return nil, s.d.Orgs.RemoveMembers(ctx, p.UserID, in.Org, in.Body.UserIDs, p.Meta)
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/leave", ID: "leave-organization", Tag: "Members",
		Summary:     "Leave an organization",
		Description: "You stop being a member (ORG-4); the last legal representative cannot leave (ORG-6): appoint another first.",
		Status:      http.StatusNoContent, Codes: []*apperr.Error{apperr.NotFound, org.ErrLastLegalRepresentative},
	}, func(ctx context.Context, in *OrgPath) (*struct{}, error) {
		p := caller(ctx)
		return nil, s.d.Orgs.Leave(ctx, p.UserID, in.Org, p.Meta)
	})
}
