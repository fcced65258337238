package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/reqctx"
)

// recoveryPage is the data of the forgotten-password pages (SEC-8); Step
// chooses what the view draws: "email", "choose", "sent", "identity",
// "code", "password" or "invalid".
type recoveryPage struct {
	Page
	Step  string
	Email string
	Token string // the reset's secret: the SMS flow or the link's token
}

func newRecoveryPage(step string) *recoveryPage {
	return &recoveryPage{Page: Page{TitleKey: "recovery.title"}, Step: step}
}

// forgotForm asks for the login e-mail.
func (h *handler) forgotForm(w http.ResponseWriter, r *http.Request) error {
	p := newRecoveryPage("email")
	p.Email = strings.TrimSpace(r.URL.Query().Get("email"))
	return h.render(w, r, http.StatusOK, "recovery", p)
}

// forgot offers the ways to receive a reset. The page is the same for every
// well-formed address: it never tells whether an account exists.
func (h *handler) forgot(w http.ResponseWriter, r *http.Request) error {
	p := newRecoveryPage("choose")
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	if !strings.Contains(p.Email, "@") || len(p.Email) > 254 {
		p.Step = "email"
		p.Fields = map[string]string{"email": p.T("validation.email")}
		return h.render(w, r, http.StatusUnprocessableEntity, "recovery", p)
	}
	return h.render(w, r, http.StatusOK, "recovery", p)
}

// forgotSend sends the chosen reset, or records an identity-verification
// request; the answer does not depend on the account.
func (h *handler) forgotSend(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := newRecoveryPage("choose")
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	meta := reqctx.Meta(r, "")
	switch method := r.PostFormValue("method"); method {
	case "identity":
		if err := h.Accounts.RequestIdentityVerification(ctx, p.Email, account.ReasonPasswordForgotten, meta); err != nil {
			return h.refuse(w, r, "recovery", p, err)
		}
		p.Step = "identity"
	default:
		token, err := h.Accounts.StartPasswordReset(ctx, p.Email, method, meta)
		if err != nil {
			return h.refuse(w, r, "recovery", p, err)
		}
		p.Step, p.Token = "sent", token
		if method == account.ResetBySMS {
			p.Step = "code"
		}
	}
	return h.render(w, r, http.StatusOK, "recovery", p)
}

// forgotCode checks the SMS code, then asks for the new password.
func (h *handler) forgotCode(w http.ResponseWriter, r *http.Request) error {
	p := newRecoveryPage("code")
	p.Token = r.PostFormValue("token")
	err := h.Accounts.VerifyResetCode(r.Context(), p.Token, strings.TrimSpace(r.PostFormValue("code")))
	if errors.Is(err, account.ErrResetInvalid) {
		return h.render(w, r, http.StatusGone, "recovery", newRecoveryPage("invalid"))
	}
	if err != nil {
		return h.refuse(w, r, "recovery", p, err)
	}
	p.Step = "password"
	return h.render(w, r, http.StatusOK, "recovery", p)
}

// resetForm opens a reset link: the new-password form, if the link works.
func (h *handler) resetForm(w http.ResponseWriter, r *http.Request) error {
	p := newRecoveryPage("password")
	p.Token = r.URL.Query().Get("token")
	if err := h.Accounts.CheckPasswordReset(r.Context(), p.Token); errors.Is(err, account.ErrResetInvalid) {
		return h.render(w, r, http.StatusGone, "recovery", newRecoveryPage("invalid"))
	} else if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "recovery", p)
}

// reset sets the new password, then sends the user to sign in with it.
func (h *handler) reset(w http.ResponseWriter, r *http.Request) error {
	p := newRecoveryPage("password")
	p.Token = r.PostFormValue("token")
	err := h.Accounts.ResetPassword(r.Context(), p.Token, r.PostFormValue("password"), reqctx.Meta(r, ""))
	if errors.Is(err, account.ErrResetInvalid) {
		return h.render(w, r, http.StatusGone, "recovery", newRecoveryPage("invalid"))
	}
	if err != nil {
		return h.refuse(w, r, "recovery", p, err)
	}
	return redirect(w, r, "/signin?reset=1")
}
