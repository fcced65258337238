package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/throttle"
)

// The API of phones and native apps acting as authenticators (SEC-3,
// SEC-4). They are not people with personal tokens: a phone is known by its
// device token ("alpd_…"), got once when it is linked, and sent as
// "Authorization: Bearer alpd_…". A phone acts only on the accounts it
// holds; anything else is object_not_found.

// deviceCall is who calls an authenticator route: the phone (zero before
// it is linked) and the request's audit metadata.
type deviceCall struct {
	Device security.Device
	Token  string // the device token sent, "" when none
	Meta   audit.Meta
}

type deviceCallKey struct{}

// deviceOf returns the caller of an authenticator route.
func deviceOf(ctx context.Context) deviceCall {
	c, _ := ctx.Value(deviceCallKey{}).(deviceCall)
	return c
}

// deviceCodes are the refusals of the device authentication itself.
var deviceCodes = []*apperr.Error{security.ErrDeviceInvalid, apperr.NotAuthorized, apperr.TooManyRequests}

// addDevice declares an authenticator route. The personal-token chain does
// not apply (the route is Public for it): an operation middleware
// authenticates the device token instead, counts the request against the
// device's rate limit, and puts the deviceCall in the context. With
// optional, a request without a token is let through with a zero Device
// (linking a new phone); a token that is sent must be valid.
func addDevice[I, O any](s *server, r route, optional bool, h func(context.Context, *I) (*O, error)) {
	r.Public = true
	r.Codes = append(r.Codes, deviceCodes...)
	add(s, r, h)
	rt := s.routes[len(s.routes)-1]
	register := rt.register
	rt.register = func(api huma.API, op huma.Operation) {
		oapi := api.OpenAPI()
		if oapi.Components.SecuritySchemes == nil {
			oapi.Components.SecuritySchemes = map[string]*huma.SecurityScheme{}
		}
		oapi.Components.SecuritySchemes["device"] = &huma.SecurityScheme{
			Type: "http", Scheme: "bearer",
			Description: "A phone's device token (\"alpd_…\"), answered once by POST /api/1/authenticator/pair or /link.",
		}
		if optional {
			op.Security = []map[string][]string{{}, {"device": {}}}
		} else {
			op.Security = []map[string][]string{{"device": {}}}
			op.Extensions["x-rate-limited"] = true
		}
		op.Middlewares = append(op.Middlewares, func(ctx huma.Context, next func(huma.Context)) {
			s.authenticateDevice(ctx, optional, next)
		})
		register(api, op)
	}
}

// authenticateDevice is the operation middleware of addDevice.
func (s *server) authenticateDevice(hctx huma.Context, optional bool, next func(huma.Context)) {
	r, w := humago.Unwrap(hctx)
	call := deviceCall{Meta: reqctx.Meta(r, "")}
	h := r.Header.Get("Authorization")
	if h == "" && optional {
		next(huma.WithValue(hctx, deviceCallKey{}, call))
		return
	}
	kind, secret, found := strings.Cut(h, " ")
	secret = strings.TrimSpace(secret)
	if h == "" {
		s.countUnauthenticated(w, r, newProblem(apperr.NotAuthorized.With("Send the phone's device token as: Authorization: Bearer alpd_….")))
		return
	}
	if !found || !strings.EqualFold(kind, "Bearer") || secret == "" {
		s.countUnauthenticated(w, r, errBadToken(apperr.NotAuthorized.With("Send the phone's device token as: Authorization: Bearer alpd_….")))
		return
	}
	d, err := s.d.Security.Device(r.Context(), secret)
	if err != nil {
		p := toProblem(r.Context(), s.log, err)
		if p.status == http.StatusUnauthorized {
			s.countUnauthenticated(w, r, errBadToken(apperr.As(err)))
			return
		}
		writeProblem(w, p)
		return
	}
	if !s.rateLimit(w, r, "device:"+d.ID, s.d.RateLimit) {
		return
	}
	call.Device, call.Token = d, secret
	next(huma.WithValue(hctx, deviceCallKey{}, call))
}

// pairedJSON is a phone just linked, or about to be.
type pairedJSON struct {
	DeviceToken string   `json:"device_token" doc:"The phone's device token: keep it in the app's secure storage and send it as Authorization: Bearer. Shown here only."`
	Account     string   `json:"account" doc:"The login e-mail of the account."`
	BackupCodes []string `json:"backup_codes,omitempty" doc:"When the phone is the account's first two-step method: 10 single-use backup codes, shown this once."`
}

type pairInput struct {
	Body struct {
		Token string `json:"token" minLength:"1" maxLength:"200" doc:"The pairing token, the last part of the address of the QR code the console shows (/phone/pair/{token})."`
		Name  string `json:"name,omitempty" maxLength:"80" doc:"The phone's name, shown in the account's security page (\"Pixel 8\")."`
	}
}

