package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/security"
)

// The caller's passkeys (WebAuthn): list, rename, remove. Adding a passkey
// and signing in with one need a browser's WebAuthn (navigator.credentials),
// so they are in the console only.

type listPasskeysInput struct {
	PageParams
}

// PasskeyPath is /profile/security/passkeys/{passkey}.
type PasskeyPath struct {
	Passkey string `path:"passkey" doc:"The passkey's id."`
}

type renamePasskeyInput struct {
	PasskeyPath
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"100" doc:"The new name, 1 to 100 characters."`
	}
}

type removePasskeyInput struct {
	PasskeyPath
	Body struct {
		Password string `json:"password" minLength:"1" maxLength:"1024" doc:"Your current password."`
	}
}

func toPasskeyJSON(p security.Passkey) passkeyJSON {
	return passkeyJSON{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt.UTC(), LastUsedAt: utcPtr(p.LastUsedAt)}
}

// declarePasskeys declares the passkey routes of the profile.
func (s *server) declarePasskeys() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/profile/security/passkeys", ID: "list-passkeys", Tag: "Security",
		Summary: "List your passkeys",
		Description: "Your passkeys, oldest first, paginated: each signs you in without a password and passes the second " +
			"step after it. Adding one takes a browser (WebAuthn): use the console's security page. At most " +
			strconv.Itoa(security.MaxPasskeys) + " passkeys per account.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *listPasskeysInput) (*ListOut[passkeyJSON], error) {
		list, err := s.d.Security.Passkeys(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		out := make([]passkeyJSON, len(list))
		for i, p := range list {
			out[i] = toPasskeyJSON(p)
		}
		return Paginate(out, in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPatch, Path: "/profile/security/passkeys/{passkey}", ID: "rename-passkey", Tag: "Security",
		Summary:     "Rename a passkey",
		Description: "Gives one of your passkeys a new name. Another person's passkey is 404 object_not_found.",
		Codes:       []*apperr.Error{apperr.NotFound, apperr.Validation},
	}, func(ctx context.Context, in *renamePasskeyInput) (*Out[passkeyJSON], error) {
		p := caller(ctx)
		pk, err := s.d.Security.RenamePasskey(ctx, p.UserID, in.Passkey, in.Body.Name, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toPasskeyJSON(pk)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/profile/security/passkeys/{passkey}", ID: "remove-passkey", Tag: "Security",
		Summary: "Remove a passkey",
		Description: "Needs your password in the body, as switching one-time codes off does (SEC-5); the passkey no longer " +
			"signs you in. Removing your last method switches two-step sign-in off and deletes the backup codes; an e-mail " +
			"tells you. 409 two_step_required while one of your organizations requires two-step sign-in (see required_by " +
			"of GET /profile/security). Another person's passkey is 404 object_not_found, whatever the password.",
		Status: http.StatusNoContent,
		Codes:  []*apperr.Error{apperr.NotFound, account.ErrCurrentPasswordWrong, security.ErrTwoStepRequired},
	}, func(ctx context.Context, in *removePasskeyInput) (*struct{}, error) {
		p := caller(ctx)
		return nil, renameAttribute(s.d.Security.RemovePasskey(ctx, p.UserID, in.Passkey, in.Body.Password, p.Meta),
			"current_password", "password")
	})
}
