package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/reqctx"
)

// invitationPage is the data of the page an invitation's link opens: who
// invites to which organization with which role, then the way to answer
// that fits the visitor (ORG-3, ACC-2).
type invitationPage struct {
	Page
	Token       string
	Invitation  invite.Invitation
	HasAccount  bool // the invited address already has an account: sign in to answer
	OtherEmail  bool // signed in with another address
	FirstName   string
	LastName    string
	Language    string
	MinPassword int
	Declined    bool
}

// Languages are the choices of the language field.
func (p *invitationPage) Languages() []option { return languageOptions() }

// SignInURL signs in and comes back to the invitation.
func (p *invitationPage) SignInURL() string { return "/signin?next=/invitations/" + p.Token }

// loadInvitation builds the page of the link's token; an expired, used or
// cancelled invitation is drawn as such (410).
func (h *handler) loadInvitation(w http.ResponseWriter, r *http.Request) (*invitationPage, bool, error) {
	v := visitorOf(r)
	tok := r.PathValue("token")
	p := &invitationPage{Page: Page{TitleKey: "invitation.title"}, Token: tok, Language: v.lang,
		MinPassword: account.MinPasswordLength}
	inv, err := h.Invites.ByToken(r.Context(), tok)
	if errors.Is(err, invite.ErrInvitationInvalid) {
		return nil, false, h.render(w, r, http.StatusGone, "invitation_invalid", &Page{TitleKey: "invitation.invalid.title"})
	}
	if err != nil {
		return nil, false, err
	}
	p.Invitation = inv
	if v.user != nil {
		p.OtherEmail = !strings.EqualFold(v.user.Email, inv.Email)
	} else {
		_, err := h.Accounts.GetByEmail(r.Context(), inv.Email)
		switch {
		case err == nil:
			p.HasAccount = true
		case !errors.Is(err, apperr.NotFound):
			return nil, false, err
		}
	}
	return p, true, nil
}

// invitation shows the invitation of the link.
func (h *handler) invitation(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := h.loadInvitation(w, r)
	if !ok {
		return err
	}
	return h.render(w, r, http.StatusOK, "invitation", p)
}

// invitationSignUp opens the invitee's account from the link, joins the
// organization in the same step without making one of their own (ACC-2),
// signs them in and lands them in the organization.
func (h *handler) invitationSignUp(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := h.loadInvitation(w, r)
	if !ok {
		return err
	}
	p.FirstName = strings.TrimSpace(r.PostFormValue("first_name"))
	p.LastName = strings.TrimSpace(r.PostFormValue("last_name"))
	if l := i18n.Normalize(r.PostFormValue("language")); l != "" {
		p.Language = l
	}
	country := browserCountry(r)
	u, err := h.Invites.SignUpAndAccept(r.Context(), p.Token, account.SignUpInput{
		Password: r.PostFormValue("password"), FirstName: p.FirstName, LastName: p.LastName,
		Language: p.Language, Country: country, TimeZone: defaultTimeZone(country),
	}, reqctx.Meta(r, ""))
	if err != nil {
		return h.refuse(w, r, "invitation", p, err)
	}
	return h.startSession(w, r, u.ID, p.Invitation.OrganizationID, "/?joined=1")
}

// startSession signs userID in with a new session in organization orgID and
// goes to target.
func (h *handler) startSession(w http.ResponseWriter, r *http.Request, userID, orgID, target string) error {
	ctx := r.Context()
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := h.Accounts.DeleteSession(ctx, c.Value); err != nil {
			h.Logger.WarnContext(ctx, "deleting the previous session failed", "error", err)
		}
	}
	secret, sess, err := h.Accounts.CreateSession(ctx, userID, reqctx.Meta(r, userID))
	if err != nil {
		return err
	}
	if err := h.Accounts.SetSessionOrganization(ctx, sess.ID, orgID); err != nil {
		return err
	}
	h.setSessionCookie(w, secret, sess.ExpiresAt)
	return redirect(w, r, target)
}

// invitationAccept accepts the link's invitation with the signed-in account,
// whose login must be the invited address, and lands in the organization.
func (h *handler) invitationAccept(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	inv, err := h.Invites.AcceptByToken(r.Context(), v.user.ID, r.PathValue("token"), reqctx.Meta(r, v.user.ID))
	if err != nil {
		if errors.Is(err, invite.ErrInvitationInvalid) {
			return h.render(w, r, http.StatusGone, "invitation_invalid", &Page{TitleKey: "invitation.invalid.title"})
		}
		return err
	}
	if err := h.Accounts.SetSessionOrganization(r.Context(), v.session.ID, inv.OrganizationID); err != nil {
		return err
	}
	return redirect(w, r, "/?joined=1")
}

// invitationDecline declines the link's invitation; no account is needed.
func (h *handler) invitationDecline(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := h.loadInvitation(w, r)
	if !ok {
		return err
	}
	if err := h.Invites.DeclineByToken(r.Context(), p.Token, reqctx.Meta(r, "")); err != nil {
		return h.refuse(w, r, "invitation", p, err)
	}
	p.Declined = true
	return h.render(w, r, http.StatusOK, "invitation", p)
}

// acceptInvitation accepts, from the home page, an invitation sent to the
// user's login address, and switches to the organization.
func (h *handler) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	inv, err := h.Invites.Accept(r.Context(), v.user.ID, r.PathValue("invitation"), reqctx.Meta(r, v.user.ID))
	if err != nil {
		return err
	}
	if err := h.Accounts.SetSessionOrganization(r.Context(), v.session.ID, inv.OrganizationID); err != nil {
		return err
	}
	return redirect(w, r, "/?joined=1")
}

// declineInvitation declines, from the home page, an invitation.
func (h *handler) declineInvitation(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := h.Invites.Decline(r.Context(), v.user.ID, r.PathValue("invitation"), reqctx.Meta(r, v.user.ID)); err != nil {
		return err
	}
	return redirect(w, r, "/?declined=1")
}
