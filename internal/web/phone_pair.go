package web

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
)

// Linking a phone from the computer (SEC-3): "Add a phone" on the security
// page shows a QR code of /phone/pair/{token}; the phone opens it and
// claims the pairing; the computer's page sees it (htmx every 2 seconds, or
// "Check" without JavaScript) and the person confirms.

// pairingPage is the data of the computer's pairing page and of its status
// part.
type pairingPage struct {
	Page
	Pairing security.Pairing // Token, URL and QR code only when just started or checked
	QRCode  template.URL
	Status  security.PairingStatus
}

// baseURL is the console's public address for the QR code: Deps.BaseURL,
// or the address this request came to when it is not set.
func (h *handler) baseURL(r *http.Request) string {
	if h.BaseURL != "" {
		return strings.TrimRight(h.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || h.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// startPairing shows a new QR code for a phone to scan.
func (h *handler) startPairing(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	pr, err := h.Security.StartPairing(r.Context(), v.user.ID, h.baseURL(r), reqctx.Meta(r, v.user.ID))
	if err != nil {
		return err
	}
	return h.renderPairing(w, r, pr, "phone_pairing")
}

// checkPairing is "Check" without JavaScript: the same page, with the QR
// code again (the form carries the token) and the pairing's state.
func (h *handler) checkPairing(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	pr, err := h.Security.PairingQR(r.Context(), v.user.ID, r.PathValue("id"), r.PostFormValue("token"), h.baseURL(r))
	if err != nil {
		return err
	}
	return h.renderPairing(w, r, pr, "phone_pairing")
}

// pairingStatus is the status part, polled by htmx; opened directly, the
// page without the QR code.
func (h *handler) pairingStatus(w http.ResponseWriter, r *http.Request) error {
	view := "phone_pairing"
	if r.Header.Get("HX-Request") == "true" {
		view = "phone_pair_state"
	}
	return h.renderPairing(w, r, security.Pairing{ID: r.PathValue("id")}, view)
}

func (h *handler) renderPairing(w http.ResponseWriter, r *http.Request, pr security.Pairing, view string) error {
	v := visitorOf(r)
	st, err := h.Security.PairingState(r.Context(), v.user.ID, pr.ID)
	if err != nil {
		return err
	}
	p := &pairingPage{Page: Page{TitleKey: "phone.pairing.title", Nav: "security"}, Pairing: pr, Status: st}
	if pr.QRCodeSVG != "" && st.State != security.PairingConfirmed {
		p.QRCode = svgDataURL(pr.QRCodeSVG)
	}
	return h.render(w, r, http.StatusOK, view, p)
}

// confirmPairing links the phone that claimed the pairing; the first
// method shows the backup codes once.
func (h *handler) confirmPairing(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	codes, err := h.Security.ConfirmPairing(r.Context(), v.user.ID, r.PathValue("id"), reqctx.Meta(r, v.user.ID))
	if err != nil {
		if e := apperr.As(err); e != nil && !errors.Is(err, apperr.NotFound) {
			p := &pairingPage{Page: Page{TitleKey: "phone.pairing.title", Nav: "security"}, Pairing: security.Pairing{ID: r.PathValue("id")}}
			st, serr := h.Security.PairingState(r.Context(), v.user.ID, p.Pairing.ID)
			if serr != nil {
				return serr
			}
			p.Status = st
			return h.refuse(w, r, "phone_pairing", p, err)
		}
		return err
	}
	if codes == nil {
		return redirect(w, r, "/profile/security?phone_linked=1#method-push")
	}
	p := &backupCodesPage{Page: Page{TitleKey: "backup_codes.title", Nav: "security", NoticeKey: "phone.linked_notice"},
		Codes: codes, Enabled: true}
	return h.renderBackupCodes(w, r, p)
}

// removePhone removes a phone from the account's methods, with the
// password (SEC-5).
func (h *handler) removePhone(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	err := h.Security.RemovePhone(r.Context(), v.user.ID, r.PathValue("device"), r.PostFormValue("password"),
		reqctx.Meta(r, v.user.ID))
	if errors.Is(err, apperr.NotFound) {
		return err
	}
	if err != nil {
		return h.refuseOnSecurity(w, r, "phone_remove", err)
	}
	return redirect(w, r, "/profile/security?phone_removed=1#method-push")
}

// pairOfferPage is the data of the phone's page that claims a pairing.
type pairOfferPage struct {
	Page
	Token   string
	Email   string
	Name    string // the phone's name, prefilled from its browser
	Claimed bool   // done: go back to the computer
	Known   bool   // the phone already has a device cookie
}

// pairOffer asks the phone to link itself to the account of the QR code.
func (h *handler) pairOffer(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	p := &pairOfferPage{Page: Page{TitleKey: "phone.pair.title"}, Token: token,
		Name: security.DeviceLabel(r.UserAgent()), Known: deviceToken(r) != ""}
	offer, err := h.Security.PairingOffered(r.Context(), token)
	if err != nil {
		return h.refuse(w, r, "phone_pair", p, err)
	}
	p.Email = offer.Email
	return h.render(w, r, http.StatusOK, "phone_pair", p)
}

// pairClaim claims the pairing for this phone (registering it when it has
// no device cookie yet) and says to go back to the computer.
func (h *handler) pairClaim(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	p := &pairOfferPage{Page: Page{TitleKey: "phone.pair.title"}, Token: token,
		Name: strings.TrimSpace(r.PostFormValue("name")), Known: deviceToken(r) != ""}
	c, err := h.Security.ClaimPairing(r.Context(), token, deviceToken(r), p.Name, reqctx.Meta(r, ""))
	if err != nil {
		if offer, oerr := h.Security.PairingOffered(r.Context(), token); oerr == nil {
			p.Email = offer.Email
		}
		return h.refuse(w, r, "phone_pair", p, err)
	}
	if c.DeviceToken != "" {
		h.setPhoneCookie(w, c.DeviceToken)
	}
	p.Email, p.Claimed = c.Email, true
	return h.render(w, r, http.StatusOK, "phone_pair", p)
}
