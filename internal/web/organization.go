package web

import (
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/reqctx"
)

// switchOrganization selects the organization every page works in (ACC-4):
// the session remembers it. An organization the user is not a member of is
// "not found". The user comes back to the same section, not to an object of
// the previous organization.
func (h *handler) switchOrganization(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	orgID := r.PostFormValue("organization_id")
	if _, err := h.Orgs.GetForUser(r.Context(), v.user.ID, orgID); err != nil {
		return err
	}
	if err := h.Accounts.SetSessionOrganization(r.Context(), v.session.ID, orgID); err != nil {
		return err
	}
	h.Logger.InfoContext(r.Context(), "organization switched", "request_id", reqctx.RequestID(r.Context()),
		"user_id", v.user.ID, "organization_id", orgID)
	return redirect(w, r, sectionOf(localPath(r.PostFormValue("next"))))
}

// sectionOf drops the object part of a path (/products/{id} → /products):
// an object of one organization does not exist in another.
func sectionOf(path string) string {
	for _, section := range []string{"/organization/users/", "/organization/teams/", "/products/"} {
		if strings.HasPrefix(path, section) {
			return strings.TrimSuffix(section, "/")
		}
	}
	return path
}

// newOrgPage is the data of the "create an organization" form (ACC-4).
type newOrgPage struct {
	Page
	Name, LegalForm string
}

// newOrganizationForm shows the form that creates another organization.
func (h *handler) newOrganizationForm(w http.ResponseWriter, r *http.Request) error {
	p := &newOrgPage{Page: Page{TitleKey: "org.new.title", Nav: "organization"}, LegalForm: "company"}
	return h.render(w, r, http.StatusOK, "org_new", p)
}

// createOrganization creates an organization with the user as its legal
// representative and switches to it (ACC-4).
func (h *handler) createOrganization(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p := &newOrgPage{Page: Page{TitleKey: "org.new.title", Nav: "organization"},
		Name: strings.TrimSpace(r.PostFormValue("name")), LegalForm: r.PostFormValue("legal_form")}
	o, err := h.Orgs.Create(r.Context(), v.user.ID, p.Name, p.LegalForm, reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuse(w, r, "org_new", p, err)
	}
	if err := h.Accounts.SetSessionOrganization(r.Context(), v.session.ID, o.ID); err != nil {
		return err
	}
	return redirect(w, r, "/?created=1")
}

// orgPage is the data of the organization's settings page: its legal
// details (ORG-2), the two-step requirement (SEC-5) and leaving it (ORG-4).
type orgPage struct {
	Page
	Details        org.LegalDetails
	RequireTwoStep bool // the organization requires two-step sign-in (SEC-5)
	LastLegal      bool // the user is its last legal representative (ORG-6)
	LeaveError     string
}

// Countries are the choices of the country field, translated.
func (p *orgPage) Countries() []option { return countryOptions(p.tr, p.Details.Country) }

func (h *handler) newOrgPage(r *http.Request) (*orgPage, error) {
	v := visitorOf(r)
	o := v.org
	p := &orgPage{Page: Page{TitleKey: "org.settings.title", Nav: "organization"}, Details: org.LegalDetails{
		Name: o.Name, LegalForm: o.LegalForm, Street: o.Street, Postcode: o.Postcode, City: o.City,
		Country: o.Country, VATNumber: o.VATNumber}, RequireTwoStep: o.RequireTwoStep}
	last, err := h.lastLegalRepresentative(r, v.user.ID)
	if err != nil {
		return nil, err
	}
	p.LastLegal = last
	return p, nil
}

// lastLegalRepresentative reports whether userID is the only legal
// representative of the selected organization (ORG-6), to show "leave" and
// "remove" disabled with the reason instead of failing after a click.
func (h *handler) lastLegalRepresentative(r *http.Request, userID string) (bool, error) {
	v := visitorOf(r)
	if v.org.Role != org.RoleLegalRepresentative {
		return false, nil
	}
	members, err := h.Orgs.Members(r.Context(), v.user.ID, v.org.ID, org.MemberFilter{Role: org.RoleLegalRepresentative})
	if err != nil {
		return false, err
	}
	return len(members) == 1 && members[0].UserID == userID, nil
}

// organizationSettings shows the legal details, editable by a legal
// representative only; others see them disabled with the reason (ORG-2, ORG-10).
func (h *handler) organizationSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newOrgPage(r)
	if err != nil {
		return err
	}
	switch q := r.URL.Query(); {
	case q.Has("saved"):
		p.NoticeKey = "org.settings.saved"
	case q.Has("two_step_saved"):
		p.NoticeKey = "org.two_step.saved"
	}
	return h.render(w, r, http.StatusOK, "organization", p)
}

// saveLegalDetails changes the legal details (ORG-2).
func (h *handler) saveLegalDetails(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newOrgPage(r)
	if err != nil {
		return err
	}
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	p.Details = org.LegalDetails{Name: f("name"), LegalForm: f("legal_form"), Street: f("street"),
		Postcode: f("postcode"), City: f("city"), Country: f("country"), VATNumber: f("vat_number")}
	if _, err := h.Orgs.UpdateLegalDetails(r.Context(), v.user.ID, v.org.ID, p.Details, reqctx.Meta(r, v.user.ID)); err != nil {
		return h.refuse(w, r, "organization", p, err)
	}
	return redirect(w, r, "/organization?saved=1")
}

// saveRequireTwoStep switches the organization's requirement of two-step
// sign-in from its members (SEC-5); only a legal representative may. The
// form sends require_two_step=on when the box is ticked.
func (h *handler) saveRequireTwoStep(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	on := r.PostFormValue("require_two_step") == "on"
	if _, err := h.Orgs.SetRequireTwoStep(r.Context(), v.user.ID, v.org.ID, on, reqctx.Meta(r, v.user.ID)); err != nil {
		p, perr := h.newOrgPage(r)
		if perr != nil {
			return perr
		}
		return h.refuse(w, r, "organization", p, err)
	}
	return redirect(w, r, "/organization?two_step_saved=1")
}

// leaveOrganization takes the user out of the selected organization (ORG-4);
// the last legal representative is refused (ORG-6). The session moves to
// another organization, if any.
func (h *handler) leaveOrganization(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := h.Orgs.Leave(r.Context(), v.user.ID, v.org.ID, reqctx.Meta(r, v.user.ID)); err != nil {
		p, perr := h.newOrgPage(r)
		if perr != nil {
			return perr
		}
		return h.refuse(w, r, "organization", p, err)
	}
	next := ""
	for _, o := range v.orgs {
		if o.ID != v.org.ID {
			next = o.ID
			break
		}
	}
	if next != "" {
		if err := h.Accounts.SetSessionOrganization(r.Context(), v.session.ID, next); err != nil {
			return err
		}
	}
	return redirect(w, r, "/?left=1")
}
