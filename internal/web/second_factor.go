package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/throttle"
)

// challengeCookie holds the secret of a pending sign-in between the password
// and the second step (SEC-1). It lives five minutes, like the challenge.
const (
	challengeCookie = "alpage_signin"
	challengePath   = "/signin"
	challengeMaxAge = 300
)

// secondFactorPage is the data of the second step of sign-in.
type secondFactorPage struct {
	Page
	Email  string // the account signing in
	Next   string
	Backup bool // the field is for a backup code (letters), not an app's digits
	// Push is the request shown on the user's phones (SEC-4); nil when the
	// user has no phone.
	Push *security.Push
	// PushWaiting: "Continue" (without JavaScript) found no answer yet.
	PushWaiting bool
}

// OtherMode links to the same form for the other kind of code.
func (p *secondFactorPage) OtherMode() string {
	q := url.Values{}
	if p.Next != "/" {
		q.Set("next", p.Next)
	}
	if !p.Backup {
		q.Set("backup", "1")
	}
	if len(q) == 0 {
		return "/signin/second-factor"
	}
	return "/signin/second-factor?" + q.Encode()
}

// PushPoll is the address the waiting page asks every 2 seconds.
func (p *secondFactorPage) PushPoll() string { return pushPath(p.Next) }

// PushRefused reports that the phone refused the sign-in, or let it run
// out: the page says so instead of asking for anything.
func (p *secondFactorPage) PushRefused() bool {
	return p.Push != nil && (p.Push.State == security.PushRejected || p.Push.State == security.PushExpired)
}

// setChallengeCookie stores a pending sign-in's secret, sent back only to
// the sign-in pages.
func (h *handler) setChallengeCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: challengeCookie, Value: token, Path: challengePath, MaxAge: challengeMaxAge,
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (h *handler) clearChallengeCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: challengeCookie, Value: "", Path: challengePath, MaxAge: -1,
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// secondFactorPath is the second step's address, keeping where to go after.
func secondFactorPath(next string) string {
	if next == "" || next == "/" {
		return "/signin/second-factor"
	}
	return "/signin/second-factor?next=" + url.QueryEscape(next)
}

// challengeExpired ends a pending sign-in that can no longer complete: back
// to the password, with a message.
func (h *handler) challengeExpired(w http.ResponseWriter, r *http.Request, next string) error {
	h.clearChallengeCookie(w)
	target := "/signin?expired=1"
	if next != "/" {
		target += "&next=" + url.QueryEscape(next)
	}
	return redirect(w, r, target)
}

// secondFactorForm asks for a one-time code or a backup code after a
// correct password.
func (h *handler) secondFactorForm(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	c, err := r.Cookie(challengeCookie)
	if err != nil || c.Value == "" {
		return h.challengeExpired(w, r, next)
	}
	u, err := h.Security.ChallengeUser(r.Context(), c.Value)
	if errors.Is(err, security.ErrChallengeInvalid) {
		return h.challengeExpired(w, r, next)
	}
	if err != nil {
		return err
	}
	p := &secondFactorPage{Page: Page{TitleKey: "second_factor.title"}, Email: u.Email, Next: next,
		Backup: r.URL.Query().Get("backup") == "1"}
	if p.Push, err = h.pushFor(r, c.Value); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "second_factor", p)
}

// secondFactor checks the code; a right one opens the session exactly as a
// sign-in without two-step does, a wrong one asks again, and a challenge
// that ended (expired, used, too many wrong codes) goes back to the
// password.
func (h *handler) secondFactor(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.PostFormValue("next"))
	c, err := r.Cookie(challengeCookie)
	if err != nil || c.Value == "" {
		return h.challengeExpired(w, r, next)
	}
	// Wrong codes count against the account and the address like wrong
	// passwords, and a throttled attempt is refused before the code is
	// looked at.
	pending, err := h.Security.ChallengeUser(r.Context(), c.Value)
	if errors.Is(err, security.ErrChallengeInvalid) {
		return h.challengeExpired(w, r, next)
	}
	if err != nil {
		return err
	}
	meta := reqctx.Meta(r, "")
	if err := h.Accounts.CheckSignInThrottle(r.Context(), pending.Email, meta); err != nil {
		if ref := throttle.AsRefusal(err); ref != nil {
			p := &secondFactorPage{Page: Page{TitleKey: "second_factor.title"}, Email: pending.Email, Next: next,
				Backup: checked(r, "backup")}
			return h.throttled(w, r, "second_factor", p, ref)
		}
		return err
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	u, err := h.Security.CompleteChallenge(r.Context(), c.Value, code, meta)
	if errors.Is(err, security.ErrCodeInvalid) || errors.Is(err, security.ErrChallengeInvalid) {
		if ferr := h.Accounts.RecordFailedSecondFactor(r.Context(), pending, meta); ferr != nil {
			return ferr
		}
	}
	if errors.Is(err, security.ErrChallengeInvalid) {
		return h.challengeExpired(w, r, next)
	}
	if err != nil {
		if apperr.As(err) == nil {
			return err
		}
		p := &secondFactorPage{Page: Page{TitleKey: "second_factor.title"}, Next: next, Backup: checked(r, "backup")}
		if pending, uerr := h.Security.ChallengeUser(r.Context(), c.Value); uerr == nil {
			p.Email = pending.Email
		} else if errors.Is(uerr, security.ErrChallengeInvalid) {
			return h.challengeExpired(w, r, next) // that was the last attempt
		}
		push, perr := h.pushFor(r, c.Value)
		if perr != nil {
			return perr
		}
		p.Push = push
		return h.refuse(w, r, "second_factor", p, err)
	}
	h.clearChallengeCookie(w)
	return h.openSession(w, r, u, next)
}
