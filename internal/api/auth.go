package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/token"
)

// ScopeAll is the one scope that exists now: everything the user may do.
const ScopeAll = "all"

// principal is who a request acts as.
type principal struct {
	UserID  string
	TokenID string
	Meta    audit.Meta // for the audit trail of the changes it makes
}

type principalKey struct{}

// caller returns the principal of an authenticated request. Handlers of
// routes that need a token always have one.
func caller(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// errBadToken is a 401 for a token that was sent but refused.
func errBadToken(e *apperr.Error) *Problem {
	p := newProblem(e)
	p.GetHeaders().Set("WWW-Authenticate", `Bearer realm="alpage", error="invalid_token"`)
	return p
}

// authenticate resolves the bearer token of r, checks that it carries
// scope, and returns r with the principal in its context.
func (s *server) authenticate(r *http.Request, scope string) (*http.Request, *token.Token, error) {
	h := r.Header.Get("Authorization")
	kind, secret, found := strings.Cut(h, " ")
	secret = strings.TrimSpace(secret)
	if h == "" {
		return r, nil, newProblem(apperr.NotAuthorized)
	}
	if !found || !strings.EqualFold(kind, "Bearer") || secret == "" {
		return r, nil, errBadToken(apperr.NotAuthorized.With("Send the token as: Authorization: Bearer <token>."))
	}
	t, err := s.d.Tokens.Authenticate(r.Context(), secret)
	if err != nil {
		if e := apperr.As(err); e != nil && e.Status == http.StatusUnauthorized {
			return r, nil, errBadToken(e)
		}
		return r, nil, err
	}
	if !t.HasScope(scope) {
		return r, nil, apperr.AccessDenied.With("This token's scopes do not allow this request: it needs the scope " + scope + ".")
	}
	// SEC-10: an account in recovery first sets a new login in the console.
	if in, err := s.d.Accounts.InRecovery(r.Context(), t.UserID); err != nil || in {
		if in {
			err = account.ErrAccountInRecovery
		}
		return r, nil, err
	}
	p := principal{UserID: t.UserID, TokenID: t.ID, Meta: reqctx.Meta(r, t.UserID)}
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), &t, nil
}
