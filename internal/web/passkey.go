package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/throttle"
)

// Passkeys in the console (WebAuthn). A ceremony has two requests:
//
//   - begin: static/passkey.js POSTs with fetch and gets JSON, the options
//     for navigator.credentials.create or .get and the ceremony's token;
//   - finish: the script puts the token and the browser's answer (JSON) in
//     the hidden fields of the partial's form and submits it as a plain
//     form. The answer is a page, like every form's: a redirect, the form
//     again with a translated refusal, or — when the first passkey switched
//     two-step sign-in on — the backup codes, drawn in answer to that POST
//     so that they are never stored in clear nor reachable by a GET.
//
// The sign-in ceremonies live under /signin, where the pending sign-in's
// cookie is sent.

// maxPasskeyAnswer bounds the browser's answer (a few kilobytes in practice).
const maxPasskeyAnswer = 64 << 10

// passkeyRoutes mounts the WebAuthn ceremonies of the console.
func (h *handler) passkeyRoutes(pages *http.ServeMux) {
	pages.Handle("POST /profile/security/passkeys/begin", h.signedIn(h.beginPasskeyRegistration))
	pages.Handle("POST /profile/security/passkeys/finish", h.signedIn(h.finishPasskeyRegistration))
	pages.Handle("POST /profile/security/passkeys/{id}/rename", h.signedIn(h.renamePasskey))
	pages.Handle("POST /profile/security/passkeys/{id}/remove", h.signedIn(h.removePasskey))
	pages.Handle("POST /signin/passkey/begin", h.page(h.beginPasskeySignIn))
	pages.Handle("POST /signin/passkey/finish", h.page(h.finishPasskeySignIn))
	pages.Handle("POST /signin/second-factor/passkey/begin", h.page(h.beginPasskeyStep))
	pages.Handle("POST /signin/second-factor/passkey/finish", h.page(h.finishPasskeyStep))
}

// ceremonyJSON is the answer of a begin request.
type ceremonyJSON struct {
	Token   string          `json:"token"`
	Options json.RawMessage `json:"options"`
}

