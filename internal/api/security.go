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
	Kind      string     `json:"kind" enum:"totp,backup_codes" doc:"totp: one-time codes from an authenticator app; backup_codes: single-use backup codes."`
	Enabled   bool       `json:"enabled"`
	Remaining int        `json:"remaining" doc:"Backup codes left (0 for other methods)."`
	CreatedAt *time.Time `json:"created_at" doc:"When the method was switched on; null when it is off."`
}

// securityJSON is the two-step state of the caller's account.
type securityJSON struct {
	Enabled    bool         `json:"enabled" doc:"Two-step sign-in is on."`
	Methods    []methodJSON `json:"methods"`
	RequiredBy []string     `json:"required_by" doc:"Names of the caller's organizations that require two-step sign-in."`
}

func toSecurityJSON(st security.Status) securityJSON {
	out := securityJSON{Enabled: st.Enabled, Methods: make([]methodJSON, len(st.Methods)), RequiredBy: st.RequiredBy}
	for i, m := range st.Methods {
		out.Methods[i] = methodJSON{Kind: m.Kind, Enabled: m.Enabled, Remaining: m.Remaining, CreatedAt: utcPtr(m.CreatedAt)}
	}
	if out.RequiredBy == nil {
		out.RequiredBy = []string{}
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
		Summary:     "Show your two-step sign-in",
		Description: "Whether two-step sign-in is on, each method with its state (backup codes: how many remain), and the organizations that require it.",
		Codes:       []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, _ *struct{}) (*Out[securityJSON], error) {
		st, err := s.d.Security.Status(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		return ok(toSecurityJSON(st)), nil
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
		Description: "The first valid code of the linked app switches two-step sign-in on (SEC-1) and answers 10 backup codes, " +
			"shown this once (SEC-2). A code is accepted once only. An e-mail tells you of the change.",
		Codes: []*apperr.Error{apperr.NotFound, security.ErrCodeInvalid, security.ErrTOTPNotStarted, security.ErrTOTPAlreadyOn},
	}, func(ctx context.Context, in *confirmTOTPInput) (*Out[backupCodesJSON], error) {
		p := caller(ctx)
		codes, err := s.d.Security.ConfirmTOTP(ctx, p.UserID, in.Body.Code, p.Meta)
		if err != nil {
			return nil, err
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
