package web

import (
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
)

// securityPage is the data of the account security page (ACC-5, SEC-1..7):
// two-step sign-in as a list of methods (phones, one-time codes, passkeys,
// backup codes), each with its state and actions; change the login e-mail,
// change the password, the active sessions, the alert e-mails, close the
// account. The phone and passkey parts are the partials "phone_security"
// and "passkey_security", drawn with this page as their data.
type securityPage struct {
	Page
	TwoStep     security.Status
	Sessions    []account.Session
	Current     string // the id of this browser's session
	NewEmail    string
	Form        string // the form the refusal is about: two_step, backup_codes, disable, lost, email, password, alerts or close
	SentTo      string // the new address a confirmation link was sent to
	MinPassword int
	Alerts      []security.AlertPreference // which security events e-mail the user (SEC-7)
}

// TOTP is the one-time-code method, if it is on.
func (p *securityPage) TOTP() *security.Method { return p.method(security.MethodTOTP) }

// BackupCodes is the backup-code method, if there are codes.
func (p *securityPage) BackupCodes() *security.Method { return p.method(security.MethodBackupCodes) }

// Method is the method of kind, on or off (its state for the list of
// methods).
func (p *securityPage) Method(kind string) security.Method {
	for _, m := range p.TwoStep.Methods {
		if m.Kind == kind {
			return m
		}
	}
	return security.Method{Kind: kind}
}

func (p *securityPage) method(kind string) *security.Method {
	for i, m := range p.TwoStep.Methods {
		if m.Kind == kind && m.Enabled {
			return &p.TwoStep.Methods[i]
		}
	}
	return nil
}

// Methods counts the ways to pass the second step: one-time codes, each
// phone and each passkey (backup codes come with them).
func (p *securityPage) Methods() int {
	n := len(p.TwoStep.Phones) + len(p.TwoStep.Passkeys)
	if p.TOTP() != nil {
		n++
	}
	return n
}

// LastMethodLocked reports that the only method left cannot be removed: an
// organization of the user requires two-step sign-in (SEC-5).
func (p *securityPage) LastMethodLocked() bool {
	return p.Methods() == 1 && len(p.TwoStep.RequiredBy) > 0
}

// RequiredBy names the organizations that require two-step sign-in, for the
// reason next to the disabled "Remove" (ORG-10 style).
func (p *securityPage) RequiredBy() string { return strings.Join(p.TwoStep.RequiredBy, ", ") }

// Others counts the sessions of other browsers.
func (p *securityPage) Others() int {
	n := 0
	for _, s := range p.Sessions {
		if s.ID != p.Current {
			n++
		}
	}
	return n
}

// FormError is the refusal's message when it is about form, else "".
func (p *securityPage) FormError(form string) string {
	if p.Form == form {
		return p.Error
	}
	return ""
}

// In reports whether field of form is at fault.
func (p *securityPage) In(form, field string) bool { return p.Form == form && p.Invalid(field) }

// ErrorOf is the message of field of form, or "".
func (p *securityPage) ErrorOf(form, field string) string {
	if p.Form != form {
		return ""
	}
	return p.FieldError(field)
}

func (h *handler) newSecurityPage(r *http.Request) (*securityPage, error) {
	v := visitorOf(r)
	sessions, err := h.Accounts.Sessions(r.Context(), v.user.ID)
	if err != nil {
		return nil, err
	}
	status, err := h.Security.Status(r.Context(), v.user.ID)
	if err != nil {
		return nil, err
	}
	alerts, err := h.Security.AlertPreferences(r.Context(), v.user.ID)
	if err != nil {
		return nil, err
	}
	return &securityPage{Page: Page{TitleKey: "security.title", Nav: "security"}, TwoStep: status,
		Sessions: sessions, Current: v.session.ID, MinPassword: account.MinPasswordLength, Alerts: alerts}, nil
}

// twoStepRequiredBy names the organizations that require two-step sign-in
// from userID while it is off for them (SEC-5), for the notice of the home
// and security pages; "" when nothing is asked.
func (h *handler) twoStepRequiredBy(r *http.Request, userID string) (string, error) {
	st, err := h.Security.Status(r.Context(), userID)
	if err != nil {
		return "", err
	}
	if st.Enabled {
		return "", nil
	}
	return strings.Join(st.RequiredBy, ", "), nil
}

