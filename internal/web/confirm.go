package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/reqctx"
)

// resendPage is the data of the pages that offer a new confirmation link.
type resendPage struct {
	Page
	Email string
	Sent  bool
}

// confirmPage is the data of a successful confirmation.
type confirmPage struct {
	Page
	FirstName string
}

// confirm opens a confirmation link: the only GET with an effect.
func (h *handler) confirm(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Accounts.ConfirmEmail(r.Context(), r.URL.Query().Get("token"), reqctx.Meta(r, ""))
	if errors.Is(err, account.ErrConfirmationInvalid) {
		p := &resendPage{Page: Page{TitleKey: "confirm.invalid.title"}}
		return h.render(w, r, http.StatusGone, "confirm_invalid", p)
	}
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "confirm_ok", &confirmPage{Page: Page{TitleKey: "confirm.ok.title"}, FirstName: u.FirstName})
}

// resendForm asks for the address to send a new confirmation link to.
func (h *handler) resendForm(w http.ResponseWriter, r *http.Request) error {
	p := &resendPage{Page: Page{TitleKey: "resend.title"}, Email: strings.TrimSpace(r.URL.Query().Get("email"))}
	return h.render(w, r, http.StatusOK, "resend", p)
}

// resend sends a new confirmation link. The answer is the same whether or
// not an unconfirmed account uses the address.
func (h *handler) resend(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if err := h.Accounts.ResendConfirmation(r.Context(), email, reqctx.Meta(r, "")); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "resend", &resendPage{Page: Page{TitleKey: "resend.sent.title"}, Email: email, Sent: true})
}