type linkInput struct {
	Body struct {
		Email    string `json:"email" minLength:"1" maxLength:"254" doc:"The login e-mail of the account."`
		Password string `json:"password" minLength:"1" maxLength:"1024"`
		Code     string `json:"code,omitempty" maxLength:"32" doc:"A one-time code or a backup code, when two-step sign-in is already on."`
		Name     string `json:"name,omitempty" maxLength:"80" doc:"The phone's name (\"Pixel 8\")."`
	}
}

// pushRequestJSON is a sign-in waiting for the phone's answer.
type pushRequestJSON struct {
	ID        string    `json:"id" format:"uuid"`
	Account   string    `json:"account" doc:"The login e-mail of the account signing in."`
	Device    string    `json:"device" doc:"The browser and system signing in, e.g. \"Firefox on Windows\"."`
	IP        string    `json:"ip"`
	Place     string    `json:"place" doc:"Where the IP address is, approximately; empty when unknown."`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at" doc:"Two minutes after the request: unanswered, the sign-in is refused."`
	Numbers   []int     `json:"numbers" doc:"Three numbers: the browser shows one of them. Ask the person to pick the one their browser shows, and send it to approve."`
}

type pushIDInput struct {
	ID string `path:"id" doc:"The request's id."`
}

type approveInput struct {
	ID   string `path:"id" doc:"The request's id."`
	Body struct {
		Number int `json:"number" minimum:"10" maximum:"99" doc:"The number the person picked: the one their browser shows."`
	}
}

// phoneCodeJSON is an account's one-time-code secret, for the codes the app
// shows offline.
type phoneCodeJSON struct {
	Account string `json:"account" doc:"The login e-mail."`
	UserID  string `json:"user_id" format:"uuid"`
	Secret  string `json:"secret" doc:"The base32 secret (RFC 6238, SHA-1)."`
	Period  int    `json:"period" doc:"Seconds a code lasts: 30."`
	Digits  int    `json:"digits" doc:"Digits of a code: 6."`
}

type accountIDInput struct {
	User string `path:"user" doc:"The account's user id."`
}