// saveAlerts saves which security events e-mail the user (SEC-7): every
// event of the form is a checkbox named "alert" whose value is the event.
func (h *handler) saveAlerts(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := r.ParseForm(); err != nil {
		return err
	}
	changes := map[string]bool{}
	for _, ev := range security.AlertEvents {
		changes[ev] = false
	}
	for _, ev := range r.PostForm["alert"] {
		if _, ok := changes[ev]; ok {
			changes[ev] = true
		}
	}
	if _, err := h.Security.SetAlertPreferences(r.Context(), v.user.ID, changes, reqctx.Meta(r, v.user.ID)); err != nil {
		p, perr := h.newSecurityPage(r)
		if perr != nil {
			return perr
		}
		p.Form = "alerts"
		return h.refuse(w, r, "security", p, err)
	}
	return redirect(w, r, "/profile/security?alerts=1#alerts")
}

// security shows the account security page.
func (h *handler) security(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newSecurityPage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch {
	case q.Has("password"):
		p.NoticeKey = "security.password.changed"
	case q.Has("two_step_off"):
		p.NoticeKey = "two_step.disabled"
	case q.Has("signed_out"):
		p.NoticeKey = "security.sessions.signed_out"
	case q.Has("signed_out_others"):
		p.NoticeKey = "security.sessions.signed_out_others"
	case q.Has("alerts"):
		p.NoticeKey = "security.alerts.saved"
	case q.Has("totp_removed"):
		p.NoticeKey = "two_step.totp_removed"
	case q.Has("totp_added"):
		p.NoticeKey = "two_step.totp_added"
	case q.Has("identity_request"):
		p.NoticeKey = "lost_method.received_notice"
	case q.Has("phone_linked"):
		p.NoticeKey = "phone.linked_notice"
	case q.Has("phone_removed"):
		p.NoticeKey = "phone.removed_notice"
	case q.Has("passkey_added"):
		p.NoticeKey = "passkey.added"
	case q.Has("passkey_renamed"):
		p.NoticeKey = "passkey.renamed"
	case q.Has("passkey_removed"):
		p.NoticeKey = "passkey.removed"
	}
	return h.render(w, r, http.StatusOK, "security", p)
}

// changeEmail sends a confirmation link to the new login address; the login
// changes when it is opened (ACC-5).
func (h *handler) changeEmail(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newSecurityPage(r)
	if err != nil {
		return err
	}
	p.NewEmail, p.Form = strings.TrimSpace(r.PostFormValue("new_email")), "email"
	if err := h.Accounts.RequestEmailChange(r.Context(), v.user.ID, r.PostFormValue("password"), p.NewEmail,
		reqctx.Meta(r, v.user.ID)); err != nil {
		return h.refuse(w, r, "security", p, err)
	}
	p.SentTo, p.NewEmail = p.NewEmail, ""
	return h.render(w, r, http.StatusOK, "security", p)
}

// changePassword changes the password; this browser stays signed in, the
// other sessions are signed out (ACC-5).
func (h *handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	err := h.Accounts.ChangePassword(r.Context(), v.user.ID, r.PostFormValue("current_password"),
		r.PostFormValue("new_password"), v.session.ID, reqctx.Meta(r, v.user.ID))
	if err != nil {
		p, perr := h.newSecurityPage(r)
		if perr != nil {
			return perr
		}
		p.Form = "password"
		return h.refuse(w, r, "security", p, err)
	}
	return redirect(w, r, "/profile/security?password=1")
}

// closeAccount deletes the account after checking the password; the last
// legal representative of an organization with products or other members is
// refused (ACC-5, ORG-6).
func (h *handler) closeAccount(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := h.Accounts.Close(r.Context(), v.user.ID, r.PostFormValue("password"), reqctx.Meta(r, v.user.ID)); err != nil {
		p, perr := h.newSecurityPage(r)
		if perr != nil {
			return perr
		}
		p.Form = "close"
		return h.refuse(w, r, "security", p, err)
	}
	h.clearCookie(w, sessionCookie)
	return redirect(w, r, "/signin?closed=1")
}
