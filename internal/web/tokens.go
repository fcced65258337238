package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/token"
)

// tokensPage is the data of the API tokens page (API-1, ACC-3).
type tokensPage struct {
	Page
	Tokens  []token.Token
	Name    string // the form's input
	Expires string // the form's input, YYYY-MM-DD
	MinDate string // tomorrow, for the date picker
	Secret  string // the new token's secret, shown this once
	Created token.Token
	now     time.Time
}

// Expired reports whether t no longer works.
func (p *tokensPage) Expired(t token.Token) bool {
	return t.ExpiresAt != nil && !t.ExpiresAt.After(p.now)
}

func (h *handler) newTokensPage(r *http.Request) (*tokensPage, error) {
	v := visitorOf(r)
	list, err := h.Tokens.List(r.Context(), v.user.ID)
	if err != nil {
		return nil, err
	}
	now := h.Clock.Now()
	loc := i18n.Location(v.user.TimeZone)
	return &tokensPage{Page: Page{TitleKey: "tokens.title", Nav: "tokens"}, Tokens: list, now: now,
		MinDate: now.In(loc).AddDate(0, 0, 1).Format(time.DateOnly)}, nil
}

// tokens lists the user's API tokens with the form to create one.
func (h *handler) tokens(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newTokensPage(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Has("deleted") {
		p.NoticeKey = "tokens.deleted"
	}
	return h.render(w, r, http.StatusOK, "tokens", p)
}

// createToken makes a token and shows its secret once. The page is drawn
// in answer to the POST, so the secret is never stored anywhere to be shown
// again.
func (h *handler) createToken(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	expires := strings.TrimSpace(r.PostFormValue("expires"))
	var expiresAt *time.Time
	var err error
	if expires != "" {
		// The token works until the end of the chosen day, in the user's time zone.
		day, perr := time.ParseInLocation(time.DateOnly, expires, i18n.Location(v.user.TimeZone))
		if perr != nil {
			err = apperr.Validation.With("Enter the expiry as a date.").Field("expires_at", expires)
		} else {
			end := day.AddDate(0, 0, 1).Add(-time.Second)
			expiresAt = &end
		}
	}
	var secret string
	var created token.Token
	if err == nil {
		secret, created, err = h.Tokens.CreateCustomer(r.Context(), v.user.ID, name, nil, expiresAt, reqctx.Meta(r, v.user.ID))
	}
	p, lerr := h.newTokensPage(r)
	if lerr != nil {
		return lerr
	}
	if err != nil {
		p.Name, p.Expires = name, expires
		return h.refuse(w, r, "tokens", p, err)
	}
	p.Secret, p.Created = secret, created
	return h.render(w, r, http.StatusOK, "tokens", p)
}

// deleteToken revokes one of the user's tokens; another user's is "not found".
func (h *handler) deleteToken(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := h.Tokens.Delete(r.Context(), v.user.ID, r.PathValue("id"), reqctx.Meta(r, v.user.ID)); err != nil {
		return err
	}
	return redirect(w, r, "/profile/tokens?deleted=1")
}
