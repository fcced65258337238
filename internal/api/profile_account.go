package api

import (
	"context"
	"net/http"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/org"
)

// The account routes of ACC-5: change the login e-mail, change the
// password, close the account.

// messageJSON is an answer that is only a sentence for people.
type messageJSON struct {
	Message string `json:"message"`
}

type changeEmailInput struct {
	Body struct {
		Password string `json:"password" minLength:"1" maxLength:"1024" doc:"Your current password."`
		NewEmail string `json:"new_email" minLength:"3" maxLength:"254" doc:"The new login e-mail."`
	}
}

type changePasswordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" minLength:"1" maxLength:"1024"`
		NewPassword     string `json:"new_password" minLength:"1" maxLength:"1024"`
	}
}

type closeAccountInput struct {
	Body struct {
		Password string `json:"password" minLength:"1" maxLength:"1024" doc:"Your current password."`
	}
}

// msgConfirmNewEmail is the answer to an e-mail change.
const msgConfirmNewEmail = "We sent a link to the new address: confirm from the new address to make it your login. Until then, your login stays the same."

func (s *server) declareAccount() {
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/email", ID: "change-email", Tag: "Profile",
		Summary: "Change your login e-mail",
		Description: "Sends a confirmation link to the new address (ACC-5); the login changes when it is opened, and the old " +
			"address is told. Answers 202 with a message.",
		Status: http.StatusAccepted,
		Codes:  []*apperr.Error{apperr.Validation, account.ErrEmailTaken, account.ErrCurrentPasswordWrong},
	}, func(ctx context.Context, in *changeEmailInput) (*Out[messageJSON], error) {
		p := caller(ctx)
		if err := s.d.Accounts.RequestEmailChange(ctx, p.UserID, in.Body.Password, in.Body.NewEmail, p.Meta); err != nil {
			return nil, renameAttribute(renameAttribute(err, "current_password", "password"), "email", "new_email")
		}
		return ok(messageJSON{Message: msgConfirmNewEmail}), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/password", ID: "change-password", Tag: "Profile",
		Summary: "Change your password",
		Description: "Needs the current password (ACC-5). Every console session is signed out; API tokens keep working. " +
			"An e-mail tells you of the change.",
		Status: http.StatusNoContent,
		Codes:  []*apperr.Error{apperr.Validation, account.ErrCurrentPasswordWrong},
	}, func(ctx context.Context, in *changePasswordInput) (*struct{}, error) {
		p := caller(ctx)
		return nil, s.d.Accounts.ChangePassword(ctx, p.UserID, in.Body.CurrentPassword, in.Body.NewPassword, "", p.Meta)
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/profile/close", ID: "close-account", Tag: "Profile",
		Summary: "Close your account",
		Description: "Deletes your account (ACC-5), with the organizations where you are the only member; the token of " +
			"this request stops working. Refused with 409 last_legal_representative while you are the last legal " +
			"representative of an organization with other members or active products: appoint another first.",
		Status: http.StatusNoContent,
		Codes:  []*apperr.Error{apperr.Validation, account.ErrCurrentPasswordWrong, org.ErrLastLegalRepresentative},
	}, func(ctx context.Context, in *closeAccountInput) (*struct{}, error) {
		p := caller(ctx)
		return nil, renameAttribute(s.d.Accounts.Close(ctx, p.UserID, in.Body.Password, p.Meta), "current_password", "password")
	})
}
