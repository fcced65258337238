package web

import (
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/reqctx"
)

// profilePage is the data of the profile form.
type profilePage struct {
	Page
	FirstName, LastName, Language, Country, TimeZone, Phone string
	RecoveryEmail                                           string
}

// Languages are the choices of the language field.
func (p *profilePage) Languages() []option { return languageOptions() }

// Countries are the choices of the country field, translated.
func (p *profilePage) Countries() []option { return countryOptions(p.tr, p.Country) }

// TimeZones are the choices of the time-zone field.
func (p *profilePage) TimeZones() []option { return timeZoneOptions(p.TimeZone) }

// SampleDate shows how dates look with the saved settings (UI-5).
func (p *profilePage) SampleDate() string { return p.DateTime(p.User.CreatedAt) }

// SampleMoney shows how amounts look with the saved settings (UI-5).
func (p *profilePage) SampleMoney() string {
	cur := "CHF"
	if p.User.Country != "CH" && p.User.Country != "LI" {
		cur = "EUR"
	}
	return p.Money(money.Amount{Minor: 123450, Currency: cur})
}

// profileForm shows the user's profile (ACC-1, UI-5).
func (h *handler) profileForm(w http.ResponseWriter, r *http.Request) error {
	u := visitorOf(r).user
	p := &profilePage{Page: Page{TitleKey: "profile.title", Nav: "profile"},
		FirstName: u.FirstName, LastName: u.LastName, Language: u.Language, Country: u.Country,
		TimeZone: u.TimeZone, Phone: u.Phone, RecoveryEmail: u.RecoveryEmail}
	if r.URL.Query().Has("saved") {
		p.NoticeKey = "profile.saved"
	}
	return h.render(w, r, http.StatusOK, "profile", p)
}

// saveProfile changes the profile; the next page already speaks the new
// language and shows dates the new way.
func (h *handler) saveProfile(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p := &profilePage{Page: Page{TitleKey: "profile.title", Nav: "profile"},
		FirstName: strings.TrimSpace(r.PostFormValue("first_name")),
		LastName:  strings.TrimSpace(r.PostFormValue("last_name")),
		Language:  r.PostFormValue("language"),
		Country:   r.PostFormValue("country"),
		TimeZone:  r.PostFormValue("time_zone"),
		Phone:     strings.TrimSpace(r.PostFormValue("phone")),

		RecoveryEmail: strings.TrimSpace(r.PostFormValue("recovery_email")),
	}
	// The recovery e-mail (ACC-1) is checked and saved first: a refusal
	// leaves the whole profile unchanged.
	if _, err := h.Accounts.SetRecoveryEmail(r.Context(), v.user.ID, p.RecoveryEmail, reqctx.Meta(r, v.user.ID)); err != nil {
		return h.refuse(w, r, "profile", p, err)
	}
	_, err := h.Accounts.UpdateProfile(r.Context(), v.user.ID, account.ProfileUpdate{
		FirstName: &p.FirstName, LastName: &p.LastName, Language: &p.Language,
		Country: &p.Country, TimeZone: &p.TimeZone, Phone: &p.Phone,
	}, reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuse(w, r, "profile", p, err)
	}
	return redirect(w, r, "/profile?saved=1")
}
