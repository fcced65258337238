package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/throttle"
)

// Linking a phone from the phone itself (SEC-3): e-mail and password, then
// a one-time or backup code when two-step sign-in is already on, then
// "Allow this phone to approve your sign-ins". The pending link's secret
// lives in a cookie of the phone pages for five minutes.

const (
	phoneLinkCookie = "alpage_phone_link"
	phoneLinkPath   = "/phone/link"
)

// phoneLinkPage is the data of the steps of linking from the phone.
type phoneLinkPage struct {
	Page
	Step        string // "password", "code", "allow" or "codes"
	Email       string
	Name        string   // the phone's name, prefilled from its browser
	BackupCodes []string // shown once, when the phone is the first method
}

func (h *handler) setPhoneLinkCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: phoneLinkCookie, Value: token, Path: phoneLinkPath, MaxAge: challengeMaxAge,
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (h *handler) clearPhoneLinkCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: phoneLinkCookie, Value: "", Path: phoneLinkPath, MaxAge: -1,
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func newPhoneLinkPage(step string) *phoneLinkPage {
	return &phoneLinkPage{Page: Page{TitleKey: "phone.link.title"}, Step: step}
}

// phoneLinkForm asks for the e-mail and password on the phone.
func (h *handler) phoneLinkForm(w http.ResponseWriter, r *http.Request) error {
	p := newPhoneLinkPage("password")
	if r.URL.Query().Has("expired") {
		p.WarningKey = "phone.link.expired"
	}
	return h.render(w, r, http.StatusOK, "phone_link", p)
}

// phoneLinkPassword checks the e-mail and password (throttled, with the
// sign-in's generic refusals), then asks for a code or for the permission.
func (h *handler) phoneLinkPassword(w http.ResponseWriter, r *http.Request) error {
	p := newPhoneLinkPage("password")
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	start, err := h.Security.StartPhoneLink(r.Context(), p.Email, r.PostFormValue("password"), reqctx.Meta(r, ""))
	if ref := throttle.AsRefusal(err); ref != nil {
		return h.throttled(w, r, "phone_link", p, ref)
	}
	if err != nil {
		return h.refuse(w, r, "phone_link", p, err)
	}
	h.setPhoneLinkCookie(w, start.Token)
	p.Email = start.Email
	if start.NeedsCode {
		p.Step = "code"
	} else {
		p.Step, p.Name = "allow", security.DeviceLabel(r.UserAgent())
	}
	return h.render(w, r, http.StatusOK, "phone_link", p)
}

// phoneLinkExpired starts again after the pending link ended.
func (h *handler) phoneLinkExpired(w http.ResponseWriter, r *http.Request) error {
	h.clearPhoneLinkCookie(w)
	return redirect(w, r, "/phone/link?expired=1")
}

// phoneLinkCode checks the second step, as the sign-in's does: throttled,
// wrong codes counted.
func (h *handler) phoneLinkCode(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(phoneLinkCookie)
	if err != nil || c.Value == "" {
		return h.phoneLinkExpired(w, r)
	}
	u, _, err := h.Security.PhoneLinkUser(r.Context(), c.Value)
	if errors.Is(err, security.ErrChallengeInvalid) {
		return h.phoneLinkExpired(w, r)
	}
	if err != nil {
		return err
	}
	p := newPhoneLinkPage("code")
	p.Email = u.Email
	meta := reqctx.Meta(r, "")
	if err := h.Accounts.CheckSignInThrottle(r.Context(), u.Email, meta); err != nil {
		if ref := throttle.AsRefusal(err); ref != nil {
			return h.throttled(w, r, "phone_link", p, ref)
		}
		return err
	}
	err = h.Security.PassPhoneLinkCode(r.Context(), c.Value, strings.TrimSpace(r.PostFormValue("code")), meta)
	if errors.Is(err, security.ErrCodeInvalid) || errors.Is(err, security.ErrChallengeInvalid) {
		if ferr := h.Accounts.RecordFailedSecondFactor(r.Context(), u, meta); ferr != nil {
			return ferr
		}
	}
	if errors.Is(err, security.ErrChallengeInvalid) {
		return h.phoneLinkExpired(w, r)
	}
	if err != nil {
		return h.refuse(w, r, "phone_link", p, err)
	}
	p.Step, p.Name = "allow", security.DeviceLabel(r.UserAgent())
	return h.render(w, r, http.StatusOK, "phone_link", p)
}

// phoneLinkAllow links the phone; the first method shows the backup codes
// on the phone, once.
func (h *handler) phoneLinkAllow(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(phoneLinkCookie)
	if err != nil || c.Value == "" {
		return h.phoneLinkExpired(w, r)
	}
	linked, err := h.Security.FinishPhoneLink(r.Context(), c.Value, deviceToken(r), r.PostFormValue("name"), reqctx.Meta(r, ""))
	if errors.Is(err, security.ErrChallengeInvalid) || errors.Is(err, security.ErrCodeRequired) {
		return h.phoneLinkExpired(w, r)
	}
	if err != nil {
		if apperr.As(err) == nil {
			return err
		}
		p := newPhoneLinkPage("allow")
		if u, _, uerr := h.Security.PhoneLinkUser(r.Context(), c.Value); uerr == nil {
			p.Email = u.Email
		}
		p.Name = r.PostFormValue("name")
		return h.refuse(w, r, "phone_link", p, err)
	}
	h.clearPhoneLinkCookie(w)
	if linked.DeviceToken != "" {
		h.setPhoneCookie(w, linked.DeviceToken)
	}
	if linked.BackupCodes == nil {
		return redirect(w, r, "/phone/?linked=1")
	}
	p := newPhoneLinkPage("codes")
	p.Email, p.BackupCodes = linked.User.Email, linked.BackupCodes
	return h.render(w, r, http.StatusOK, "phone_link", p)
}
