package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/token"
)

// tokenJSON is a personal API token without its secret.
type tokenJSON struct {
	ID         string     `json:"id" format:"uuid"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix" doc:"The first characters of the secret, to recognise it."`
	Scopes     []string   `json:"scopes"`
	ExpiresAt  *time.Time `json:"expires_at" doc:"null: never expires."`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// createdTokenJSON is a new token with its secret, shown this once.
type createdTokenJSON struct {
	ID         string     `json:"id" format:"uuid"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedAt  time.Time  `json:"created_at"`
	Token      string     `json:"token" doc:"The secret: shown this once, send it as Authorization: Bearer <token>."`
}

func toTokenJSON(t token.Token) tokenJSON {
	utc := func(p *time.Time) *time.Time {
		if p == nil {
			return nil
		}
		u := p.UTC()
		return &u
	}
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return tokenJSON{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Scopes: scopes,
		ExpiresAt: utc(t.ExpiresAt), LastUsedAt: utc(t.LastUsedAt), CreatedAt: t.CreatedAt.UTC()}
}

type listTokensInput struct {
	PageParams
}

type createTokenInput struct {
	Body struct {
		Name      string     `json:"name" minLength:"1" maxLength:"100"`
		Scopes    []string   `json:"scopes,omitempty" doc:"Default [\"all\"]: everything your account may do. [\"operator\"] (the operator routes) is refused here with validation_failed: operator tokens come from the server's command line, alpage token create --scopes operator."`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"Optional expiry, in the future."`
	}
}

type tokenIDInput struct {
	Token string `path:"token" doc:"The token's id."`
}

func (s *server) declareTokens() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/profile/tokens", ID: "list-tokens", Tag: "Profile",
		Summary: "List your API tokens", Description: "Your personal API tokens, without their secrets, paginated.",
	}, func(ctx context.Context, in *listTokensInput) (*ListOut[tokenJSON], error) {
		ts, err := s.d.Tokens.List(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		out := make([]tokenJSON, len(ts))
		for i, t := range ts {
			out[i] = toTokenJSON(t)
		}
		return Paginate(out, in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/tokens", ID: "create-token", Secret: true, Tag: "Profile",
		Summary: "Create an API token", Description: "Creates a personal API token; its secret is in `data.token`, shown this once. " +
			"The scope `operator` cannot be asked for here (`validation_failed` on `scopes`): operator tokens are made on the server with `alpage token create --scopes operator`.",
		Status: http.StatusCreated, Codes: []*apperr.Error{token.ErrTooMany},
	}, func(ctx context.Context, in *createTokenInput) (*Out[createdTokenJSON], error) {
		p := caller(ctx)
		secret, t, err := s.d.Tokens.CreateCustomer(ctx, p.UserID, in.Body.Name, in.Body.Scopes, in.Body.ExpiresAt, p.Meta)
		if err != nil {
			return nil, err
		}
		j := toTokenJSON(t)
		return ok(createdTokenJSON{ID: j.ID, Name: j.Name, Prefix: j.Prefix, Scopes: j.Scopes,
			ExpiresAt: j.ExpiresAt, LastUsedAt: j.LastUsedAt, CreatedAt: j.CreatedAt, Token: secret}), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/profile/tokens/{token}", ID: "delete-token", Tag: "Profile",
		Summary: "Revoke an API token", Description: "Revokes one of your tokens at once; requests made with it then get 401.",
		Status: http.StatusNoContent, Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *tokenIDInput) (*struct{}, error) {
		if !id.Valid(in.Token) {
			return nil, apperr.NotFound
		}
		p := caller(ctx)
		if err := s.d.Tokens.Delete(ctx, p.UserID, in.Token, p.Meta); err != nil {
			return nil, err
		}
		return nil, nil
	})
}
