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
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/team"
	"github.com/alpage/alpage/internal/token"
)

// Deps are what the console needs.
type Deps struct {
	Accounts *account.Service
	Orgs     *org.Service
	Tokens   *token.Service
	Teams    *team.Service
	Products *product.Service
	Invites  *invite.Service
	Security *security.Service
	Catalog  *catalog.Service // PRD-1
	Billing  *billing.Service // PRD-2, PRD-3, BIL
	Renewal  *renewal.Service // REN, BIL-7, PRD-4
	Clock    clock.Clock
	Logger   *slog.Logger
	// SecureCookies sets the Secure flag on cookies (false on plain-http loopback).
	SecureCookies bool
	// Dev is test mode: a "test mode" badge and a link to the outbox viewer.
	Dev bool
	// BaseURL is the public URL of the console ("https://manager.example"),
	// for links a phone opens from a QR code.
	BaseURL string
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
	if d.Accounts == nil || d.Orgs == nil || d.Tokens == nil || d.Teams == nil || d.Products == nil ||
		d.Invites == nil || d.Security == nil || d.Clock == nil || d.Catalog == nil || d.Billing == nil || d.Renewal == nil {
		return nil, errors.New("web: Accounts, Orgs, Tokens, Teams, Products, Invites, Security, Catalog, Billing, Renewal and Clock are required")
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
	pages.Handle("GET /signin/second-factor", h.page(h.secondFactorForm))
	pages.Handle("POST /signin/second-factor", h.page(h.secondFactor))
	pages.Handle("POST /signout", h.page(h.signOut))
	pages.Handle("GET /signin/forgot", h.page(h.forgotForm))
	pages.Handle("POST /signin/forgot", h.page(h.forgot))
	pages.Handle("POST /signin/forgot/send", h.page(h.forgotSend))
	pages.Handle("POST /signin/forgot/code", h.page(h.forgotCode))
	pages.Handle("GET /signin/forgot/reset", h.page(h.resetForm))
	pages.Handle("POST /signin/forgot/reset", h.page(h.reset))
	pages.Handle("GET /signin/forgot-login", h.page(h.forgotLoginForm))
	pages.Handle("POST /signin/forgot-login", h.page(h.forgotLogin))
	pages.Handle("POST /signin/forgot-login/send", h.page(h.forgotLoginSend))
	pages.Handle("POST /organizations/switch", h.signedIn(h.switchOrganization))
	pages.Handle("GET /organizations/new", h.signedIn(h.newOrganizationForm))
	pages.Handle("POST /organizations", h.signedIn(h.createOrganization))
	pages.Handle("GET /organization", h.inOrganization(h.organizationSettings))
	pages.Handle("POST /organization", h.inOrganization(h.saveLegalDetails))
	pages.Handle("POST /organization/leave", h.inOrganization(h.leaveOrganization))
	pages.Handle("POST /organization/two-step", h.inOrganization(h.saveRequireTwoStep))
	pages.Handle("GET /organization/users", h.inOrganization(h.users))
	pages.Handle("POST /organization/users/remove", h.inOrganization(h.removeUsers))
	pages.Handle("GET /organization/users/invite", h.inOrganization(h.inviteForm))
	pages.Handle("POST /organization/users/invite", h.inOrganization(h.invite))
	pages.Handle("GET /organization/users/{user}", h.inOrganization(h.memberForm))
	pages.Handle("POST /organization/users/{user}", h.inOrganization(h.saveMember))
	pages.Handle("POST /organization/invitations/{invitation}/resend", h.inOrganization(h.resendInvitation))
	pages.Handle("POST /organization/invitations/{invitation}/cancel", h.inOrganization(h.cancelInvitation))
	pages.Handle("GET /organization/teams", h.inOrganization(h.teams))
	pages.Handle("POST /organization/teams", h.inOrganization(h.createTeam))
	pages.Handle("GET /organization/teams/{team}", h.inOrganization(h.showTeam))
	pages.Handle("POST /organization/teams/{team}", h.inOrganization(h.saveTeam))
	pages.Handle("POST /organization/teams/{team}/delete", h.inOrganization(h.deleteTeam))
	pages.Handle("POST /organization/teams/{team}/members", h.inOrganization(h.addTeamMembers))
	pages.Handle("POST /organization/teams/{team}/members/{user}/remove", h.inOrganization(h.removeTeamMember))
	pages.Handle("GET /products", h.inOrganization(h.products))
	pages.Handle("GET /products/{product}", h.inOrganization(h.showProduct))
	pages.Handle("GET /invitations/{token}", h.page(h.invitation))
	pages.Handle("POST /invitations/{token}/signup", h.page(h.invitationSignUp))
	pages.Handle("POST /invitations/{token}/accept", h.signedIn(h.invitationAccept))
	pages.Handle("POST /invitations/{token}/decline", h.page(h.invitationDecline))
	pages.Handle("POST /profile/invitations/{invitation}/accept", h.signedIn(h.acceptInvitation))
	pages.Handle("POST /profile/invitations/{invitation}/decline", h.signedIn(h.declineInvitation))
	pages.Handle("GET /profile", h.signedIn(h.profileForm))
	pages.Handle("POST /profile", h.signedIn(h.saveProfile))
	pages.Handle("GET /profile/tokens", h.signedIn(h.tokens))
	pages.Handle("POST /profile/tokens", h.signedIn(h.createToken))
	pages.Handle("POST /profile/tokens/{id}/delete", h.signedIn(h.deleteToken))
	pages.Handle("GET /profile/security", h.signedIn(h.security))
	pages.Handle("POST /profile/security/email", h.signedIn(h.changeEmail))
	pages.Handle("POST /profile/security/password", h.signedIn(h.changePassword))
	pages.Handle("POST /profile/security/close", h.signedIn(h.closeAccount))
	pages.Handle("POST /profile/security/alerts", h.signedIn(h.saveAlerts))
	pages.Handle("POST /profile/security/totp", h.signedIn(h.startTOTP))
	pages.Handle("POST /profile/security/totp/confirm", h.signedIn(h.confirmTOTP))
	pages.Handle("POST /profile/security/totp/disable", h.signedIn(h.disableTOTP))
	pages.Handle("POST /profile/security/backup-codes", h.signedIn(h.regenerateBackupCodes))
	pages.Handle("POST /profile/sessions/others/signout", h.signedIn(h.signOutOthers))
	pages.Handle("POST /profile/sessions/{id}/signout", h.signedIn(h.signOutSession))
	pages.Handle("GET /profile/activity", h.signedIn(h.activity))
	h.phoneRoutes(pages)
	h.passkeyRoutes(pages)
	h.lostMethodRoutes(pages)
	h.recoveryModeRoutes(pages)
	h.billingRoutes(pages)
	h.lifecycleRoutes(pages)
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
