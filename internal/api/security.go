package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/security"
)

// The two-step sign-in routes of the profile (SEC-1, SEC-2, SEC-5): link an
// authenticator app, confirm it with a first code, regenerate the backup
// codes, switch one-time codes off, and show the state of the methods.

// totpSetupJSON is a new, unconfirmed one-time-code secret.
type totpSetupJSON struct {
	Secret     string `json:"secret" doc:"The base32 secret, to type into the authenticator app."`
	OTPAuthURL string `json:"otpauth_url" doc:"The otpauth:// URI, to show as a QR code for the app to scan."`
}

// backupCodesJSON holds backup codes, shown this once.
type backupCodesJSON struct {
	BackupCodes []string `json:"backup_codes" doc:"10 single-use backup codes (\"xxxxx-xxxxx\"), shown this once: keep them somewhere safe."`
}

// methodJSON is one two-step method and its state.
type methodJSON struct {
	Kind      string         `json:"kind" enum:"push,totp,passkey,backup_codes" doc:"push: phones linked for push approval; totp: one-time codes from an authenticator app; passkey: WebAuthn passkeys; backup_codes: single-use backup codes."`
	Enabled   bool           `json:"enabled" doc:"The method can pass the second step now."`
	Count     int            `json:"count" doc:"Phones (push) or passkeys (passkey) set up; 0 for the others."`
	Remaining int            `json:"remaining" doc:"Backup codes left (0 for other methods)."`
	CreatedAt *time.Time     `json:"created_at" doc:"When the method was switched on; null when it is off."`
	Phones    *[]phoneJSON   `json:"phones,omitempty" doc:"push only: the linked phones."`
	Passkeys  *[]passkeyJSON `json:"passkeys,omitempty" doc:"passkey only: the passkeys."`
}

// phoneJSON is a phone linked as an authenticator (SEC-3).
type phoneJSON struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	LinkedAt   time.Time `json:"linked_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
}

// passkeyJSON is a passkey of the caller.
type passkeyJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at" doc:"null when never used."`
}

// identityRequestJSON is a request waiting for staff to verify the caller's
// identity (IDV-1).
type identityRequestJSON struct {
	ID        string    `json:"id" format:"uuid"`
	Reason    string    `json:"reason" enum:"two_step_lost" doc:"two_step_lost: switch two-step sign-in off without a working method (SEC-5)."`
	Status    string    `json:"status" enum:"waiting" doc:"waiting: staff have not decided yet; two-step sign-in stays on."`
	CreatedAt time.Time `json:"created_at"`
}

func toIdentityRequestJSON(r security.IdentityRequest) identityRequestJSON {
	return identityRequestJSON{ID: r.ID, Reason: r.Reason, Status: r.Status, CreatedAt: r.CreatedAt.UTC()}
}

// securityJSON is the two-step state of the caller's account.
type securityJSON struct {
	Enabled    bool         `json:"enabled" doc:"Two-step sign-in is on: at least one method (a phone, one-time codes or a passkey)."`
	Methods    []methodJSON `json:"methods" doc:"Every kind of method, on or off: push, totp, passkey, backup_codes."`
	RequiredBy []string     `json:"required_by" doc:"Names of the caller's organizations that require two-step sign-in: the last method cannot be removed then."`
	// IdentityRequest is the waiting request to switch two-step sign-in
	// off, or null.
	IdentityRequest *identityRequestJSON `json:"identity_request" doc:"The waiting request to switch two-step sign-in off without a working method (SEC-5), or null."`
}

func toSecurityJSON(st security.Status) securityJSON {
	out := securityJSON{Enabled: st.Enabled, Methods: make([]methodJSON, len(st.Methods)), RequiredBy: st.RequiredBy}
	for i, m := range st.Methods {
		mj := methodJSON{Kind: m.Kind, Enabled: m.Enabled, Count: m.Count, Remaining: m.Remaining, CreatedAt: utcPtr(m.CreatedAt)}
		switch m.Kind {
		case security.MethodPush:
			phones := make([]phoneJSON, len(st.Phones))
			for j, p := range st.Phones {
				phones[j] = phoneJSON{ID: p.ID, Name: p.Name, LinkedAt: p.LinkedAt.UTC(), LastSeenAt: p.LastSeenAt.UTC()}
			}
			mj.Phones = &phones
		case security.MethodPasskey:
			keys := make([]passkeyJSON, len(st.Passkeys))
			for j, p := range st.Passkeys {
				keys[j] = passkeyJSON{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt.UTC(), LastUsedAt: utcPtr(p.LastUsedAt)}
			}
			mj.Passkeys = &keys
		}
		out.Methods[i] = mj
	}
	if out.RequiredBy == nil {
		out.RequiredBy = []string{}
	}
	if st.SwitchOff != nil {
		r := toIdentityRequestJSON(*st.SwitchOff)
		out.IdentityRequest = &r
	}
	return out
}

