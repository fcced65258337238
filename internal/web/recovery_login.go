package web

import (
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/reqctx"
)

// recoveryLoginPage is the data of the forgotten-login pages (SEC-9); Step
// chooses what the view draws: "phone", "choose" or "sent". Every answer
// depends only on what was typed, never on whether an account matches.
type recoveryLoginPage struct {
	Page
	Step          string
	Phone         string
	RecoveryEmail string
}

func newRecoveryLoginPage(r *http.Request, step string) *recoveryLoginPage {
	return &recoveryLoginPage{Page: Page{TitleKey: "recovery_login.title"}, Step: step,
		Phone:         strings.Join(strings.Fields(r.FormValue("phone")), ""),
		RecoveryEmail: strings.TrimSpace(r.FormValue("recovery_email")),
	}
}

// forgotLoginForm asks for the mobile number and the recovery e-mail.
func (h *handler) forgotLoginForm(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "recovery_login", newRecoveryLoginPage(r, "phone"))
}

// forgotLogin checks the form's shape, then offers the ways to receive the
// login e-mail: the same page for every well-formed input.
func (h *handler) forgotLogin(w http.ResponseWriter, r *http.Request) error {
	p := newRecoveryLoginPage(r, "choose")
	fields := map[string]string{}
	if !wellFormedPhone(p.Phone) {
		fields["phone"] = p.T("validation.phone")
	}
	if p.RecoveryEmail != "" && (!strings.Contains(p.RecoveryEmail, "@") || len(p.RecoveryEmail) > 254) {
		fields["recovery_email"] = p.T("validation.recovery_email")
	}
	if len(fields) > 0 {
		p.Step, p.Fields = "phone", fields
		return h.render(w, r, http.StatusUnprocessableEntity, "recovery_login", p)
	}
	return h.render(w, r, http.StatusOK, "recovery_login", p)
}

// forgotLoginSend sends the login e-mail by the chosen channel, or records
// an identity-verification request; the answer does not depend on the
// account.
func (h *handler) forgotLoginSend(w http.ResponseWriter, r *http.Request) error {
	p := newRecoveryLoginPage(r, "sent")
	err := h.Accounts.SendLoginReminder(r.Context(), p.Phone, p.RecoveryEmail, r.PostFormValue("method"), reqctx.Meta(r, ""))
	if err != nil {
		p.Step = "phone"
		return h.refuse(w, r, "recovery_login", p, err)
	}
	return h.render(w, r, http.StatusOK, "recovery_login", p)
}

// wellFormedPhone tells whether v looks like an international mobile
// number (+ and 7 to 15 digits); the account service checks it again.
func wellFormedPhone(v string) bool {
	if !strings.HasPrefix(v, "+") || len(v) < 8 || len(v) > 16 {
		return false
	}
	for _, c := range v[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
