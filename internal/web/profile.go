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
	// SavedRecoveryEmail is the recovery e-mail on record, and
	// RecoveryEmailConfirmed whether its owner opened the link sent to it:
	// only then is it used to recover the account (SEC-8..10).
	SavedRecoveryEmail     string
	RecoveryEmailConfirmed bool
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

// newProfilePage is the profile form filled with the saved profile.
func (h *handler) newProfilePage(r *http.Request) (*profilePage, error) {
	u := visitorOf(r).user
	st, err := h.Accounts.RecoveryState(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	return &profilePage{Page: Page{TitleKey: "profile.title", Nav: "profile"},
		FirstName: u.FirstName, LastName: u.LastName, Language: u.Language, Country: u.Country,
		TimeZone: u.TimeZone, Phone: u.Phone, RecoveryEmail: st.RecoveryEmail,
		SavedRecoveryEmail: st.RecoveryEmail, RecoveryEmailConfirmed: st.RecoveryEmailConfirmed}, nil
}

// profileForm shows the user's profile (ACC-1, UI-5).
func (h *handler) profileForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newProfilePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch {
	case q.Has("saved") && q.Get("recovery") == "sent":
		p.NoticeKey = "profile.saved_recovery_link"
	case q.Has("saved"):
		p.NoticeKey = "profile.saved"
	case q.Has("link_sent"):
		p.NoticeKey = "profile.recovery_link_sent"
	}
	return h.render(w, r, http.StatusOK, "profile", p)
}

// saveProfile changes the profile in one change (a refusal leaves it all
// as it was); the next page already speaks the new language and shows
// dates the new way. A new recovery e-mail gets a confirmation link.
func (h *handler) saveProfile(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newProfilePage(r)
	if err != nil {
		return err
	}
	p.FirstName = strings.TrimSpace(r.PostFormValue("first_name"))
	p.LastName = strings.TrimSpace(r.PostFormValue("last_name"))
	p.Language = r.PostFormValue("language")
	p.Country = r.PostFormValue("country")
	p.TimeZone = r.PostFormValue("time_zone")
	p.Phone = strings.TrimSpace(r.PostFormValue("phone"))
	p.RecoveryEmail = strings.TrimSpace(r.PostFormValue("recovery_email"))
	u, err := h.Accounts.UpdateProfile(r.Context(), v.user.ID, account.ProfileUpdate{
		FirstName: &p.FirstName, LastName: &p.LastName, Language: &p.Language,
		Country: &p.Country, TimeZone: &p.TimeZone, Phone: &p.Phone, RecoveryEmail: &p.RecoveryEmail,
	}, reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuse(w, r, "profile", p, err)
	}
	if u.RecoveryEmail != "" && u.RecoveryEmail != p.SavedRecoveryEmail {
		return redirect(w, r, "/profile?saved=1&recovery=sent")
	}
	return redirect(w, r, "/profile?saved=1")
}
