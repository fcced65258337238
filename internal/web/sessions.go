package web

import (
	"net/http"
	"strconv"

	"github.com/alpage/alpage/internal/reqctx"
)

// signOutSession signs out one of the user's other browsers; another user's
// session is "not found". Signing out this browser is the ordinary sign-out.
func (h *handler) signOutSession(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	sessionID := r.PathValue("id")
	if err := h.Security.SignOutSession(r.Context(), v.user.ID, sessionID, reqctx.Meta(r, v.user.ID)); err != nil {
		return err
	}
	if sessionID == v.session.ID {
		h.clearCookie(w, sessionCookie)
		return redirect(w, r, "/signin?signed_out=1")
	}
	return redirect(w, r, "/profile/security?signed_out=1#sessions")
}

// signOutOthers signs out every session of the user but this browser's.
func (h *handler) signOutOthers(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	n, err := h.Security.SignOutOthers(r.Context(), v.user.ID, v.session.ID, reqctx.Meta(r, v.user.ID))
	if err != nil {
		return err
	}
	return redirect(w, r, "/profile/security?signed_out_others="+strconv.Itoa(n)+"#sessions")
}
