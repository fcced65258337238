package web

import (
	"net/http"

	"github.com/alpage/alpage/internal/reqctx"
)

// switchOrganization selects the organization every page works in (ACC-4):
// the session remembers it. An organization the user is not a member of is
// "not found".
func (h *handler) switchOrganization(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	orgID := r.PostFormValue("organization_id")
	if _, err := h.Orgs.GetForUser(r.Context(), v.user.ID, orgID); err != nil {
		return err
	}
	if err := h.Accounts.SetSessionOrganization(r.Context(), v.session.ID, orgID); err != nil {
		return err
	}
	h.Logger.InfoContext(r.Context(), "organization switched", "request_id", reqctx.RequestID(r.Context()),
		"user_id", v.user.ID, "organization_id", orgID)
	return redirect(w, r, localPath(r.PostFormValue("next")))
}
