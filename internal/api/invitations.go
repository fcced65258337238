package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/org"
)

// invitationJSON is an invitation to join an organization (ORG-3).
type invitationJSON struct {
	ID                 string    `json:"id" format:"uuid"`
	OrganizationID     string    `json:"organization_id" format:"uuid"`
	OrganizationName   string    `json:"organization_name"`
	Email              string    `json:"email" format:"email"`
	Role               string    `json:"role" enum:"legal_representative,administrator,collaborator,external"`
	Billing            bool      `json:"billing"`
	ContactPreferences []string  `json:"contact_preferences"`
	ProductIDs         []string  `json:"product_ids"`
	TeamIDs            []string  `json:"team_ids"`
	InvitedByName      string    `json:"invited_by_name"`
	Status             string    `json:"status" doc:"pending while it can be accepted."`
	ExpiresAt          time.Time `json:"expires_at"`
	SentAt             time.Time `json:"sent_at" doc:"When the last e-mail went out (creation or resend)."`
	CreatedAt          time.Time `json:"created_at"`
}

func toInvitationJSON(i invite.Invitation) invitationJSON {
	return invitationJSON{ID: i.ID, OrganizationID: i.OrganizationID, OrganizationName: i.OrganizationName,
		Email: i.Email, Role: i.Role, Billing: i.Billing, ContactPreferences: nonNil(i.ContactPreferences),
		ProductIDs: nonNil(i.ProductIDs), TeamIDs: nonNil(i.TeamIDs), InvitedByName: i.InvitedByName,
		Status: i.Status, ExpiresAt: i.ExpiresAt.UTC(), SentAt: i.SentAt.UTC(), CreatedAt: i.CreatedAt.UTC()}
}

type listOrgInvitationsInput struct {
	OrgPath
	PageParams
}

type createInvitationInput struct {
	OrgPath
	Body struct {
		Email              string   `json:"email" minLength:"3" maxLength:"254" doc:"The person's e-mail: they join with their account, or sign up from the link."`
		Role               string   `json:"role" enum:"legal_representative,administrator,collaborator,external"`
		ProductIDs         []string `json:"product_ids,omitempty" doc:"Products granted directly."`
		TeamIDs            []string `json:"team_ids,omitempty" doc:"Teams joined on acceptance."`
		Billing            bool     `json:"billing,omitempty" doc:"The billing right (for collaborators)."`
		ContactPreferences []string `json:"contact_preferences,omitempty" doc:"Categories of notices: billing, technical, legal, security, marketing."`
	}
}

// InvitationPath is {org}/invitations/{invitation}.
type InvitationPath struct {
	OrgPath
	Invitation string `path:"invitation" doc:"The invitation's id."`
}

// MyInvitationPath is /invitations/{invitation}.
type MyInvitationPath struct {
	Invitation string `path:"invitation" doc:"The invitation's id."`
}

type listMyInvitationsInput struct {
	PageParams
}

func (s *server) declareInvitations() {
	manage := []*apperr.Error{apperr.NotFound, authz.ErrAdministratorRequired, authz.ErrExternalUser}
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/invitations", ID: "list-invitations", Tag: "Invitations",
		Summary: "List an organization's pending invitations", Description: "Pending, unexpired invitations, paginated; for those who manage members.",
		Codes: manage,
	}, func(ctx context.Context, in *listOrgInvitationsInput) (*ListOut[invitationJSON], error) {
		is, err := s.d.Invites.List(ctx, caller(ctx).UserID, in.Org)
		if err != nil {
			return nil, err
		}
		return Paginate(mapSlice(is, toInvitationJSON), in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/invitations", ID: "create-invitation", Tag: "Invitations",
		Summary: "Invite someone",
		Description: "Sends an invitation e-mail with a link (ORG-3). Someone without an account signs up from it; " +
			"someone with an account accepts it with POST /api/1/invitations/{invitation}/accept. It expires after 14 days.",
		Status: http.StatusCreated,
		Codes: append(append([]*apperr.Error{}, manage...), apperr.Validation, invite.ErrInvitationPending,
			authz.ErrLegalRepresentativeRequired, org.ErrAlreadyMember),
	}, func(ctx context.Context, in *createInvitationInput) (*Out[invitationJSON], error) {
		p := caller(ctx)
		b := in.Body
		i, err := s.d.Invites.Create(ctx, p.UserID, in.Org, invite.Input{Email: b.Email, Role: b.Role, Billing: b.Billing,
			ContactPreferences: b.ContactPreferences, ProductIDs: b.ProductIDs, TeamIDs: b.TeamIDs}, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toInvitationJSON(i)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/organizations/{org}/invitations/{invitation}", ID: "cancel-invitation", Tag: "Invitations",
		Summary: "Cancel an invitation", Description: "Its link stops working at once.",
		Status: http.StatusNoContent, Codes: manage,
	}, func(ctx context.Context, in *InvitationPath) (*struct{}, error) {
		p := caller(ctx)
		return nil, s.d.Invites.Cancel(ctx, p.UserID, in.Org, in.Invitation, p.Meta)
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/invitations/{invitation}/resend", ID: "resend-invitation", Tag: "Invitations",
		Summary: "Send an invitation again", Description: "A new e-mail with a new link and a new expiry; the old link stops working.",
		Codes: manage,
	}, func(ctx context.Context, in *InvitationPath) (*Out[invitationJSON], error) {
		p := caller(ctx)
		i, err := s.d.Invites.Resend(ctx, p.UserID, in.Org, in.Invitation, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toInvitationJSON(i)), nil
	})

	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/invitations", ID: "list-my-invitations", Tag: "Invitations",
		Summary: "List your pending invitations", Description: "Invitations to your login e-mail that you can accept or decline, paginated.",
	}, func(ctx context.Context, in *listMyInvitationsInput) (*ListOut[invitationJSON], error) {
		is, err := s.d.Invites.ListForUser(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		return Paginate(mapSlice(is, toInvitationJSON), in.PageParams), nil
	})
	mine := []*apperr.Error{apperr.NotFound, invite.ErrInvitationInvalid, account.ErrEmailNotConfirmed}
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/invitations/{invitation}/accept", ID: "accept-invitation", Tag: "Invitations",
		Summary: "Accept an invitation",
		Description: "You join the organization with the role and rights of the invitation. An invitation to " +
			"another e-mail is 404 object_not_found.",
		Codes: append(append([]*apperr.Error{}, mine...), org.ErrAlreadyMember),
	}, func(ctx context.Context, in *MyInvitationPath) (*Out[invitationJSON], error) {
		p := caller(ctx)
		i, err := s.d.Invites.Accept(ctx, p.UserID, in.Invitation, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toInvitationJSON(i)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/invitations/{invitation}/decline", ID: "decline-invitation", Tag: "Invitations",
		Summary: "Decline an invitation", Description: "The invitation ends; the organization sees it gone.",
		Status: http.StatusNoContent, Codes: mine,
	}, func(ctx context.Context, in *MyInvitationPath) (*struct{}, error) {
		p := caller(ctx)
		return nil, s.d.Invites.Decline(ctx, p.UserID, in.Invitation, p.Meta)
	})
}
