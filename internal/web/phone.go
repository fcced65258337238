package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
)

// The phone as an authenticator (SEC-3, SEC-4): a small mobile web page,
// installable (a web manifest and a service worker that keeps the page for
// offline use), that lists the phone's accounts, the sign-ins waiting for
// an answer, and each account's one-time code, computed on the phone so
// that it works offline. The phone is known by the device cookie.

// phoneCookie holds the phone's device token ("alpd_…"), for a year.
const (
	phoneCookie       = "alpage_phone"
	phoneCookieMaxAge = 365 * 24 * 3600
)

// phoneRoutes mounts the phone pages (SEC-3, SEC-4) and the pages that
// link a phone from the console.
func (h *handler) phoneRoutes(pages *http.ServeMux) {
	// The browser waiting at the second step of a sign-in.
	pages.Handle("GET /signin/second-factor/push", h.page(h.checkPush))
	pages.Handle("POST /signin/second-factor/push", h.page(h.checkPush))
	pages.Handle("POST /signin/second-factor/push/again", h.page(h.sendPushAgain))
	// The console: link a phone by QR code, remove one.
	pages.Handle("POST /profile/security/phones", h.signedIn(h.startPairing))
	pages.Handle("GET /profile/security/phones/pairings/{id}", h.signedIn(h.pairingStatus))
	pages.Handle("POST /profile/security/phones/pairings/{id}/check", h.signedIn(h.checkPairing))
	pages.Handle("POST /profile/security/phones/pairings/{id}/confirm", h.signedIn(h.confirmPairing))
	pages.Handle("POST /profile/security/phones/{device}/remove", h.signedIn(h.removePhone))
	// The phone.
	pages.Handle("GET /phone", http.RedirectHandler("/phone/", http.StatusSeeOther))
	pages.Handle("GET /phone/{$}", h.page(h.phoneHome))
	pages.Handle("GET /phone/requests", h.page(h.phoneRequests))
	pages.Handle("POST /phone/requests/{id}", h.page(h.answerRequest))
	pages.Handle("GET /phone/codes.json", h.page(h.phoneCodes))
	pages.Handle("POST /phone/accounts/{user}/remove", h.page(h.phoneDropAccount))
	pages.Handle("GET /phone/pair/{token}", h.page(h.pairOffer))
	pages.Handle("POST /phone/pair/{token}", h.page(h.pairClaim))
	pages.Handle("GET /phone/link", h.page(h.phoneLinkForm))
	pages.Handle("POST /phone/link", h.page(h.phoneLinkPassword))
	pages.Handle("POST /phone/link/code", h.page(h.phoneLinkCode))
	pages.Handle("POST /phone/link/allow", h.page(h.phoneLinkAllow))
	pages.Handle("GET /phone/manifest.webmanifest", http.HandlerFunc(h.phoneManifest))
	pages.Handle("GET /phone/sw.js", http.HandlerFunc(h.phoneServiceWorker))
}

// phoneDevice returns the phone of the device cookie; ok is false without
// one, or when it is not a phone any more (the cookie is then cleared).
func (h *handler) phoneDevice(w http.ResponseWriter, r *http.Request) (security.Device, bool, error) {
	c, err := r.Cookie(phoneCookie)
	if err != nil || c.Value == "" {
		return security.Device{}, false, nil
	}
	d, err := h.Security.Device(r.Context(), c.Value)
	if errors.Is(err, security.ErrDeviceInvalid) {
		h.clearCookie(w, phoneCookie)
		return security.Device{}, false, nil
	}
	if err != nil {
		return security.Device{}, false, err
	}
	return d, true, nil
}

// deviceToken is the device cookie's token, "" without one.
func deviceToken(r *http.Request) string {
	if c, err := r.Cookie(phoneCookie); err == nil {
		return c.Value
	}
	return ""
}

// setPhoneCookie keeps a new phone's device token on the phone.
func (h *handler) setPhoneCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: phoneCookie, Value: token, Path: "/", MaxAge: phoneCookieMaxAge,
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// phonePage is the data of the phone's home page and of its requests part.
type phonePage struct {
	Page
	Device   *security.Device
	Accounts []security.LinkedAccount
	Requests []security.PushRequest
	Now      time.Time // the clock's time, for the seconds left
}

