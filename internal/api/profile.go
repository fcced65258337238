package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
)

// userJSON is a user as the API shows it.
type userJSON struct {
	ID             string    `json:"id" format:"uuid"`
	Email          string    `json:"email" format:"email"`
	FirstName      string    `json:"first_name"`
	LastName       string    `json:"last_name"`
	Phone          string    `json:"phone" doc:"E.164, or empty."`
	Language       string    `json:"language" enum:"fr,en,de,it,es"`
	Country        string    `json:"country" doc:"ISO 3166-1 alpha-2."`
	TimeZone       string    `json:"time_zone" doc:"IANA time zone, e.g. Europe/Zurich."`
	EmailConfirmed bool      `json:"email_confirmed"`
	CreatedAt      time.Time `json:"created_at"`
}

func toUserJSON(u account.User) userJSON {
	return userJSON{
		ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Phone: u.Phone,
		Language: u.Language, Country: u.Country, TimeZone: u.TimeZone,
		EmailConfirmed: u.EmailConfirmed, CreatedAt: u.CreatedAt.UTC(),
	}
}

// profilePatch lists the fields to change; absent fields stay as they are.
type profilePatch struct {
	FirstName *string `json:"first_name,omitempty" maxLength:"100"`
	LastName  *string `json:"last_name,omitempty" maxLength:"100"`
	Language  *string `json:"language,omitempty" enum:"fr,en,de,it,es"`
	Country   *string `json:"country,omitempty" doc:"ISO 3166-1 alpha-2, e.g. CH."`
	TimeZone  *string `json:"time_zone,omitempty" doc:"IANA time zone, e.g. Europe/Zurich."`
	Phone     *string `json:"phone,omitempty" doc:"E.164, e.g. +41791234567; empty to remove."`
	// RecoveryEmail is checked by the domain (valid, not the login).
	RecoveryEmail *string `json:"recovery_email,omitempty" maxLength:"254" doc:"Another address than the login, to recover the account; empty to remove. A confirmation link is sent to it."`
}

type patchProfileInput struct {
	Body profilePatch
}

// profileJSON is the caller's own account: the user, and the recovery
// e-mail with its state.
type profileJSON struct {
	userJSON
	RecoveryEmail          string `json:"recovery_email" format:"email" doc:"Where a password reset or a temporary user name can be sent; empty when none."`
	RecoveryEmailConfirmed bool   `json:"recovery_email_confirmed" doc:"The owner opened the link sent to the recovery e-mail: only then is it used to recover the account. POST /profile/recovery-email/confirmation sends it again."`
}

// profile reads userID's account as profileJSON.
func (s *server) profile(ctx context.Context, u account.User) (*Out[profileJSON], error) {
	st, err := s.d.Accounts.RecoveryState(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return ok(profileJSON{userJSON: toUserJSON(u), RecoveryEmail: st.RecoveryEmail,
		RecoveryEmailConfirmed: st.RecoveryEmailConfirmed}), nil
}

func (s *server) declareProfile() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/profile", ID: "get-profile", Tag: "Profile",
		Summary: "Show your profile", Description: "The account of the token's user, with its recovery e-mail and whether it is confirmed.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, _ *struct{}) (*Out[profileJSON], error) {
		u, err := s.d.Accounts.Get(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		return s.profile(ctx, u)
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/recovery-email/confirmation", ID: "resend-recovery-email-confirmation", Tag: "Profile",
		Summary: "Send the recovery e-mail's confirmation link again",
		Description: "Sends a new link to your unconfirmed recovery e-mail (valid 7 days); earlier links stop working. " +
			"At most one a minute. 409 recovery_email_already_confirmed once it is confirmed.",
		Status: http.StatusNoContent,
		Codes:  []*apperr.Error{apperr.NotFound, apperr.Validation, account.ErrRecoveryEmailConfirmed},
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		p := caller(ctx)
		return nil, s.d.Accounts.ResendRecoveryEmailConfirmation(ctx, p.UserID, p.Meta)
	})
	add(s, route{
		Version: 1, Method: http.MethodPatch, Path: "/profile", ID: "update-profile", Tag: "Profile",
		Summary: "Change your profile",
		Description: "Changes the fields sent and leaves the others; a bad value refuses the whole change. A new " +
			"recovery_email gets a confirmation link and is used to recover the account only once confirmed.",
		Codes: []*apperr.Error{apperr.NotFound, apperr.Validation},
	}, func(ctx context.Context, in *patchProfileInput) (*Out[profileJSON], error) {
		p := caller(ctx)
		b := in.Body
		u, err := s.d.Accounts.UpdateProfile(ctx, p.UserID, account.ProfileUpdate{
			FirstName: b.FirstName, LastName: b.LastName, Language: b.Language,
			Country: b.Country, TimeZone: b.TimeZone, Phone: b.Phone, RecoveryEmail: b.RecoveryEmail,
		}, p.Meta)
		if err != nil {
			return nil, err
		}
		return s.profile(ctx, u)
	})
}
