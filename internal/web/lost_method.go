package web

import (
	"errors"
	"net/http"

	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
)

// lostMethodRoutes mounts the request to switch two-step sign-in off
// without a working method (SEC-5): from a pending sign-in (under /signin,
// where the pending sign-in's cookie is sent) and from the security page.
func (h *handler) lostMethodRoutes(pages *http.ServeMux) {
	pages.Handle("GET /signin/second-factor/lost", h.page(h.lostMethodForm))
	pages.Handle("POST /signin/second-factor/lost", h.page(h.lostMethod))
	pages.Handle("POST /profile/security/identity-request", h.signedIn(h.lostMethodSignedIn))
}

// lostMethodPage is the data of the page that explains and confirms the
// request, then says it was received.
type lostMethodPage struct {
	Page
	Email    string // the account signing in
	Next     string
	Received *security.IdentityRequest // the request, once received
}

// pendingSignIn returns the secret of the browser's pending sign-in, or ""
// after sending the browser back to the password when it ended.
func (h *handler) pendingSignIn(w http.ResponseWriter, r *http.Request, next string) (string, *lostMethodPage, error) {
	c, err := r.Cookie(challengeCookie)
	if err != nil || c.Value == "" {
		return "", nil, h.challengeExpired(w, r, next)
	}
	u, err := h.Security.ChallengeUser(r.Context(), c.Value)
	if errors.Is(err, security.ErrChallengeInvalid) {
		return "", nil, h.challengeExpired(w, r, next)
	}
	if err != nil {
		return "", nil, err
	}
	return c.Value, &lostMethodPage{Page: Page{TitleKey: "lost_method.title"}, Email: u.Email, Next: next}, nil
}

// lostMethodForm explains what the request does and asks to confirm it.
func (h *handler) lostMethodForm(w http.ResponseWriter, r *http.Request) error {
	token, p, err := h.pendingSignIn(w, r, localPath(r.URL.Query().Get("next")))
	if token == "" {
		return err
	}
	return h.render(w, r, http.StatusOK, "lost_method", p)
}

// lostMethod opens the request (one per user: asking again shows the same
// request) and says what happens next. The pending sign-in stays as it is:
// two-step sign-in stays on until staff decide.
func (h *handler) lostMethod(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.PostFormValue("next"))
	token, p, err := h.pendingSignIn(w, r, next)
	if token == "" {
		return err
	}
	req, err := h.Security.RequestSwitchOff(r.Context(), token, reqctx.Meta(r, ""))
	if errors.Is(err, security.ErrChallengeInvalid) {
		return h.challengeExpired(w, r, next)
	}
	if err != nil {
		return h.refuse(w, r, "lost_method", p, err)
	}
	h.clearChallengeCookie(w)
	p.TitleKey, p.Received = "lost_method.received_title", &req
	return h.render(w, r, http.StatusOK, "lost_method", p)
}

// lostMethodSignedIn opens the same request from the security page, for a
// signed-in user who can no longer produce a code.
func (h *handler) lostMethodSignedIn(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if _, err := h.Security.RequestSwitchOffSignedIn(r.Context(), v.user.ID, reqctx.Meta(r, v.user.ID)); err != nil {
		return h.refuseOnSecurity(w, r, "lost", err)
	}
	return redirect(w, r, "/profile/security?identity_request=1#lost")
}