func (s *server) declareAuthenticator() {
	addDevice(s, route{
		Version: 1, Method: http.MethodPost, Path: "/authenticator/pair", ID: "pair-authenticator", Tag: "Authenticator",
		Summary: "Link a phone from the console's QR code",
		Description: "The phone claims the pairing the console shows as a QR code (SEC-3); the person then confirms on the computer, " +
			"which links it. Without a device token, the phone is registered and its token answered; with one, that phone claims it. " +
			"A pairing lasts 10 minutes and links one phone.",
		Secret: true,
		Codes:  []*apperr.Error{security.ErrPairingInvalid, security.ErrPhoneAlreadyLinked},
	}, true, func(ctx context.Context, in *pairInput) (*Out[pairedJSON], error) {
		call := deviceOf(ctx)
		c, err := s.d.Security.ClaimPairing(ctx, in.Body.Token, call.Token, in.Body.Name, call.Meta)
		if err != nil {
			return nil, err
		}
		token := c.DeviceToken
		if token == "" {
			token = call.Token
		}
		return ok(pairedJSON{DeviceToken: token, Account: c.Email}), nil
	})
	addDevice(s, route{
		Version: 1, Method: http.MethodPost, Path: "/authenticator/link", ID: "link-authenticator", Tag: "Authenticator",
		Summary: "Link a phone by signing in on it",
		Description: "The person signs in on the phone — e-mail, password, and a one-time or backup code when two-step sign-in " +
			"is on — and the phone is linked at once (SEC-3). Wrong passwords and codes are throttled like sign-ins, with the same " +
			"answer for an unknown e-mail. When the phone is the account's first method, the backup codes are answered once.",
		Secret: true,
		Codes: []*apperr.Error{account.ErrInvalidCredentials, account.ErrEmailNotConfirmed, throttle.ErrTooManyAttempts,
			security.ErrCodeRequired, security.ErrCodeInvalid, security.ErrChallengeInvalid, security.ErrPhoneAlreadyLinked},
	}, true, func(ctx context.Context, in *linkInput) (*Out[pairedJSON], error) {
		call := deviceOf(ctx)
		linked, err := s.linkDevice(ctx, call, in)
		if err != nil {
			return nil, err
		}
		token := linked.DeviceToken
		if token == "" {
			token = call.Token
		}
		return ok(pairedJSON{DeviceToken: token, Account: linked.User.Email, BackupCodes: linked.BackupCodes}), nil
	})
	addDevice(s, route{
		Version: 1, Method: http.MethodGet, Path: "/authenticator/challenges", ID: "list-authenticator-challenges", Tag: "Authenticator",
		Summary: "List the sign-ins waiting for this phone",
		Description: "The pending sign-in requests of every account the phone holds (SEC-4), oldest first. Poll every few seconds " +
			"while the app is open.",
	}, false, func(ctx context.Context, _ *struct{}) (*Out[[]pushRequestJSON], error) {
		list, err := s.d.Security.PushRequests(ctx, deviceOf(ctx).Device.ID, "en")
		if err != nil {
			return nil, err
		}
		out := make([]pushRequestJSON, len(list))
		for i, r := range list {
			out[i] = pushRequestJSON{ID: r.ID, Account: r.Account, Device: r.Device, IP: r.IP, Place: r.Place,
				CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, Numbers: r.Numbers[:]}
		}
		return ok(out), nil
	})
	addDevice(s, route{
		Version: 1, Method: http.MethodPost, Path: "/authenticator/challenges/{id}/approve", ID: "approve-authenticator-challenge",
		Tag: "Authenticator", Summary: "Approve a sign-in",
		Description: "YES, with the number the person picked (SEC-4): the right one approves the sign-in, and the waiting browser " +
			"goes on by itself; a wrong one rejects it (push_number_wrong). A request already answered, unknown, or of an account " +
			"the phone does not hold is object_not_found; one older than two minutes is push_challenge_expired (410).",
		Codes: []*apperr.Error{apperr.NotFound, security.ErrPushExpired, security.ErrPushNumberWrong},
	}, false, func(ctx context.Context, in *approveInput) (*Out[struct{}], error) {
		call := deviceOf(ctx)
		if err := s.d.Security.ApprovePush(ctx, call.Device.ID, in.ID, in.Body.Number, call.Meta); err != nil {
			return nil, err
		}
		return ok(struct{}{}), nil
	})
	addDevice(s, route{
		Version: 1, Method: http.MethodPost, Path: "/authenticator/challenges/{id}/reject", ID: "reject-authenticator-challenge",
		Tag: "Authenticator", Summary: "Refuse a sign-in",
		Description: "NO (SEC-4): the sign-in is refused. Errors as for approve.",
		Codes:       []*apperr.Error{apperr.NotFound, security.ErrPushExpired},
	}, false, func(ctx context.Context, in *pushIDInput) (*Out[struct{}], error) {
		call := deviceOf(ctx)
		if err := s.d.Security.RejectPush(ctx, call.Device.ID, in.ID, call.Meta); err != nil {
			return nil, err
		}
		return ok(struct{}{}), nil
	})
	addDevice(s, route{
		Version: 1, Method: http.MethodGet, Path: "/authenticator/codes", ID: "list-authenticator-codes", Tag: "Authenticator",
		Summary: "Get the one-time-code secrets of this phone's accounts",
		Description: "Each account's own secret, for the 30-second codes the app shows offline (SEC-1, SEC-3). Removing the " +
			"account from the phone revokes its secret.",
	}, false, func(ctx context.Context, _ *struct{}) (*Out[[]phoneCodeJSON], error) {
		codes, err := s.d.Security.PhoneCodes(ctx, deviceOf(ctx).Device.ID)
		if err != nil {
			return nil, err
		}
		out := make([]phoneCodeJSON, len(codes))
		for i, c := range codes {
			out[i] = phoneCodeJSON{Account: c.Account, UserID: c.UserID, Secret: c.Secret, Period: c.Period, Digits: c.Digits}
		}
		return ok(out), nil
	})
	addDevice(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/authenticator/accounts/{user}", ID: "remove-authenticator-account",
		Tag: "Authenticator", Summary: "Remove an account from this phone",
		Description: "The phone stops approving the account's sign-ins (SEC-5). When it was the account's last method, two-step " +
			"sign-in goes off (the person is e-mailed) — unless an organization requires it: two_step_required.",
		Status: http.StatusNoContent,
		Codes:  []*apperr.Error{apperr.NotFound, security.ErrTwoStepRequired},
	}, false, func(ctx context.Context, in *accountIDInput) (*struct{}, error) {
		call := deviceOf(ctx)
		if err := s.d.Security.DropAccount(ctx, call.Device.ID, in.User, call.Meta); err != nil {
			return nil, err
		}
		return nil, nil
	})
}

// linkDevice links the phone with the person's credentials; wrong codes
// count against the account and address like wrong passwords.
func (s *server) linkDevice(ctx context.Context, call deviceCall, in *linkInput) (security.PhoneLinked, error) {
	b := in.Body
	if err := s.d.Accounts.CheckSignInThrottle(ctx, b.Email, call.Meta); err != nil {
		return security.PhoneLinked{}, err
	}
	linked, err := s.d.Security.LinkPhone(ctx, b.Email, b.Password, strings.TrimSpace(b.Code), call.Token, b.Name, call.Meta)
	if errorsIsCode(err, security.ErrCodeInvalid, security.ErrChallengeInvalid) {
		if u, gerr := s.d.Accounts.GetByEmail(ctx, b.Email); gerr == nil {
			if ferr := s.d.Accounts.RecordFailedSecondFactor(ctx, u, call.Meta); ferr != nil {
				return security.PhoneLinked{}, ferr
			}
		}
	}
	return linked, err
}

// errorsIsCode reports whether err is one of the refusals codes.
func errorsIsCode(err error, codes ...*apperr.Error) bool {
	e := apperr.As(err)
	if e == nil {
		return false
	}
	for _, c := range codes {
		if e.Code == c.Code {
			return true
		}
	}
	return false
}
