package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/throttle"
)

// signInPage is the data of the sign-in form.
type signInPage struct {
	Page
	Email        string
	Next         string
	NotConfirmed bool // show the form that sends a new confirmation link
}

// signInForm shows the sign-in form (ACC-3).
func (h *handler) signInForm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := &signInPage{Page: Page{TitleKey: "signin.title"}, Next: localPath(q.Get("next"))}
	switch {
	case q.Has("signed_out"):
		p.NoticeKey = "signin.signed_out"
	case q.Has("closed"):
		p.NoticeKey = "signin.closed"
	case q.Has("expired"):
		p.WarningKey = "signin.challenge_expired"
	case q.Has("reset"):
		p.NoticeKey = "signin.reset_done"
	}
	return h.render(w, r, http.StatusOK, "signin", p)
}

// signIn checks the e-mail and password, then either asks for the second
// step (two-step sign-in on) or opens a new session.
func (h *handler) signIn(w http.ResponseWriter, r *http.Request) error {
	p := &signInPage{Page: Page{TitleKey: "signin.title"},
		Email: strings.TrimSpace(r.PostFormValue("email")), Next: localPath(r.PostFormValue("next"))}
	ctx := r.Context()
	u, err := h.Accounts.Authenticate(ctx, p.Email, r.PostFormValue("password"), reqctx.Meta(r, ""))
	if ref := throttle.AsRefusal(err); ref != nil {
		return h.throttled(w, r, "signin", p, ref)
	}
	if err != nil {
		p.NotConfirmed = errors.Is(err, account.ErrEmailNotConfirmed)
		return h.refuse(w, r, "signin", p, err)
	}
	// Two-step sign-in (SEC-1): the password was right, a second method must
	// follow before any session exists.
	required, err := h.Security.Required(ctx, u.ID)
	if err != nil {
		return err
	}
	if required {
		token, err := h.Security.StartChallenge(ctx, u.ID, reqctx.Meta(r, u.ID))
		if err != nil {
			return err
		}
		h.setChallengeCookie(w, token)
		return redirect(w, r, secondFactorPath(p.Next))
	}
	return h.openSession(w, r, u, p.Next)
}

// throttled draws a sign-in form again after a throttled attempt: 429 with
// Retry-After, and one generic message with the wait in minutes, whether the
// account exists or not.
func (h *handler) throttled(w http.ResponseWriter, r *http.Request, name string, data pageData, ref *throttle.Refusal) error {
	w.Header().Set("Retry-After", strconv.Itoa(ref.Seconds()))
	data.base().Error = i18n.New(visitorOf(r).lang, h.onMissing).T("signin.too_many_attempts", ref.Minutes())
	return h.render(w, r, http.StatusTooManyRequests, name, data)
}

// openSession signs u in on this browser and goes to next: the session token
// is renewed at every sign-in, and the previous one deleted. Both the
// password step and the second step end here.
func (h *handler) openSession(w http.ResponseWriter, r *http.Request, u account.User, next string) error {
	ctx := r.Context()
	if err := h.Accounts.SignInCompleted(ctx, u); err != nil { // clears the failed attempts
		return err
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := h.Accounts.DeleteSession(ctx, c.Value); err != nil {
			h.Logger.WarnContext(ctx, "deleting the previous session failed", "error", err)
		}
	}
	secret, sess, err := h.Accounts.CreateSession(ctx, u.ID, reqctx.Meta(r, u.ID))
	if err != nil {
		return err
	}
	// SEC-6: a sign-in from a new device or network is e-mailed; a failure
	// to tell must not stop the sign-in.
	if _, err := h.Security.AlertIfNew(ctx, u.ID, reqctx.Meta(r, u.ID)); err != nil {
		h.Logger.WarnContext(ctx, "new sign-in alert failed", "error", err)
	}
	// The session starts in the first organization and stays there until the
	// user switches (ACC-4), even if another organization is added meanwhile.
	orgs, err := h.Orgs.ListForUser(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(orgs) > 0 {
		if err := h.Accounts.SetSessionOrganization(ctx, sess.ID, orgs[0].ID); err != nil {
			return err
		}
	}
	h.setSessionCookie(w, secret, sess.ExpiresAt)
	return redirect(w, r, next)
}

// signOut deletes the session and its cookie.
func (h *handler) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := h.Accounts.DeleteSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	h.clearCookie(w, sessionCookie)
	return redirect(w, r, "/signin?signed_out=1")
}
