package web

import (
	"net/http"

	"github.com/alpage/alpage/internal/security"
)

// activityLimit is how many recent events the activity page lists.
const activityLimit = 100

// activityPage is the data of the recent-activity page (SEC-7).
type activityPage struct {
	Page
	Events []security.Activity
}

// Action is the translated name of an event's action; an action without its
// own label gets a generic one, never the raw key.
func (p *activityPage) Action(action string) string {
	key := "activity.action." + action
	if p.tr.Has(key) {
		return p.T(key)
	}
	return p.T("activity.action.other")
}

// Failed marks the events worth a second look: refused sign-ins and codes.
func (p *activityPage) Failed(action string) bool {
	return action == "session.signin_failed" || action == "session.second_factor_failed" ||
		action == "security.signin_failed_alert"
}

// activity lists the user's recent security events: sign-ins, failed
// attempts, method and password changes, with time, IP and device.
func (h *handler) activity(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	events, err := h.Security.Activity(r.Context(), v.user.ID, activityLimit)
	if err != nil {
		return err
	}
	p := &activityPage{Page: Page{TitleKey: "activity.title", Nav: "activity"}, Events: events}
	return h.render(w, r, http.StatusOK, "activity", p)
}
