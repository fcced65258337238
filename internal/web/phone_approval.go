package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
)

// The browser's side of push approval (SEC-4): the second-step page shows
// the number to tap on the phone and asks every 2 seconds (htmx) whether the
// phone answered; on YES it opens the session by itself, on NO or after two
// minutes it says the sign-in was refused. Without JavaScript, "Continue"
// asks once.

// pushFor returns the push request to show for the pending sign-in of
// token, starting it; nil when the user has no phone. A request that ran
// out unanswered comes back expired: the page shows the refusal.
func (h *handler) pushFor(r *http.Request, token string) (*security.Push, error) {
	p, err := h.Security.PushFor(r.Context(), token, reqctx.Meta(r, ""))
	switch {
	case errors.Is(err, security.ErrNoPhone), errors.Is(err, security.ErrChallengeInvalid):
		return nil, nil
	case errors.Is(err, security.ErrPushRefused): // it ran out unseen: the page says so
		return &security.Push{State: security.PushExpired}, nil
	case err != nil:
		return nil, err
	}
	return &p, nil
}

// pushPath is the address the page polls, keeping where to go after.
func pushPath(next string) string {
	if next == "" || next == "/" {
		return "/signin/second-factor/push"
	}
	return "/signin/second-factor/push?next=" + url.QueryEscape(next)
}

// checkPush answers the page's question (GET from htmx every 2 seconds,
// POST from "Continue"): approved → the session opens and the browser goes
// on (HX-Redirect for htmx); waiting → the waiting part again; refused or
// expired → the refusal, and the pending sign-in is forgotten.
func (h *handler) checkPush(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if r.Method == http.MethodPost {
		next = localPath(r.PostFormValue("next"))
	}
	htmx := r.Header.Get("HX-Request") == "true"
	c, err := r.Cookie(challengeCookie)
	if err != nil || c.Value == "" {
		return h.pushEnded(w, r, next, htmx)
	}
	u, push, err := h.Security.CheckPush(r.Context(), c.Value, reqctx.Meta(r, ""))
	p := &secondFactorPage{Page: Page{TitleKey: "second_factor.title"}, Next: next, Push: &push}
	switch {
	case err == nil:
		h.clearChallengeCookie(w)
		if htmx {
			w = &hxRedirectWriter{ResponseWriter: w}
		}
		return h.openSession(w, r, u, next)
	case errors.Is(err, security.ErrPushPending):
		if htmx {
			return h.render(w, r, http.StatusOK, "second_factor_push", p)
		}
		pending, err := h.Security.ChallengeUser(r.Context(), c.Value)
		if errors.Is(err, security.ErrChallengeInvalid) {
			return h.pushEnded(w, r, next, htmx)
		}
		if err != nil {
			return err
		}
		p.Email, p.PushWaiting = pending.Email, true
		return h.render(w, r, http.StatusOK, "second_factor", p)
	case errors.Is(err, security.ErrPushRefused):
		h.clearChallengeCookie(w)
		if htmx {
			return h.render(w, r, http.StatusOK, "second_factor_push", p)
		}
		return h.render(w, r, http.StatusOK, "second_factor", p)
	case errors.Is(err, security.ErrChallengeInvalid):
		return h.pushEnded(w, r, next, htmx)
	}
	return err
}

// pushEnded handles a pending sign-in that ended otherwise (expired after
// 5 minutes, completed in another tab): back to the password.
func (h *handler) pushEnded(w http.ResponseWriter, r *http.Request, next string, htmx bool) error {
	if !htmx {
		return h.challengeExpired(w, r, next)
	}
	h.clearChallengeCookie(w)
	target := "/signin?expired=1"
	if next != "/" {
		target += "&next=" + url.QueryEscape(next)
	}
	w.Header().Set("HX-Redirect", target)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sendPushAgain replaces the request with a new one, with a new number
// ("Send again"): the old one can no longer be approved.
func (h *handler) sendPushAgain(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.PostFormValue("next"))
	c, err := r.Cookie(challengeCookie)
	if err != nil || c.Value == "" {
		return h.challengeExpired(w, r, next)
	}
	_, err = h.Security.SendPushAgain(r.Context(), c.Value, reqctx.Meta(r, ""))
	if errors.Is(err, security.ErrChallengeInvalid) || errors.Is(err, security.ErrNoPhone) {
		return h.challengeExpired(w, r, next)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, secondFactorPath(next))
}

// hxRedirectWriter turns a redirect into htmx's HX-Redirect: an XHR would
// follow a 303 itself and swap the next page into the waiting part.
type hxRedirectWriter struct {
	http.ResponseWriter
}

// WriteHeader implements http.ResponseWriter.
func (w *hxRedirectWriter) WriteHeader(status int) {
	if status >= 300 && status < 400 {
		hd := w.Header()
		hd.Set("HX-Redirect", hd.Get("Location"))
		hd.Del("Location")
		status = http.StatusNoContent
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter: the redirect's short body is
// dropped with it.
func (w *hxRedirectWriter) Write(b []byte) (int, error) {
	if w.Header().Get("HX-Redirect") != "" {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}
