package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/team"
)

// usersPage is the data of "Users and teams": the members with filters, a
// checkbox per row for removing several at once, a ⋮ menu per row, and the
// pending invitations (ORG-1..5).
type usersPage struct {
	Page
	Members     []org.Member
	Invitations []invite.Invitation
	Teams       []team.Team
	Role        string // filter
	TeamID      string // filter
	Pending     bool   // filter: only the pending invitations
	Selected    []string
	legalReps   int
}

// Self reports whether m is the signed-in user.
func (p *usersPage) Self(m org.Member) bool { return m.UserID == p.actor.UserID }

// TeamName is the name of team id, "" if unknown.
func (p *usersPage) TeamName(id string) string { return teamName(p.Teams, id) }

// RemoveReason is why m cannot be removed by the user, "" when they can
// (ORG-2, ORG-6, ORG-10).
func (p *usersPage) RemoveReason(m org.Member) string {
	if why := p.Why("members.manage"); why != "" {
		return why
	}
	if m.Role == org.RoleLegalRepresentative && p.legalReps <= 1 {
		return p.T("error.last_legal_representative")
	}
	if m.Role == org.RoleLegalRepresentative {
		if why := p.Why("members.appoint_legal_rep"); why != "" {
			return why
		}
	}
	if p.Self(m) {
		return p.T("members.self_leave")
	}
	return ""
}

// EditReason is why the user cannot change m's role, products or billing
// right, "" when they can (ORG-5, ORG-10).
func (p *usersPage) EditReason(m org.Member) string {
	if p.Self(m) {
		return p.T("members.self_reason")
	}
	if why := p.Why("members.manage"); why != "" {
		return why
	}
	if m.Role == org.RoleLegalRepresentative {
		return p.Why("members.appoint_legal_rep")
	}
	return ""
}

// ContactsReason is why the user cannot change m's contact preferences.
func (p *usersPage) ContactsReason(m org.Member) string {
	if p.Self(m) {
		return ""
	}
	return contactsReason(&p.Page, m)
}

// contactsReason is why the user cannot change another member's contact
// preferences: managing members, and for a legal representative, being one.
func contactsReason(p *Page, m org.Member) string {
	if why := p.Why("members.manage"); why != "" {
		return why
	}
	if m.Role == org.RoleLegalRepresentative {
		return p.Why("members.appoint_legal_rep")
	}
	return ""
}

func teamName(teams []team.Team, id string) string {
	for _, t := range teams {
		if t.ID == id {
			return t.Name
		}
	}
	return ""
}

// users lists the organization's users (ORG-1): members and externals,
// filtered by role or team, or the pending invitations only.
func (h *handler) users(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newUsersPage(r)
	if err != nil {
		return err
	}
	switch q := r.URL.Query(); {
	case q.Has("removed"):
		p.NoticeKey = "members.removed"
	case q.Has("invited"):
		p.NoticeKey = "invitation.sent"
	case q.Has("resent"):
		p.NoticeKey = "invitation.resent"
	case q.Has("cancelled"):
		p.NoticeKey = "invitation.cancelled"
	case q.Has("saved"):
		p.NoticeKey = "members.saved"
	}
	return h.render(w, r, http.StatusOK, "users", p)
}