// Seconds is how many seconds are left to answer a request.
func (p *phonePage) Seconds(r security.PushRequest) int {
	return max(0, int(r.ExpiresAt.Sub(p.Now).Seconds()))
}

func (h *handler) newPhonePage(w http.ResponseWriter, r *http.Request) (*phonePage, error) {
	p := &phonePage{Page: Page{TitleKey: "phone.title"}, Now: h.Clock.Now()}
	d, ok, err := h.phoneDevice(w, r)
	if err != nil || !ok {
		return p, err
	}
	p.Device = &d
	if p.Accounts, err = h.Security.LinkedAccounts(r.Context(), d.ID); err != nil {
		return nil, err
	}
	if p.Requests, err = h.Security.PushRequests(r.Context(), d.ID, visitorOf(r).lang); err != nil {
		return nil, err
	}
	return p, nil
}

// phoneHome is the phone's page: its accounts with their one-time codes,
// and the sign-ins waiting for an answer.
func (h *handler) phoneHome(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newPhonePage(w, r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch {
	case q.Has("approved"):
		p.NoticeKey = "phone.approved"
	case q.Has("rejected"):
		p.NoticeKey = "phone.rejected"
	case q.Has("linked"):
		p.NoticeKey = "phone.linked"
	case q.Has("paired"):
		p.NoticeKey = "phone.paired"
	case q.Has("removed"):
		p.NoticeKey = "phone.account_removed"
	}
	return h.render(w, r, http.StatusOK, "phone", p)
}

// phoneRequests is the requests part of the phone's page, polled every 3
// seconds.
func (h *handler) phoneRequests(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newPhonePage(w, r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "phone_requests", p)
}

// answerRequest is YES with a number, or NO ("answer=no"), to a sign-in.
func (h *handler) answerRequest(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := h.phoneDevice(w, r)
	if err != nil {
		return err
	}
	if !ok {
		return redirect(w, r, "/phone/")
	}
	pushID, meta := r.PathValue("id"), reqctx.Meta(r, "")
	if r.PostFormValue("answer") == "no" {
		err = h.Security.RejectPush(r.Context(), d.ID, pushID, meta)
		if err == nil {
			return redirect(w, r, "/phone/?rejected=1")
		}
	} else {
		number, _ := strconv.Atoi(r.PostFormValue("number"))
		err = h.Security.ApprovePush(r.Context(), d.ID, pushID, number, meta)
		if err == nil {
			return redirect(w, r, "/phone/?approved=1")
		}
	}
	if apperr.As(err) == nil {
		return err
	}
	p, perr := h.newPhonePage(w, r)
	if perr != nil {
		return perr
	}
	return h.refuse(w, r, "phone", p, err)
}

// phoneCodeJSON is one account's one-time-code secret, kept by the phone's
// page in its storage for the codes it shows offline.
type phoneCodeJSON struct {
	Account string `json:"account"`
	Secret  string `json:"secret"`
	Period  int    `json:"period"`
	Digits  int    `json:"digits"`
}

// phoneCodes answers the secrets of the phone's accounts (device cookie).
func (h *handler) phoneCodes(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := h.phoneDevice(w, r)
	if err != nil {
		return err
	}
	out := []phoneCodeJSON{}
	if ok {
		codes, err := h.Security.PhoneCodes(r.Context(), d.ID)
		if err != nil {
			return err
		}
		for _, c := range codes {
			out = append(out, phoneCodeJSON{Account: c.Account, Secret: c.Secret, Period: c.Period, Digits: c.Digits})
		}
	}
	body, err := json.Marshal(map[string]any{"linked": ok, "accounts": out})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
	return nil
}

// phoneDropAccount removes an account from this phone.
func (h *handler) phoneDropAccount(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := h.phoneDevice(w, r)
	if err != nil {
		return err
	}
	if !ok {
		return redirect(w, r, "/phone/")
	}
	err = h.Security.DropAccount(r.Context(), d.ID, r.PathValue("user"), reqctx.Meta(r, ""))
	if err != nil {
		p, perr := h.newPhonePage(w, r)
		if perr != nil {
			return perr
		}
		return h.refuse(w, r, "phone", p, err)
	}
	return redirect(w, r, "/phone/?removed=1")
}
