package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/reqctx"
)

// recoveryModePath is the only page a session of an account in recovery
// may open (SEC-10): there the user sets a new login e-mail.
const recoveryModePath = "/recovery/email"

// recoveryModeRoutes mounts recovery mode (SEC-10) and the confirmation of
// recovery e-mails.
func (h *handler) recoveryModeRoutes(pages *http.ServeMux) {
	pages.Handle("GET "+recoveryModePath, h.page(h.inRecovery(h.recoveryModeForm)))
	pages.Handle("POST "+recoveryModePath, h.page(h.inRecovery(h.recoveryModeSend)))
	pages.Handle("GET /recovery/email/confirm", h.page(h.recoveryModeConfirm))
	pages.Handle("GET /recovery-email/confirm", h.page(h.confirmRecoveryEmail))
	pages.Handle("POST /profile/recovery-email/resend", h.signedIn(h.resendRecoveryEmail))
}

// recoveryRedirect sends a signed-in session of an account in recovery to
// the page that sets a new login e-mail, whatever page it asked for; it
// reports whether it did. signedIn calls it for every signed-in page.
func (h *handler) recoveryRedirect(w http.ResponseWriter, r *http.Request, v *visitor) (bool, error) {
	in, err := h.Accounts.InRecovery(r.Context(), v.user.ID)
	if err != nil || !in {
		return false, err
	}
	http.Redirect(w, r, recoveryModePath, http.StatusSeeOther)
	return true, nil
}

// inRecovery wraps the recovery pages: for a signed-in user in recovery
// only; others go to sign in, or home.
func (h *handler) inRecovery(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := visitorOf(r)
		if v.user == nil {
			return redirect(w, r, "/signin")
		}
		in, err := h.Accounts.InRecovery(r.Context(), v.user.ID)
		if err != nil {
			return err
		}
		if !in {
			return redirect(w, r, "/")
		}
		return fn(w, r)
	}
}

// recoveryModePage is the data of the page that sets a new login e-mail.
type recoveryModePage struct {
	Page
	OldEmail string // the login that no longer works
	NewEmail string // the form's value
	SentTo   string // the address whose link is awaited
}

func (h *handler) newRecoveryModePage(r *http.Request) (*recoveryModePage, error) {
	v := visitorOf(r)
	st, err := h.Accounts.RecoveryState(r.Context(), v.user.ID)
	if err != nil {
		return nil, err
	}
	return &recoveryModePage{Page: Page{TitleKey: "recovery_mode.title"}, OldEmail: v.user.Email,
		SentTo: st.PendingLoginEmail}, nil
}

// recoveryModeForm asks for a new login e-mail (SEC-10).
func (h *handler) recoveryModeForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newRecoveryModePage(r)
	if err != nil {
		return err
	}
	p.NewEmail = p.SentTo // "send a new link" sends it there again, or to the address typed over it
	return h.render(w, r, http.StatusOK, "recovery_mode", p)
}

// recoveryModeSend sends the confirmation link to the new login e-mail.
func (h *handler) recoveryModeSend(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newRecoveryModePage(r)
	if err != nil {
		return err
	}
	p.NewEmail = strings.TrimSpace(r.PostFormValue("email"))
	if err := h.Accounts.RequestRecoveryLogin(r.Context(), v.user.ID, p.NewEmail, reqctx.Meta(r, v.user.ID)); err != nil {
		return h.refuse(w, r, "recovery_mode", p, err)
	}
	return redirect(w, r, recoveryModePath+"?sent=1")
}

// recoveryModeConfirm opens the link sent to the new login e-mail: the
// account leaves recovery, and the session (if it is this browser's) goes
// on to the console.
func (h *handler) recoveryModeConfirm(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Accounts.ConfirmRecoveryLogin(r.Context(), r.URL.Query().Get("token"), reqctx.Meta(r, ""))
	if errors.Is(err, account.ErrConfirmationInvalid) || errors.Is(err, account.ErrEmailTaken) {
		p := &linkResultPage{Page: Page{TitleKey: "recovery_mode.link_invalid_title"}, Kind: "login", Invalid: true}
		return h.refuse(w, r, "link_result", p, err)
	}
	if err != nil {
		return err
	}
	if v := visitorOf(r); v.user != nil && v.user.ID == u.ID {
		return redirect(w, r, "/")
	}
	p := &linkResultPage{Page: Page{TitleKey: "recovery_mode.done_title"}, Kind: "login", Email: u.Email}
	return h.render(w, r, http.StatusOK, "link_result", p)
}

// linkResultPage is the data of the page a confirmation link of the
// recovery flows opens: Kind "login" (a new login in recovery mode) or
// "recovery_email" (a recovery e-mail).
type linkResultPage struct {
	Page
	Kind    string
	Email   string
	Invalid bool
}

// confirmRecoveryEmail opens the link sent to a new recovery e-mail: from
// now on it may receive what recovers the account (SEC-8..10).
func (h *handler) confirmRecoveryEmail(w http.ResponseWriter, r *http.Request) error {
	u, err := h.Accounts.ConfirmRecoveryEmail(r.Context(), r.URL.Query().Get("token"), reqctx.Meta(r, ""))
	if errors.Is(err, account.ErrConfirmationInvalid) {
		p := &linkResultPage{Page: Page{TitleKey: "recovery_email.invalid_title"}, Kind: "recovery_email", Invalid: true}
		return h.refuse(w, r, "link_result", p, err)
	}
	if err != nil {
		return err
	}
	p := &linkResultPage{Page: Page{TitleKey: "recovery_email.confirmed_title"}, Kind: "recovery_email", Email: u.RecoveryEmail}
	return h.render(w, r, http.StatusOK, "link_result", p)
}

// resendRecoveryEmail sends a new link to the unconfirmed recovery e-mail.
func (h *handler) resendRecoveryEmail(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := h.Accounts.ResendRecoveryEmailConfirmation(r.Context(), v.user.ID, reqctx.Meta(r, v.user.ID)); err != nil {
		p, perr := h.newProfilePage(r)
		if perr != nil {
			return perr
		}
		return h.refuse(w, r, "profile", p, err)
	}
	return redirect(w, r, "/profile?link_sent=1#recovery_email")
}
