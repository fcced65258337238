package web

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/reqctx"
)

// signUpPage is the data of the sign-up form and of its "check your inbox"
// answer.
type signUpPage struct {
	Page
	FirstName, LastName, Email, Company, Language string
	MinPassword                                   int
}

// Languages are the choices of the language field.
func (p *signUpPage) Languages() []option { return languageOptions() }

// signUpForm shows the sign-up form, its language preselected from the
// browser (UI-4).
func (h *handler) signUpForm(w http.ResponseWriter, r *http.Request) error {
	p := &signUpPage{Page: Page{TitleKey: "signup.title"}, Language: visitorOf(r).lang, MinPassword: account.MinPasswordLength}
	return h.render(w, r, http.StatusOK, "signup", p)
}

// signUp opens an account and its organization (ACC-2), then asks the person
// to confirm the address.
func (h *handler) signUp(w http.ResponseWriter, r *http.Request) error {
	p := &signUpPage{Page: Page{TitleKey: "signup.title"}, MinPassword: account.MinPasswordLength,
		FirstName: strings.TrimSpace(r.PostFormValue("first_name")),
		LastName:  strings.TrimSpace(r.PostFormValue("last_name")),
		Email:     strings.TrimSpace(r.PostFormValue("email")),
		Company:   strings.TrimSpace(r.PostFormValue("company")),
		Language:  i18n.Normalize(r.PostFormValue("language")),
	}
	if p.Language == "" {
		p.Language = visitorOf(r).lang
	}
	country := browserCountry(r)
	u, err := h.Accounts.SignUp(r.Context(), account.SignUpInput{
		Email: p.Email, Password: r.PostFormValue("password"),
		FirstName: p.FirstName, LastName: p.LastName, OrganizationName: p.Company,
		Language: p.Language, Country: country, TimeZone: defaultTimeZone(country),
	}, reqctx.Meta(r, ""))
	if err != nil {
		return h.refuse(w, r, "signup", p, err)
	}
	// The new account speaks its language from the first page on.
	visitorOf(r).lang = u.Language
	done := &resendPage{Page: Page{TitleKey: "signup.done.title"}, Email: u.Email}
	return h.render(w, r, http.StatusOK, "signup_done", done)
}

// browserCountry guesses the person's country from Accept-Language
// ("fr-CH" → CH), among the countries the profile offers; CH otherwise.
// English regions are ignored: en-US is many browsers' default everywhere.
func browserCountry(r *http.Request) string {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil {
		return "CH"
	}
	for _, t := range tags {
		if reg, conf := t.Region(); conf == language.Exact {
			if c := reg.String(); knownCountry(c) && c != "US" && c != "GB" && c != "IE" {
				return c
			}
		}
	}
	return "CH"
}
