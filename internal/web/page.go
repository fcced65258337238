package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/reqctx"
)

// Page is what every page shows around its content: the visitor, the
// organization switcher, the language, the messages. Each view's data
// embeds it (typed page structs, STYLE §6).
type Page struct {
	TitleKey string // i18n key of the <title> and the main heading
	Nav      string // the menu entry to mark as current

	Lang      string
	Title     string
	Path      string // the current request URI, to come back after a form
	User      *account.User
	Orgs      []org.Organization
	Org       org.Organization
	Dev       bool
	RequestID string
	LangLinks []langLink

	NoticeKey  string            // i18n key of a success message
	Notice     string            // its translation
	WarningKey string            // i18n key of a warning (not about a field)
	Warning    string            // its translation
	Error      string            // a refusal, translated
	Fields     map[string]string // input fields at fault → message ("" = only marked)

	tr      *i18n.Translator
	refusal *apperr.Error
	actor   authz.Actor // the user in the selected organization
}

type langLink struct {
	Code, Name, URL string
	Current         bool
}

// languageNames are written in their own language, as a picker should.
var languageNames = map[string]string{"fr": "Français", "en": "English", "de": "Deutsch", "it": "Italiano", "es": "Español"}

// pageData is a view's data: a struct embedding Page.
type pageData interface{ base() *Page }

func (p *Page) base() *Page { return p }

// T translates key into the page's language.
func (p *Page) T(key string, args ...any) string { return p.tr.T(key, args...) }

// Date writes t as a date in the user's country and time zone (UI-5).
func (p *Page) Date(t time.Time) string {
	country, tz := p.region()
	return i18n.FormatDate(t, p.Lang, country, tz)
}

// DateTime writes t as a date and time in the user's country and time zone.
func (p *Page) DateTime(t time.Time) string {
	country, tz := p.region()
	return i18n.FormatDateTime(t, p.Lang, country, tz)
}

// Day writes a calendar date "YYYY-MM-DD" (a product's due date) the way
// the user's country does, without any time-zone shift; "" stays "".
func (p *Page) Day(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	country, _ := p.region()
	return i18n.FormatDate(t, p.Lang, country, "UTC")
}

// Money writes an amount the way the user's country does.
func (p *Page) Money(a money.Amount) string {
	country, _ := p.region()
	return i18n.FormatMoney(a, p.Lang, country)
}

func (p *Page) region() (country, tz string) {
	if p.User == nil {
		return "", "Europe/Zurich"
	}
	return p.User.Country, p.User.TimeZone
}

// Invalid reports whether the input field name is at fault.
func (p *Page) Invalid(name string) bool {
	_, ok := p.Fields[name]
	return ok
}

// FieldError is the message of the input field name, or "".
func (p *Page) FieldError(name string) string { return p.Fields[name] }

// Categories are the product categories of the menu and the home page.
func (p *Page) Categories() []category { return categories }

// RoleName is the translated name of an organization role.
func (p *Page) RoleName(role string) string { return p.T("role." + role) }

// Can reports whether the user may do action in the selected organization
// (authz.Allow decides, ORG-10).
func (p *Page) Can(action string) bool { return authz.Allow(p.actor, authz.Action(action)) == nil }

// Why is the translated reason why the user may not do action in the
// selected organization, or "" when they may (ORG-10: shown next to the
// disabled control).
func (p *Page) Why(action string) string { return p.reason(authz.Allow(p.actor, authz.Action(action))) }

// reason translates a refusal for a disabled control, "" for nil.
func (p *Page) reason(err error) string {
	if err == nil {
		return ""
	}
	if e := apperr.As(err); e != nil {
		if _, ok := i18n.Lookup(i18n.Default, e.Key()); ok {
			return p.T(e.Key())
		}
		return e.Message
	}
	return p.T("error.access_denied")
}

// LegalForms are the choices of an organization's legal form.
func (p *Page) LegalForms() []string { return org.LegalForms }

// ContactCategories are the subjects a member may be contacted about (ORG-3).
func (p *Page) ContactCategories() []string { return org.ContactCategories }

// Roles are the organization roles a member may be given (ORG-1).
func (p *Page) Roles() []string {
	return []string{org.RoleLegalRepresentative, org.RoleAdministrator, org.RoleCollaborator, org.RoleExternal}
}

// fill completes p for request r before rendering.
func (h *handler) fill(p *Page, r *http.Request) {
	v := visitorOf(r)
	p.tr = i18n.New(v.lang, h.onMissing)
	p.Lang = p.tr.Lang()
	p.User, p.Orgs, p.Org = v.user, v.orgs, v.org
	p.actor = actorOf(v)
	p.Dev = h.Dev
	p.Path = r.URL.RequestURI()
	p.RequestID = reqctx.RequestID(r.Context())
	if p.TitleKey != "" {
		p.Title = p.T(p.TitleKey)
	}
	if p.NoticeKey != "" {
		p.Notice = p.T(p.NoticeKey)
	}
	if p.WarningKey != "" {
		p.Warning = p.T(p.WarningKey)
	}
	if p.User == nil {
		p.LangLinks = languageLinks(r, p.Lang)
	}
	if e := p.refusal; e != nil {
		p.explain(e)
	}
}

// explain turns a refusal into the form's messages: a field at fault gets
// its own message, the form a summary.
func (p *Page) explain(e *apperr.Error) {
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	if e.Code == apperr.Validation.Code && e.Attribute != "" {
		key := "validation." + e.Attribute
		if p.tr.Has(key) {
			p.Fields[e.Attribute] = p.T(key)
		} else {
			p.Fields[e.Attribute] = p.T("error.validation_failed")
		}
		p.Error = p.T("form.correct_fields")
		return
	}
	if _, ok := i18n.Lookup(i18n.Default, e.Key()); ok {
		p.Error = p.T(e.Key())
	} else {
		p.T(e.Key()) // reports the missing key
		p.Error = e.Message
	}
	if e.Attribute != "" {
		p.Fields[e.Attribute] = ""
	}
}

// languageLinks are the picker's links: the current address with ?lang=xx.
func languageLinks(r *http.Request, current string) []langLink {
	out := make([]langLink, 0, len(i18n.Languages))
	for _, l := range i18n.Languages {
		q := url.Values{}
		if r.Method == http.MethodGet { // a form's page links to its empty form
			for k, vs := range r.URL.Query() {
				q[k] = vs
			}
		}
		q.Del("token") // a confirmation link works once
		q.Set("lang", l)
		out = append(out, langLink{Code: l, Name: languageNames[l], URL: r.URL.Path + "?" + q.Encode(), Current: l == current})
	}
	return out
}
