package web

import (
	"errors"
	"github.com/alpage/alpage/internal/authz"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/team"
)

// teamsPage is the data of the teams list with the form that creates one
// (TEAM-1, TEAM-2).
type teamsPage struct {
	Page
	Teams      []team.Team
	Members    []org.Member
	Products   []product.Product
	Name       string
	LeaderID   string
	ProductIDs []string
}

// MemberName is the name of user id among the organization's users.
func (p *teamsPage) MemberName(id string) string { return memberName(p.Members, id) }

// ProductName is the name of product id, "" when the user does not reach it.
func (p *teamsPage) ProductName(id string) string { return productName(p.Products, id) }

func memberName(members []org.Member, id string) string {
	for _, m := range members {
		if m.UserID == id {
			return strings.TrimSpace(m.FirstName + " " + m.LastName)
		}
	}
	return ""
}

func productName(products []product.Product, id string) string {
	for _, pr := range products {
		if pr.ID == id {
			return pr.Name
		}
	}
	return ""
}

func (h *handler) newTeamsPage(r *http.Request) (*teamsPage, error) {
	v := visitorOf(r)
	ctx := r.Context()
	p := &teamsPage{Page: Page{TitleKey: "teams.title", Nav: "users"}}
	var err error
	if p.Teams, err = h.Teams.List(ctx, v.user.ID, v.org.ID); err != nil {
		return nil, err
	}
	if p.Members, err = h.teamPeople(r); err != nil {
		return nil, err
	}
	if p.Products, err = h.Products.ListForUser(ctx, v.user.ID, v.org.ID, product.Filter{}); err != nil {
		return nil, err
	}
	return p, nil
}

