package web

import (
	"net/http"

	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/product"
)

// category is a product category of the catalog (UI-1).
type category struct {
	Key  string // i18n: "category.<key>" and "category.<key>.text"
	Icon string
	Type string // the product type it lists (product.Types)
}

// categories are the catalog's product categories, in menu order.
var categories = []category{
	{"domains", "domains", "domain"},
	{"hosting", "hosting", "web_hosting"},
	{"mail", "mail", "mail"},
	{"storage", "storage", "cloud_storage"},
	{"collab", "collab", "collaboration_suite"},
	{"servers", "servers", "cloud_server"},
	{"ssl", "ssl", "ssl_certificate"},
	{"support", "support", "premium_support"},
}

// categoryOf returns the category listing product type typ.
func categoryOf(typ string) (category, bool) {
	for _, c := range categories {
		if c.Type == typ {
			return c, true
		}
	}
	return category{}, false
}

// homePage is the data of the home page.
type homePage struct {
	Page
	Counts      map[string]int // product type → products the user reaches
	Invitations []invite.Invitation
	// TwoStepRequiredBy names the organizations that require two-step
	// sign-in while the user has it off (SEC-5).
	TwoStepRequiredBy string
}

// Count is the number of products of category c the user reaches.
func (p *homePage) Count(c category) int { return p.Counts[c.Type] }

// home shows the product categories of the selected organization with the
// products the user reaches in each (UI-1, ACC-4), and the invitations
// waiting for an answer (ORG-3).
func (h *handler) home(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p := &homePage{Page: Page{TitleKey: "home.title", Nav: "home"}, Counts: map[string]int{}}
	var err error
	if p.Invitations, err = h.Invites.ListForUser(r.Context(), v.user.ID); err != nil {
		return err
	}
	if p.TwoStepRequiredBy, err = h.twoStepRequiredBy(r, v.user.ID); err != nil {
		return err
	}
	if v.org.ID != "" {
		list, err := h.Products.ListForUser(r.Context(), v.user.ID, v.org.ID, product.Filter{})
		if err != nil {
			return err
		}
		for _, pr := range list {
			p.Counts[pr.Type]++
		}
	}
	switch q := r.URL.Query(); {
	case q.Has("created"):
		p.NoticeKey = "org.created"
	case q.Has("joined"):
		p.NoticeKey = "invitation.joined"
	case q.Has("left"):
		p.NoticeKey = "org.left"
	case q.Has("declined"):
		p.NoticeKey = "invitation.declined"
	}
	return h.render(w, r, http.StatusOK, "home", p)
}
