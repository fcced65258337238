package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/security"
)

// The caller's signed-in console sessions and recent activity (SEC-7).

// maxActivity is how many recent events the activity list holds (the most
// security.Activity answers).
const maxActivity = 200

// sessionJSON is a signed-in browser, without its secret.
type sessionJSON struct {
	ID         string    `json:"id" format:"uuid"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	Device     string    `json:"device" doc:"The browser and system, e.g. \"Firefox on Linux\"."`
	CreatedAt  time.Time `json:"created_at" doc:"When it signed in."`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at" doc:"Its absolute end, whatever the activity."`
}

func toSessionJSON(sess account.Session) sessionJSON {
	return sessionJSON{ID: sess.ID, IP: sess.IP, UserAgent: sess.UserAgent, Device: security.DeviceLabel(sess.UserAgent),
		CreatedAt: sess.CreatedAt.UTC(), LastSeenAt: sess.LastSeenAt.UTC(), ExpiresAt: sess.ExpiresAt.UTC()}
}

// activityJSON is one event of the caller's recent activity.
type activityJSON struct {
	Action    string    `json:"action" doc:"What happened, e.g. session.signed_in, session.second_factor_ok, security.totp_enabled. New actions may appear: show an unknown one as a generic event."`
	Method    string    `json:"method" doc:"For a second step (session.second_factor_ok): the method used, one of totp, phone_code, backup_code, push, passkey; else empty."`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	Device    string    `json:"device" doc:"The browser and system, e.g. \"Firefox on Linux\"."`
	Place     string    `json:"place" doc:"Where the IP address is, approximately, in your profile's language: \"Zurich, Switzerland\", or only the country; empty when unknown or when the server has no GeoIP database."`
	At        time.Time `json:"at"`
}

type listSessionsInput struct {
	PageParams
}

type listActivityInput struct {
	PageParams
}

type sessionIDInput struct {
	Session string `path:"session" doc:"The session's id."`
}

func (s *server) declareSessions() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/profile/activity", ID: "list-activity", Tag: "Security",
		Summary: "List your recent activity",
		Description: "The recent events of your account (SEC-7): sign-ins, failed passwords and second steps, lockouts, " +
			"changes of two-step methods, password and e-mail, push answers, recovery…, with IP, device and place, " +
			"newest first, paginated; the " + strconv.Itoa(maxActivity) + " most recent at most.",
	}, func(ctx context.Context, in *listActivityInput) (*ListOut[activityJSON], error) {
		evs, err := s.d.Security.Activity(ctx, caller(ctx).UserID, maxActivity)
		if err != nil {
			return nil, err
		}
		out := make([]activityJSON, len(evs))
		for i, e := range evs {
			out[i] = activityJSON{Action: e.Action, Method: e.Method, IP: e.IP, UserAgent: e.UserAgent, Device: e.Device,
				Place: e.Place, At: e.At.UTC()}
		}
		return Paginate(out, in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/profile/sessions", ID: "list-sessions", Tag: "Security",
		Summary:     "List your console sessions",
		Description: "The browsers signed in to the console with your account, newest first, paginated, without their secrets.",
		Codes:       []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *listSessionsInput) (*ListOut[sessionJSON], error) {
		ss, err := s.d.Accounts.Sessions(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		out := make([]sessionJSON, len(ss))
		for i, sess := range ss {
			out[i] = toSessionJSON(sess)
		}
		return Paginate(out, in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/profile/sessions/{session}", ID: "delete-session", Tag: "Security",
		Summary:     "Sign a session out",
		Description: "Signs that browser out at once. Another person's session is 404 object_not_found.",
		Status:      http.StatusNoContent,
		Codes:       []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *sessionIDInput) (*struct{}, error) {
		if !id.Valid(in.Session) {
			return nil, apperr.NotFound
		}
		p := caller(ctx)
		return nil, s.d.Security.SignOutSession(ctx, p.UserID, in.Session, p.Meta)
	})
}
