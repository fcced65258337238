package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/reqctx"
)

//go:embed templates
var templateFS embed.FS

// view is a parsed page template and the layout it is drawn in: "app" (menu,
// switcher, avatar), "auth" (a centred card for anonymous pages) or "" (app
// when signed in, auth otherwise).
type view struct {
	tpl    *template.Template
	layout string
}

// viewLayouts declares every view; parseViews fails on a template file that
// is not declared here, and on a declared view without its file.
var viewLayouts = map[string]string{
	"signin":             "auth",
	"signup":             "auth",
	"signup_done":        "auth",
	"confirm_ok":         "auth",
	"confirm_invalid":    "auth",
	"resend":             "auth",
	"home":               "app",
	"profile":            "app",
	"tokens":             "app",
	"security":           "app",
	"second_factor":      "auth",
	"second_factor_push": "phone_fragment",
	"phone":              "phone",
	"phone_requests":     "phone_fragment",
	"phone_pair":         "phone",
	"phone_link":         "phone",
	"phone_pairing":      "app",
	"phone_pair_state":   "phone_fragment",
	"totp_setup":         "app",
	"backup_codes":       "app",
	"activity":           "app",
	"org_new":            "app",
	"organization":       "app",
	"users":              "app",
	"member":             "app",
	"invite":             "app",
	"teams":              "app",
	"team":               "app",
	"products":           "app",
	"product":            "app",
	"invitation":         "auth",
	"invitation_invalid": "auth",
	"error":              "",
	"recovery":           "auth",
	"recovery_login":     "auth",
	"lost_method":        "auth",
	"recovery_mode":      "auth",
	"link_result":        "auth",

	// Product lifecycle (REN-2, PRD-4).
	"lifecycle_timeline":   "app",
	"lifecycle_auto_renew": "app",
	"lifecycle_terminate":  "app",
	"lifecycle_confirm":    "",
	// The Billing section (BIL-1..6).
	"billing_due":          "app",
	"billing_order":        "app",
	"billing_orders":       "app",
	"billing_order_detail": "app",
	"billing_invoices":     "app",
	"billing_invoice":      "app",
	"billing_methods":      "app",
	"billing_prepaid":      "app",
}

func parseViews(a *assets) (map[string]*view, error) {
	funcs := template.FuncMap{
		"asset": a.path,
		"icon":  icon,
		"has":   has,
		"initials": func(first, last string) string {
			return account.User{FirstName: first, LastName: last}.Initials()
		},
		"entry": func(label, reason string) menuEntry { return menuEntry{Label: label, Reason: reason} },
		"logo":  func() template.HTML { return template.HTML(logo) }, // #nosec G203 -- constant markup
	}
	entries, err := templateFS.ReadDir("templates/views")
	if err != nil {
		return nil, fmt.Errorf("reading views: %w", err)
	}
	views := map[string]*view{}
	for _, e := range entries {
		name := e.Name()[:len(e.Name())-len(".html")]
		layout, ok := viewLayouts[name]
		if !ok {
			return nil, fmt.Errorf("view %s is not declared in viewLayouts", name)
		}
		tpl, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout/*.html", "templates/views/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("parsing view %s: %w", name, err)
		}
		views[name] = &view{tpl: tpl, layout: layout}
	}
	for name := range viewLayouts {
		if views[name] == nil {
			return nil, fmt.Errorf("view %s has no template file", name)
		}
	}
	return views, nil
}

// render draws a view with data, answering with status. The page is drawn
// in a buffer first, so that a template error becomes a clean 500.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data pageData) error {
	v, ok := h.views[name]
	if !ok {
		return fmt.Errorf("web: unknown view %q", name)
	}
	p := data.base()
	h.fill(p, r)
	layout := v.layout
	if layout == "" {
		layout = "auth"
		if p.User != nil && p.Org.ID != "" {
			layout = "app"
		}
	}
	var buf bytes.Buffer
	if err := v.tpl.ExecuteTemplate(&buf, "layout_"+layout, data); err != nil {
		return fmt.Errorf("web: rendering %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// refuse draws a form again after a refusal (an *apperr.Error), with the
// translated message and the user's input that the view's data still holds.
// Any other error is returned for the 500 page.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, name string, data pageData, err error) error {
	e := apperr.As(err)
	if e == nil || e.Status >= 500 {
		return err
	}
	data.base().refusal = e
	return h.render(w, r, e.Status, name, data)
}

// menuEntry is an entry of a ⋮ menu drawn disabled with its reason (ORG-10).
type menuEntry struct{ Label, Reason string }

// errorPage is the data of the error view.
type errorPage struct {
	Page
	Message    string
	Unexpected bool
	NotFound   bool
}

// fail is the one error renderer: a refusal no form handled is shown with
// its translated message and status; an unauthenticated visitor is sent to
// sign in; anything else is logged and shown as a 500 page with the request
// id to quote.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if e := apperr.As(err); e != nil && e.Status < 500 {
		if errors.Is(e, apperr.NotAuthorized) {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		p := &errorPage{Page: Page{TitleKey: "error.refused_title", refusal: e}, NotFound: errors.Is(e, apperr.NotFound)}
		if err := h.render(w, r, e.Status, "error", p); err == nil {
			return
		}
	}
	id := reqctx.RequestID(r.Context())
	h.Logger.ErrorContext(r.Context(), "console request failed", "method", r.Method, "path", reqctx.LogPath(r.URL.Path),
		"request_id", id, "error", err)
	p := &errorPage{Page: Page{TitleKey: "error.unexpected_title"}, Unexpected: true}
	if rerr := h.render(w, r, http.StatusInternalServerError, "error", p); rerr != nil {
		h.Logger.ErrorContext(r.Context(), "rendering the error page failed", "request_id", id, "error", rerr)
		http.Error(w, "Internal error. Request id: "+id, http.StatusInternalServerError)
	}
}

// notFound answers every path the console does not know.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) error {
	p := &errorPage{Page: Page{TitleKey: "notfound.title"}, NotFound: true}
	if v := visitorOf(r); v.user != nil {
		if err := h.loadOrganizations(r, v); err != nil {
			return err
		}
	}
	return h.render(w, r, http.StatusNotFound, "error", p)
}