// utcPtr returns a copy of *t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type confirmTOTPInput struct {
	Body struct {
		Code string `json:"code" minLength:"1" maxLength:"32" doc:"The current 6-digit code of the authenticator app."`
	}
}

type disableTOTPInput struct {
	Body struct {
		Password string `json:"password" minLength:"1" maxLength:"1024" doc:"Your current password."`
		Code     string `json:"code" minLength:"1" maxLength:"32" doc:"A current one-time code, or an unused backup code."`
	}
}

type backupCodesInput struct {
	Body struct {
		Password string `json:"password" minLength:"1" maxLength:"1024" doc:"Your current password."`
	}
}

// alertsJSON says which security events e-mail the caller (SEC-7).
type alertsJSON struct {
	NewSignIn       bool `json:"new_signin" doc:"A sign-in from a new device or network (SEC-6)."`
	SignInFailed    bool `json:"signin_failed" doc:"A wrong password entered for your login e-mail (SEC-6)."`
	TwoStepChanged  bool `json:"two_step_changed" doc:"Two-step sign-in switched on or off."`
	PasswordChanged bool `json:"password_changed" doc:"Your password changed."`
}

func toAlertsJSON(prefs []security.AlertPreference) alertsJSON {
	var out alertsJSON
	for _, p := range prefs {
		switch p.Event {
		case security.EventNewSignIn:
			out.NewSignIn = p.Email
		case security.EventSignInFailed:
			out.SignInFailed = p.Email
		case security.EventTwoStepChanged:
			out.TwoStepChanged = p.Email
		case security.EventPasswordChanged:
			out.PasswordChanged = p.Email
		}
	}
	return out
}

type patchAlertsInput struct {
	Body struct {
		NewSignIn       *bool `json:"new_signin,omitempty"`
		SignInFailed    *bool `json:"signin_failed,omitempty"`
		TwoStepChanged  *bool `json:"two_step_changed,omitempty"`
		PasswordChanged *bool `json:"password_changed,omitempty"`
	}
}

func (in *patchAlertsInput) changes() map[string]bool {
	out := map[string]bool{}
	for ev, v := range map[string]*bool{security.EventNewSignIn: in.Body.NewSignIn,
		security.EventSignInFailed: in.Body.SignInFailed, security.EventTwoStepChanged: in.Body.TwoStepChanged,
		security.EventPasswordChanged: in.Body.PasswordChanged} {
		if v != nil {
			out[ev] = *v
		}
	}
	return out
}