// teams lists the organization's work teams.
func (h *handler) teams(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newTeamsPage(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Has("deleted") {
		p.NoticeKey = "teams.deleted"
	}
	return h.render(w, r, http.StatusOK, "teams", p)
}

// createTeam makes a team with a leader and products (TEAM-1, TEAM-2).
func (h *handler) createTeam(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newTeamsPage(r)
	if err != nil {
		return err
	}
	p.Name = strings.TrimSpace(r.PostFormValue("name"))
	p.LeaderID = r.PostFormValue("leader_id")
	p.ProductIDs = formList(r, "product_ids")
	t, err := h.Teams.Create(r.Context(), v.user.ID, v.org.ID, team.Input{Name: &p.Name, LeaderID: &p.LeaderID,
		ProductIDs: &p.ProductIDs}, reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuse(w, r, "teams", p, err)
	}
	return redirect(w, r, "/organization/teams/"+t.ID+"?created=1")
}

// teamPage is the data of one team: rename, leader, products, members
// (TEAM-1..3).
type teamPage struct {
	Page
	Team       team.Team
	Members    []org.Member // every user of the organization, externals included
	Products   []product.Product
	Name       string
	LeaderID   string
	ProductIDs []string
	Selected   []string // users being added
}

// InTeam reports whether user id is in the team.
func (p *teamPage) InTeam(id string) bool { return has(p.Team.MemberIDs, id) }

// TeamMembers are the team's members, by name.
func (p *teamPage) TeamMembers() []org.Member {
	var out []org.Member
	for _, m := range p.Members {
		if p.InTeam(m.UserID) {
			out = append(out, m)
		}
	}
	return out
}

// Candidates are the organization's users not yet in the team (TEAM-3).
func (p *teamPage) Candidates() []org.Member {
	var out []org.Member
	for _, m := range p.Members {
		if !p.InTeam(m.UserID) {
			out = append(out, m)
		}
	}
	return out
}

// MemberName is the name of user id.
func (p *teamPage) MemberName(id string) string { return memberName(p.Members, id) }

// ProductName is the name of product id, "" when the user does not reach it.
func (p *teamPage) ProductName(id string) string { return productName(p.Products, id) }

func (h *handler) newTeamPage(r *http.Request) (*teamPage, error) {
	v := visitorOf(r)
	ctx := r.Context()
	t, err := h.Teams.Get(ctx, v.user.ID, v.org.ID, r.PathValue("team"))
	if err != nil {
		return nil, err
	}
	p := &teamPage{Page: Page{TitleKey: "team.title", Nav: "users"}, Team: t, Name: t.Name, LeaderID: t.LeaderID,
		ProductIDs: t.ProductIDs}
	if p.Members, err = h.teamPeople(r); err != nil {
		return nil, err
	}
	if p.Products, err = h.Products.ListForUser(ctx, v.user.ID, v.org.ID, product.Filter{}); err != nil {
		return nil, err
	}
	return p, nil
}

// showTeam shows a team.
func (h *handler) showTeam(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newTeamPage(r)
	if err != nil {
		return err
	}
	switch q := r.URL.Query(); {
	case q.Has("created"):
		p.NoticeKey = "team.created"
	case q.Has("saved"):
		p.NoticeKey = "team.saved"
	case q.Has("added"):
		p.NoticeKey = "team.added"
	case q.Has("removed"):
		p.NoticeKey = "team.removed"
	}
	return h.render(w, r, http.StatusOK, "team", p)
}

// saveTeam renames the team, sets its leader and its products (TEAM-1,
// TEAM-2): the members' access changes at once.
func (h *handler) saveTeam(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newTeamPage(r)
	if err != nil {
		return err
	}
	p.Name = strings.TrimSpace(r.PostFormValue("name"))
	p.LeaderID = r.PostFormValue("leader_id")
	p.ProductIDs = formList(r, "product_ids")
	in := team.Input{Name: &p.Name, LeaderID: &p.LeaderID, ProductIDs: &p.ProductIDs}
	if _, err := h.Teams.Update(r.Context(), v.user.ID, v.org.ID, p.Team.ID, in, reqctx.Meta(r, v.user.ID)); err != nil {
		return h.refuse(w, r, "team", p, err)
	}
	return redirect(w, r, "/organization/teams/"+p.Team.ID+"?saved=1")
}

// deleteTeam deletes the team; its members lose the access it gave.
func (h *handler) deleteTeam(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := h.Teams.Delete(r.Context(), v.user.ID, v.org.ID, r.PathValue("team"), reqctx.Meta(r, v.user.ID)); err != nil {
		return err
	}
	return redirect(w, r, "/organization/teams?deleted=1")
}

// addTeamMembers adds the checked users in one step (TEAM-3).
func (h *handler) addTeamMembers(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newTeamPage(r)
	if err != nil {
		return err
	}
	ids := formList(r, "user_ids")
	if _, err := h.Teams.AddMembers(r.Context(), v.user.ID, v.org.ID, p.Team.ID, ids, reqctx.Meta(r, v.user.ID)); err != nil {
		p.Selected = ids
		return h.refuse(w, r, "team", p, err)
	}
	return redirect(w, r, "/organization/teams/"+p.Team.ID+"?added=1")
}

// removeTeamMember takes a user out of the team (TEAM-2: their access
// through it ends at once).
func (h *handler) removeTeamMember(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	teamID := r.PathValue("team")
	if _, err := h.Teams.RemoveMember(r.Context(), v.user.ID, v.org.ID, teamID, r.PathValue("user"), reqctx.Meta(r, v.user.ID)); err != nil {
		return err
	}
	return redirect(w, r, "/organization/teams/"+teamID+"?removed=1")
}

// teamPeople lists the people the teams pages name: the organization's
// members, or, for an external user who may not list them (ORG-1), only
// themself — enough to read their own teams (TEAM-3).
func (h *handler) teamPeople(r *http.Request) ([]org.Member, error) {
	v := visitorOf(r)
	members, err := h.Orgs.Members(r.Context(), v.user.ID, v.org.ID, org.MemberFilter{})
	if errors.Is(err, authz.ErrExternalUser) {
		self, err := h.Orgs.Member(r.Context(), v.user.ID, v.org.ID, v.user.ID)
		if err != nil {
			return nil, err
		}
		return []org.Member{self}, nil
	}
	return members, err
}
