package web

import (
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/security"
)

// activityLimit is how many recent events the activity page lists.
const activityLimit = 100

// activityPage is the data of the recent-activity page (SEC-7).
type activityPage struct {
	Page
	Events []security.Activity
	Places bool // some event has a known place: the page shows the column
}

// Event is the translated name of an event, with the two-step method of a
// second step: "Second step passed (backup code)".
func (p *activityPage) Event(a security.Activity) string {
	label := p.Action(a.Action)
	if a.Method == "" {
		return label
	}
	if key := "activity.method." + a.Method; p.tr.Has(key) {
		return p.T("activity.with_method", label, p.T(key))
	}
	return label
}

// Action is the translated name of an action. An action without its own
// label gets a generic one for its area ("Other security change"), or
// "Other change": never the raw key, never a blank.
func (p *activityPage) Action(action string) string {
	if key := "activity.action." + action; p.tr.Has(key) {
		return p.T(key)
	}
	if area, _, ok := strings.Cut(action, "."); ok {
		if key := "activity.action.other." + area; p.tr.Has(key) {
			return p.T(key)
		}
	}
	return p.T("activity.action.other")
}

// Failed marks the events worth a second look: refused sign-ins and codes,
// lockouts, a sign-in refused on the phone.
func (p *activityPage) Failed(action string) bool {
	switch action {
	case "session.signin_failed", "session.second_factor_failed", "security.signin_failed_alert",
		"security.account_locked", "session.push_rejected":
		return true
	}
	return false
}

// activity lists the user's recent security events: sign-ins, failed
// attempts, method and password changes, with time, IP, device and, with
// a GeoIP database, place.
func (h *handler) activity(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	events, err := h.Security.Activity(r.Context(), v.user.ID, activityLimit)
	if err != nil {
		return err
	}
	p := &activityPage{Page: Page{TitleKey: "activity.title", Nav: "activity"}, Events: events}
	for _, e := range events {
		if e.Place != "" {
			p.Places = true
			break
		}
	}
	return h.render(w, r, http.StatusOK, "activity", p)
}