func (s *server) declareSecurity() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/profile/security/alerts", ID: "get-security-alerts", Tag: "Security",
		Summary:     "Show which security events e-mail you",
		Description: "Each security event and whether it e-mails you (SEC-7); all are on until switched off.",
		Codes:       []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, _ *struct{}) (*Out[alertsJSON], error) {
		prefs, err := s.d.Security.AlertPreferences(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		return ok(toAlertsJSON(prefs)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPatch, Path: "/profile/security/alerts", ID: "update-security-alerts", Tag: "Security",
		Summary:     "Choose which security events e-mail you",
		Description: "Changes the events sent and keeps the others (SEC-7). Security e-mails never carry a sign-in link.",
		Codes:       []*apperr.Error{apperr.NotFound, apperr.Validation},
	}, func(ctx context.Context, in *patchAlertsInput) (*Out[alertsJSON], error) {
		p := caller(ctx)
		prefs, err := s.d.Security.SetAlertPreferences(ctx, p.UserID, in.changes(), p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toAlertsJSON(prefs)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/profile/security", ID: "get-security", Tag: "Security",
		Summary: "Show your two-step sign-in",
		Description: "Whether two-step sign-in is on, each method with its state (push: the linked phones; passkey: the " +
			"passkeys; backup codes: how many remain), the organizations that require it, and a waiting request to switch it off.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, _ *struct{}) (*Out[securityJSON], error) {
		st, err := s.d.Security.Status(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		return ok(toSecurityJSON(st)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/security/identity-request", ID: "request-two-step-switch-off", Tag: "Security",
		Summary: "Ask to switch two-step sign-in off without a working method",
		Description: "For when no method works any more (phone lost, no backup code left): opens an identity verification " +
			"request for staff (SEC-5, IDV-1); two-step sign-in stays on until they decide. Your login e-mail (and phone, " +
			"by SMS) is told. There is at most one waiting request: asking again answers it. 409 two_step_off when " +
			"two-step sign-in is off.",
		Status: http.StatusCreated,
		Codes:  []*apperr.Error{apperr.NotFound, security.ErrTwoStepOff},
	}, func(ctx context.Context, _ *struct{}) (*Out[identityRequestJSON], error) {
		p := caller(ctx)
		req, err := s.d.Security.RequestSwitchOffSignedIn(ctx, p.UserID, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toIdentityRequestJSON(req)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/security/totp", ID: "start-totp", Secret: true, Tag: "Security",
		Summary: "Start linking an authenticator app",
		Description: "Creates a new one-time-code secret (SEC-1), replacing one not yet confirmed. Show `otpauth_url` as a QR code " +
			"or type `secret` into the app, then confirm with its first code. Nothing changes at sign-in until confirmed. " +
			"409 two_step_already_on while one-time codes are on.",
		Status: http.StatusCreated,
		Codes:  []*apperr.Error{apperr.NotFound, security.ErrTOTPAlreadyOn},
	}, func(ctx context.Context, _ *struct{}) (*Out[totpSetupJSON], error) {
		p := caller(ctx)
		setup, err := s.d.Security.StartTOTP(ctx, p.UserID, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(totpSetupJSON{Secret: setup.Secret, OTPAuthURL: setup.OTPAuthURL}), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/security/totp/confirm", ID: "confirm-totp", Secret: true, Tag: "Security",
		Summary: "Switch one-time codes on",
		Description: "The first valid code of the linked app switches one-time codes on (SEC-1). When it is your first method, " +
			"two-step sign-in is now on and the answer holds 10 backup codes, shown this once (SEC-2), and an e-mail tells you; " +
			"when two-step sign-in was already on, backup_codes is empty and your codes stay as they were. A code is accepted once only.",
		Codes: []*apperr.Error{apperr.NotFound, security.ErrCodeInvalid, security.ErrTOTPNotStarted, security.ErrTOTPAlreadyOn},
	}, func(ctx context.Context, in *confirmTOTPInput) (*Out[backupCodesJSON], error) {
		p := caller(ctx)
		codes, err := s.d.Security.ConfirmTOTP(ctx, p.UserID, in.Body.Code, p.Meta)
		if err != nil {
			return nil, err
		}
		if codes == nil {
			codes = []string{} // two-step sign-in was already on: the codes stay
		}
		return ok(backupCodesJSON{BackupCodes: codes}), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/security/totp/disable", ID: "disable-totp", Tag: "Security",
		Summary: "Switch one-time codes off",
		Description: "Needs your password and a valid code, one-time or backup (SEC-5). Removing the last method switches " +
			"two-step sign-in off and deletes the backup codes. An e-mail tells you of the change. " +
			"409 two_step_required while one of your organizations requires two-step sign-in (see required_by).",
		Status: http.StatusNoContent,
		Codes: []*apperr.Error{apperr.NotFound, account.ErrCurrentPasswordWrong, security.ErrCodeInvalid,
			security.ErrTwoStepOff, security.ErrTwoStepRequired},
	}, func(ctx context.Context, in *disableTOTPInput) (*struct{}, error) {
		p := caller(ctx)
		return nil, renameAttribute(s.d.Security.DisableTOTP(ctx, p.UserID, in.Body.Password, in.Body.Code, p.Meta),
			"current_password", "password")
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/security/backup-codes", ID: "regenerate-backup-codes", Secret: true, Tag: "Security",
		Summary: "Regenerate your backup codes",
		Description: "Replaces every backup code with 10 new ones, shown this once (SEC-2); the old ones stop working. " +
			"Needs your password and two-step sign-in on.",
		Codes: []*apperr.Error{apperr.NotFound, account.ErrCurrentPasswordWrong, security.ErrTwoStepOff},
	}, func(ctx context.Context, in *backupCodesInput) (*Out[backupCodesJSON], error) {
		p := caller(ctx)
		codes, err := s.d.Security.RegenerateBackupCodes(ctx, p.UserID, in.Body.Password, p.Meta)
		if err != nil {
			return nil, renameAttribute(err, "current_password", "password")
		}
		return ok(backupCodesJSON{BackupCodes: codes}), nil
	})
}