func (h *handler) newUsersPage(r *http.Request) (*usersPage, error) {
	v := visitorOf(r)
	ctx := r.Context()
	q := r.URL.Query()
	p := &usersPage{Page: Page{TitleKey: "members.title", Nav: "users"},
		Role: q.Get("role"), TeamID: q.Get("team"), Pending: q.Get("show") == "invitations"}
	var err error
	if p.Members, err = h.Orgs.Members(ctx, v.user.ID, v.org.ID, org.MemberFilter{Role: p.Role, TeamID: p.TeamID}); err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.Validation.Code {
			p.Role, p.TeamID = "", "" // a filter from an old link: show everyone
			p.Members, err = h.Orgs.Members(ctx, v.user.ID, v.org.ID, org.MemberFilter{})
		}
		if err != nil {
			return nil, err
		}
	}
	reps, err := h.Orgs.Members(ctx, v.user.ID, v.org.ID, org.MemberFilter{Role: org.RoleLegalRepresentative})
	if err != nil {
		return nil, err
	}
	p.legalReps = len(reps)
	if p.Teams, err = h.Teams.List(ctx, v.user.ID, v.org.ID); err != nil {
		return nil, err
	}
	p.fillActor(v)
	if p.Can("members.manage") {
		if p.Invitations, err = h.Invites.List(ctx, v.user.ID, v.org.ID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// removeUsers removes the checked users at once, all or none (ORG-4); the
// last legal representative is refused (ORG-6) and the list drawn again
// with the message and the selection kept.
func (h *handler) removeUsers(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	ids := formList(r, "user_ids")
	if len(ids) == 0 {
		p, err := h.newUsersPage(r)
		if err != nil {
			return err
		}
		return h.refuse(w, r, "users", p, apperr.Validation.With("Select at least one user.").Field("user_ids", ""))
	}
	if err := h.Orgs.RemoveMembers(r.Context(), v.user.ID, v.org.ID, ids, reqctx.Meta(r, v.user.ID)); err != nil {
		p, perr := h.newUsersPage(r)
		if perr != nil {
			return perr
		}
		p.Selected = ids
		return h.refuse(w, r, "users", p, err)
	}
	for _, id := range ids {
		if id == v.user.ID { // removed oneself: this organization is gone from the switcher
			return redirect(w, r, "/?left=1")
		}
	}
	return redirect(w, r, "/organization/users?removed=1")
}

// memberPage is the data of a member's page: role, product access, billing
// right and contact preferences (ORG-5). A user on their own page changes
// only their contact preferences.
type memberPage struct {
	Page
	Member     org.Member
	Products   []product.Product
	Teams      []team.Team
	Role       string
	ProductIDs []string
	Billing    bool
	Contacts   []string
	lastLegal  bool
}

// Self reports whether the page is the user's own.
func (p *memberPage) Self() bool { return p.Member.UserID == p.actor.UserID }

// editable reports whether the user may change the member's role, products
// and billing right (the same decisions as EditReason, untranslated).
func (p *memberPage) editable() bool {
	return !p.Self() && p.Can("members.manage") &&
		(p.Member.Role != org.RoleLegalRepresentative || p.Can("members.appoint_legal_rep"))
}

// EditReason is why the role, products and billing right are disabled, "".
func (p *memberPage) EditReason() string {
	if p.Self() {
		return p.T("members.self_reason")
	}
	if why := p.Why("members.manage"); why != "" {
		return why
	}
	if p.Member.Role == org.RoleLegalRepresentative {
		return p.Why("members.appoint_legal_rep")
	}
	return ""
}

// RoleReason is why the role cannot change, "" when it can: the rights
// above, or the last legal representative (ORG-6).
func (p *memberPage) RoleReason() string {
	if why := p.EditReason(); why != "" {
		return why
	}
	if p.lastLegal {
		return p.T("error.last_legal_representative")
	}
	return ""
}

// RoleOptionReason is why role cannot be given, "" when it can (ORG-2).
func (p *memberPage) RoleOptionReason(role string) string {
	if role == org.RoleLegalRepresentative && p.Member.Role != role {
		return p.Why("members.appoint_legal_rep")
	}
	return ""
}

// ContactsReason is why the contact preferences are disabled, "".
func (p *memberPage) ContactsReason() string {
	if p.Self() {
		return ""
	}
	return contactsReason(&p.Page, p.Member)
}

// TeamName is the name of team id.
func (p *memberPage) TeamName(id string) string { return teamName(p.Teams, id) }

func (h *handler) newMemberPage(r *http.Request) (*memberPage, error) {
	v := visitorOf(r)
	ctx := r.Context()
	m, err := h.Orgs.Member(ctx, v.user.ID, v.org.ID, r.PathValue("user"))
	if err != nil {
		return nil, err
	}
	p := &memberPage{Page: Page{TitleKey: "member.title", Nav: "users"}, Member: m,
		Role: m.Role, ProductIDs: m.ProductIDs, Billing: m.Billing, Contacts: m.ContactPreferences}
	p.fillActor(v)
	if p.Products, err = h.Products.ListForUser(ctx, v.user.ID, v.org.ID, product.Filter{}); err != nil {
		return nil, err
	}
	if p.Can("teams.view") {
		if p.Teams, err = h.Teams.List(ctx, v.user.ID, v.org.ID); err != nil {
			return nil, err
		}
	}
	if m.Role == org.RoleLegalRepresentative {
		reps, err := h.Orgs.Members(ctx, v.user.ID, v.org.ID, org.MemberFilter{Role: org.RoleLegalRepresentative})
		if err != nil && !errors.Is(err, apperr.NotFound) {
			return nil, err
		}
		p.lastLegal = len(reps) == 1
	}
	return p, nil
}

// memberForm shows a member's rights.
func (h *handler) memberForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newMemberPage(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Has("saved") {
		p.NoticeKey = "members.saved"
	}
	return h.render(w, r, http.StatusOK, "member", p)
}

// saveMember changes what the page let the user change: their own contact
// preferences, or another member's role, products, billing right and
// contact preferences (ORG-5). A role change e-mails the person (ORG-7).
func (h *handler) saveMember(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newMemberPage(r)
	if err != nil {
		return err
	}
	contacts := formList(r, "contact_preferences")
	upd := org.MemberUpdate{ContactPreferences: &contacts}
	p.Contacts = contacts
	if p.editable() {
		products := formList(r, "product_ids")
		billing := checked(r, "billing")
		upd.ProductIDs, upd.Billing = &products, &billing
		p.ProductIDs, p.Billing = products, billing
		if role := strings.TrimSpace(r.PostFormValue("role")); role != "" && role != p.Member.Role {
			upd.Role = &role
			p.Role = role
		}
	}
	if _, err := h.Orgs.UpdateMember(r.Context(), v.user.ID, v.org.ID, p.Member.UserID, upd, reqctx.Meta(r, v.user.ID)); err != nil {
		return h.refuse(w, r, "member", p, err)
	}
	return redirect(w, r, "/organization/users/"+p.Member.UserID+"?saved=1")
}

// fillActor sets the page's actor before rendering, for decisions taken in
// the handler with the page's own methods.
func (p *Page) fillActor(v *visitor) { p.actor = actorOf(v) }
