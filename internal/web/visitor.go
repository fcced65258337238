package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/org"
)

// Cookie names.
const (
	sessionCookie = "alpage_session"
	langCookie    = "alpage_lang"
)

// visitor is who is asking: a signed-in user with their session and
// organizations, or an anonymous visitor with a language.
type visitor struct {
	token   string // the session cookie's secret, "" when anonymous
	session account.Session
	user    *account.User
	orgs    []org.Organization // filled for signed-in pages
	org     org.Organization   // the selected organization, zero if none
	lang    string
}

type visitorKey struct{}

// visitorOf returns the visitor of r, set by withVisitor.
func visitorOf(r *http.Request) *visitor {
	if v, ok := r.Context().Value(visitorKey{}).(*visitor); ok {
		return v
	}
	return &visitor{lang: i18n.Default}
}

// withVisitor finds the session of the cookie, if any, and the language.
func (h *handler) withVisitor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &visitor{}
		r = r.WithContext(context.WithValue(r.Context(), visitorKey{}, v))
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			sess, u, err := h.Accounts.SessionByToken(r.Context(), c.Value)
			switch {
			case err == nil:
				v.token, v.session, v.user = c.Value, sess, &u
			case errors.Is(err, apperr.NotAuthorized):
				h.clearCookie(w, sessionCookie) // expired or signed out elsewhere
			default:
				v.lang = h.anonymousLanguage(w, r)
				h.fail(w, r, err)
				return
			}
		}
		if v.user != nil && i18n.Supported(v.user.Language) {
			v.lang = v.user.Language
		} else {
			v.lang = h.anonymousLanguage(w, r)
		}
		next.ServeHTTP(w, r)
	})
}

// anonymousLanguage is ?lang= (remembered in a cookie), then the cookie, then
// the browser's Accept-Language (UI-4).
func (h *handler) anonymousLanguage(w http.ResponseWriter, r *http.Request) string {
	if l := i18n.Normalize(r.URL.Query().Get("lang")); l != "" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l := i18n.Normalize(c.Value); l != "" {
			return l
		}
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// page wraps a handler with the one error renderer.
func (h *handler) page(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

// signedIn wraps a handler for signed-in users: anonymous visitors go to the
// sign-in page and come back after; a user in recovery goes to the page
// that sets a new login e-mail (SEC-10); the user's organizations and the
// selected one are loaded for the header's switcher.
func (h *handler) signedIn(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return h.page(func(w http.ResponseWriter, r *http.Request) error {
		v := visitorOf(r)
		if v.user == nil {
			next := "/"
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			target := "/signin"
			if next != "/" {
				target += "?next=" + url.QueryEscape(next)
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return nil
		}
		if sent, err := h.recoveryRedirect(w, r, v); sent || err != nil { // SEC-10
			return err
		}
		if err := h.loadOrganizations(r, v); err != nil {
			return err
		}
		return fn(w, r)
	})
}

// inOrganization wraps a handler for pages of the selected organization: a
// signed-in user who belongs to none is sent home, where they can create one
// or accept an invitation.
//
// A form posted to such a page names the organization it was drawn for
// (template "org_field"); when the session has switched organization since,
// in another window, the change is refused instead of landing in the other
// organization.
func (h *handler) inOrganization(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request) error {
		v := visitorOf(r)
		if v.org.ID == "" {
			return redirect(w, r, "/")
		}
		if r.Method == http.MethodPost && r.FormValue("organization_id") != v.org.ID {
			return ErrOrganizationChanged
		}
		return fn(w, r)
	})
}

// ErrOrganizationChanged refuses a form drawn for another organization than
// the one now selected.
var ErrOrganizationChanged = apperr.Register("organization_changed", http.StatusConflict,
	"You switched to another organization in another window: reload this page and try again.")

// actorOf is the signed-in user as a member of the selected organization,
// for authz decisions; the zero Actor (a stranger) otherwise.
func actorOf(v *visitor) authz.Actor {
	if v.user == nil || v.org.ID == "" {
		return authz.Actor{}
	}
	return authz.Actor{UserID: v.user.ID, Role: authz.Role(v.org.Role), Billing: v.org.Billing}
}

// loadOrganizations fills the user's organizations and the selected one:
// the session's choice, else the first (ACC-4).
func (h *handler) loadOrganizations(r *http.Request, v *visitor) error {
	orgs, err := h.Orgs.ListForUser(r.Context(), v.user.ID)
	if err != nil {
		return err
	}
	v.orgs = orgs
	for _, o := range orgs {
		if o.ID == v.session.OrganizationID {
			v.org = o
		}
	}
	if v.org.ID == "" && len(orgs) > 0 {
		v.org = orgs[0]
	}
	return nil
}

// setSessionCookie stores a session's secret in the browser until the
// session's absolute end. The lifetime goes as Max-Age, counted from the
// server's clock: an absolute Expires would be read against the browser's
// clock, and a browser running late or early (or a server on the test
// clock) would drop the cookie at once.
func (h *handler) setSessionCookie(w http.ResponseWriter, secret string, expires time.Time) {
	maxAge := int(expires.Sub(h.Clock.Now()).Seconds())
	if maxAge <= 0 {
		maxAge = -1
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (h *handler) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// localPath returns next if it is a path on this site, else "/": a sign-in
// link cannot send the user to another site.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	// The decoded path must be plain: no backslash, no empty or dot
	// segments, which http.Redirect would clean into "//host".
	p := u.Path
	if strings.Contains(p, "\\") || strings.Contains(p, "//") {
		return "/"
	}
	if clean := path.Clean(p); clean != p && clean+"/" != p {
		return "/"
	}
	return next
}

// redirect answers a form with 303 See Other, so that reloading the next
// page does not post again.
func redirect(w http.ResponseWriter, r *http.Request, target string) error {
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}
