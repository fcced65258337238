// Package web is alpage's console: server-rendered pages (html/template) with
// htmx for smoother navigation, one hand-made stylesheet, every asset embedded
// in the binary and served under /static/<checksum>/ with long cache headers.
//
// Every page works without JavaScript: forms POST and redirect. Handlers are
// methods `func (h *handler) x(w, r) error`; one error renderer turns a
// refusal (*apperr.Error) into the form again with a translated message, and
// anything else into a 500 page showing the request id.
//
// The console calls the same domain functions as the API (account, org,
// token): a rule lives once. The app wraps this handler with the request id,
// logging, panic recovery and cross-origin protection (CSRF).
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/token"
)

// Deps are what the console needs.
type Deps struct {
	Accounts *account.Service
	Orgs     *org.Service
	Tokens   *token.Service
	Clock    clock.Clock
	Logger   *slog.Logger
	// SecureCookies sets the Secure flag on cookies (false on plain-http loopback).
	SecureCookies bool
	// Dev is test mode: a "test mode" badge and a link to the outbox viewer.
	Dev bool
}

// handler holds the console's dependencies; its methods are the pages.
type handler struct {
	Deps
	assets *assets
	views  map[string]*view
	// onMissing is told about a translation key missing in a language; the
	// server logs it, the tests fail on it.
	onMissing func(lang, key string)
}

// New returns the console's handler, to be mounted at "/".
func New(d Deps) (http.Handler, error) {
	h, err := newHandler(d)
	if err != nil {
		return nil, err
	}
	return h.routes(), nil
}

func newHandler(d Deps) (*handler, error) {
	if d.Accounts == nil || d.Orgs == nil || d.Tokens == nil || d.Clock == nil {
		return nil, errors.New("web: Accounts, Orgs, Tokens and Clock are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{Deps: d}
	h.Logger = d.Logger.With("component", "web")
	var err error
	if h.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if h.views, err = parseViews(h.assets); err != nil {
		return nil, fmt.Errorf("web: parsing templates: %w", err)
	}
	h.onMissing = func(lang, key string) {
		h.Logger.Warn("missing translation", "lang", lang, "key", key)
	}
	return h, nil
}

// routes lists every console route (STYLE §2).
func (h *handler) routes() http.Handler {
	pages := http.NewServeMux()
	pages.Handle("GET /{$}", h.signedIn(h.home))
	pages.Handle("GET /signup", h.page(h.signUpForm))
	pages.Handle("POST /signup", h.page(h.signUp))
	pages.Handle("GET /confirm", h.page(h.confirm))
	pages.Handle("GET /confirm/resend", h.page(h.resendForm))
	pages.Handle("POST /confirm/resend", h.page(h.resend))
	pages.Handle("GET /signin", h.page(h.signInForm))
	pages.Handle("POST /signin", h.page(h.signIn))
	pages.Handle("POST /signout", h.page(h.signOut))
	pages.Handle("POST /organizations/switch", h.signedIn(h.switchOrganization))
	pages.Handle("GET /profile", h.signedIn(h.profileForm))
	pages.Handle("POST /profile", h.signedIn(h.saveProfile))
	pages.Handle("GET /profile/tokens", h.signedIn(h.tokens))
	pages.Handle("POST /profile/tokens", h.signedIn(h.createToken))
	pages.Handle("POST /profile/tokens/{id}/delete", h.signedIn(h.deleteToken))
	pages.Handle("/", h.page(h.notFound))

	mux := http.NewServeMux()
	mux.Handle("GET /static/{sum}/{name}", h.assets)
	mux.Handle("/", securityHeaders(h.withVisitor(pages)))
	return mux
}

// securityHeaders forbids framing and foreign scripts, and keeps pages out
// of shared caches (a token's secret is on one).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
			"img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
