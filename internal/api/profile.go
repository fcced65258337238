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
}

type patchProfileInput struct {
	Body profilePatch
}

func (s *server) declareProfile() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/profile", ID: "get-profile", Tag: "Profile",
		Summary: "Show your profile", Description: "The account of the token's user.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, _ *struct{}) (*Out[userJSON], error) {
		u, err := s.d.Accounts.Get(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		return ok(toUserJSON(u)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPatch, Path: "/profile", ID: "update-profile", Tag: "Profile",
		Summary: "Change your profile", Description: "Changes the fields sent and leaves the others; a bad value refuses the whole change.",
		Codes: []*apperr.Error{apperr.NotFound, apperr.Validation},
	}, func(ctx context.Context, in *patchProfileInput) (*Out[userJSON], error) {
		p := caller(ctx)
		b := in.Body
		u, err := s.d.Accounts.UpdateProfile(ctx, p.UserID, account.ProfileUpdate{
			FirstName: b.FirstName, LastName: b.LastName, Language: b.Language,
			Country: b.Country, TimeZone: b.TimeZone, Phone: b.Phone,
		}, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toUserJSON(u)), nil
	})
}