// refusalJSON is a begin request's refusal: the translated message, and
// where to go when the page can no longer be used.
type refusalJSON struct {
	Error    string `json:"error"`
	Redirect string `json:"redirect,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// answerCeremony writes a begun ceremony, or its refusal as JSON with the
// message in the visitor's language; any other error goes to the 500 page.
func (h *handler) answerCeremony(w http.ResponseWriter, r *http.Request, c security.Ceremony, err error, redirectTo string) error {
	if err == nil {
		return writeJSON(w, http.StatusOK, ceremonyJSON{Token: c.Token, Options: c.Options})
	}
	e := apperr.As(err)
	if e == nil || e.Status >= 500 {
		return err
	}
	tr := i18n.New(visitorOf(r).lang, h.onMissing)
	msg := e.Message
	if tr.Has(e.Key()) {
		msg = tr.T(e.Key())
	}
	return writeJSON(w, e.Status, refusalJSON{Error: msg, Redirect: redirectTo})
}

// passkeyAnswer is the browser's answer posted by the finish form.
func passkeyAnswer(r *http.Request) []byte {
	a := r.PostFormValue("response")
	if len(a) > maxPasskeyAnswer {
		return nil
	}
	return []byte(a)
}

// beginPasskeyRegistration starts adding a passkey from the security page.
func (h *handler) beginPasskeyRegistration(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Security.BeginPasskeyRegistration(r.Context(), visitorOf(r).user.ID)
	return h.answerCeremony(w, r, c, err, "")
}

// finishPasskeyRegistration adds the passkey. When it is the first method,
// two-step sign-in is now on and the backup codes are shown once, in answer
// to this POST (SEC-2); otherwise the security page says it was added.
func (h *handler) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	_, codes, err := h.Security.FinishPasskeyRegistration(r.Context(), v.user.ID, r.PostFormValue("token"),
		r.PostFormValue("name"), passkeyAnswer(r), reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuseOnSecurity(w, r, "passkey", err)
	}
	if codes == nil {
		return redirect(w, r, "/profile/security?passkey_added=1#method-passkey")
	}
	p := &backupCodesPage{Page: Page{TitleKey: "backup_codes.title", Nav: "security", NoticeKey: "passkey.enabled"},
		Codes: codes, Enabled: true}
	return h.renderBackupCodes(w, r, p)
}

// renamePasskey names one of the user's passkeys.
func (h *handler) renamePasskey(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	pid := r.PathValue("id")
	if _, err := h.Security.RenamePasskey(r.Context(), v.user.ID, pid, r.PostFormValue("name"),
		reqctx.Meta(r, v.user.ID)); err != nil {
		return h.refuseOnSecurity(w, r, "passkey_rename:"+pid, err)
	}
	return redirect(w, r, "/profile/security?passkey_renamed=1#method-passkey")
}

// removePasskey removes one of the user's passkeys after checking the
// password (SEC-5); the last method switches two-step sign-in off.
func (h *handler) removePasskey(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	pid := r.PathValue("id")
	if err := h.Security.RemovePasskey(r.Context(), v.user.ID, pid, r.PostFormValue("password"),
		reqctx.Meta(r, v.user.ID)); err != nil {
		return h.refuseOnSecurity(w, r, "passkey_remove:"+pid, err)
	}
	on, err := h.Security.Required(r.Context(), v.user.ID)
	if err != nil {
		return err
	}
	if !on {
		return redirect(w, r, "/profile/security?two_step_off=1#two-step")
	}
	return redirect(w, r, "/profile/security?passkey_removed=1#method-passkey")
}

// beginPasskeySignIn starts a password-less sign-in.
func (h *handler) beginPasskeySignIn(w http.ResponseWriter, r *http.Request) error {
	c, err := h.Security.BeginPasskeySignIn(r.Context(), reqctx.Meta(r, ""))
	return h.answerCeremony(w, r, c, err, "")
}

// finishPasskeySignIn opens a session with a passkey, which is both factors;
// a refusal is the sign-in form again, with the wrong-password message.
func (h *handler) finishPasskeySignIn(w http.ResponseWriter, r *http.Request) error {
	p := &signInPage{Page: Page{TitleKey: "signin.title"}, Next: localPath(r.PostFormValue("next"))}
	u, err := h.Security.FinishPasskeySignIn(r.Context(), r.PostFormValue("token"), passkeyAnswer(r), reqctx.Meta(r, ""))
	if ref := throttle.AsRefusal(err); ref != nil {
		return h.throttled(w, r, "signin", p, ref)
	}
	if errors.Is(err, account.ErrInvalidCredentials) {
		// The same refusal whatever went wrong (unknown passkey, no user
		// verification…), worded for a passkey rather than a password.
		p.Error = i18n.New(visitorOf(r).lang, h.onMissing).T("passkey.signin_refused")
		return h.render(w, r, http.StatusUnauthorized, "signin", p)
	}
	if err != nil {
		p.NotConfirmed = errors.Is(err, account.ErrEmailNotConfirmed)
		return h.refuse(w, r, "signin", p, err)
	}
	h.clearChallengeCookie(w) // a pending sign-in, if any, is of no use now
	return h.openSession(w, r, u, p.Next)
}

// beginPasskeyStep starts the second step of a pending sign-in with a
// passkey; a pending sign-in that ended sends the page back to the password.
func (h *handler) beginPasskeyStep(w http.ResponseWriter, r *http.Request) error {
	var token string
	if c, err := r.Cookie(challengeCookie); err == nil {
		token = c.Value
	}
	c, err := h.Security.BeginPasskeyStep(r.Context(), token)
	if errors.Is(err, security.ErrChallengeInvalid) {
		h.clearChallengeCookie(w)
		return h.answerCeremony(w, r, c, err, "/signin?expired=1")
	}
	return h.answerCeremony(w, r, c, err, "")
}

// finishPasskeyStep passes the second step with a passkey and opens the
// session, like a code does (second_factor.go): a refused passkey counts
// against the account and the address like a wrong code.
func (h *handler) finishPasskeyStep(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.PostFormValue("next"))
	c, err := r.Cookie(challengeCookie)
	if err != nil || c.Value == "" {
		return h.challengeExpired(w, r, next)
	}
	ctx := r.Context()
	pending, err := h.Security.ChallengeUser(ctx, c.Value)
	if errors.Is(err, security.ErrChallengeInvalid) {
		return h.challengeExpired(w, r, next)
	}
	if err != nil {
		return err
	}
	// The page may be drawn again: with the phone's request, as the code
	// form does.
	p := &secondFactorPage{Page: Page{TitleKey: "second_factor.title"}, Email: pending.Email, Next: next}
	if p.Push, err = h.pushFor(r, c.Value); err != nil {
		return err
	}
	meta := reqctx.Meta(r, "")
	if err := h.Accounts.CheckSignInThrottle(ctx, pending.Email, meta); err != nil {
		if ref := throttle.AsRefusal(err); ref != nil {
			return h.throttled(w, r, "second_factor", p, ref)
		}
		return err
	}
	u, err := h.Security.FinishPasskeyStep(ctx, c.Value, r.PostFormValue("token"), passkeyAnswer(r), meta)
	if errors.Is(err, security.ErrPasskeyRefused) || errors.Is(err, security.ErrChallengeInvalid) {
		if ferr := h.Accounts.RecordFailedSecondFactor(ctx, pending, meta); ferr != nil {
			return ferr
		}
	}
	if errors.Is(err, security.ErrChallengeInvalid) {
		return h.challengeExpired(w, r, next)
	}
	if err != nil {
		return h.refuse(w, r, "second_factor", p, err)
	}
	h.clearChallengeCookie(w)
	return h.openSession(w, r, u, next)
}
