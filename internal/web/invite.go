package web

import (
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/team"
)

// invitePage is the data of the invitation form (ORG-3): e-mail, role,
// products, teams, billing right and contact preferences.
type invitePage struct {
	Page
	Email      string
	Role       string
	Billing    bool
	Contacts   []string
	ProductIDs []string
	TeamIDs    []string
	Products   []product.Product
	Teams      []team.Team
}

// RoleOptionReason is why role cannot be given, "" when it can (ORG-2).
func (p *invitePage) RoleOptionReason(role string) string {
	if role == org.RoleLegalRepresentative {
		return p.Why("members.appoint_legal_rep")
	}
	return ""
}

func (h *handler) newInvitePage(r *http.Request) (*invitePage, error) {
	v := visitorOf(r)
	ctx := r.Context()
	p := &invitePage{Page: Page{TitleKey: "invite.title", Nav: "users"}, Role: org.RoleCollaborator,
		Contacts: []string{"technical", "security"}}
	var err error
	if p.Products, err = h.Products.ListForUser(ctx, v.user.ID, v.org.ID, product.Filter{}); err != nil {
		return nil, err
	}
	if p.Teams, err = h.Teams.List(ctx, v.user.ID, v.org.ID); err != nil {
		return nil, err
	}
	return p, nil
}

// inviteForm shows the invitation form; a user without the right sees it
// disabled with the reason (ORG-10).
func (h *handler) inviteForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newInvitePage(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "invite", p)
}

// invite sends an invitation by e-mail (ORG-3).
func (h *handler) invite(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newInvitePage(r)
	if err != nil {
		return err
	}
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	p.Role = r.PostFormValue("role")
	p.Billing = checked(r, "billing")
	p.Contacts = formList(r, "contact_preferences")
	p.ProductIDs = formList(r, "product_ids")
	p.TeamIDs = formList(r, "team_ids")
	_, err = h.Invites.Create(r.Context(), v.user.ID, v.org.ID, invite.Input{Email: p.Email, Role: p.Role,
		Billing: p.Billing, ContactPreferences: p.Contacts, ProductIDs: p.ProductIDs, TeamIDs: p.TeamIDs},
		reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuse(w, r, "invite", p, err)
	}
	return redirect(w, r, "/organization/users?invited=1")
}

// resendInvitation sends a pending invitation again with a new link and a
// new expiry.
func (h *handler) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if _, err := h.Invites.Resend(r.Context(), v.user.ID, v.org.ID, r.PathValue("invitation"), reqctx.Meta(r, v.user.ID)); err != nil {
		return err
	}
	return redirect(w, r, "/organization/users?show=invitations&resent=1")
}

// cancelInvitation withdraws a pending invitation: its link stops working.
func (h *handler) cancelInvitation(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := h.Invites.Cancel(r.Context(), v.user.ID, v.org.ID, r.PathValue("invitation"), reqctx.Meta(r, v.user.ID)); err != nil {
		return err
	}
	return redirect(w, r, "/organization/users?show=invitations&cancelled=1")
}
