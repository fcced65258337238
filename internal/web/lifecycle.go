package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/reqctx"
)

// lifecycleRoutes adds the product lifecycle pages (REN-2, PRD-4): the
// auto-renewal switch for a selection, a product's timeline, termination
// and its confirmation link.
func (h *handler) lifecycleRoutes(pages *http.ServeMux) {
	pages.Handle("GET /products/auto-renew", h.inOrganization(h.autoRenewForm))
	pages.Handle("POST /products/auto-renew", h.inOrganization(h.autoRenew))
	pages.Handle("GET /products/{product}/timeline", h.inOrganization(h.productTimelinePage))
	pages.Handle("GET /products/{product}/terminate", h.inOrganization(h.terminateForm))
	pages.Handle("POST /products/{product}/terminate", h.inOrganization(h.terminate))
	pages.Handle("GET /terminate/confirm", h.page(h.terminateConfirmForm))
	pages.Handle("POST /terminate/confirm", h.page(h.terminateConfirm))
}

// timelineView is a product's timeline as the partial "timeline" draws it:
// labels and dates already written in the user's language.
type timelineView struct {
	Next      []timelineRow
	Past      []timelineRow
	Pending   string // a termination waiting for its link, or ""
	Scheduled string // a termination confirmed for the due date, or ""
}

// timelineRow is one line of the timeline.
type timelineRow struct {
	Kind   string
	Date   string // YYYY-MM-DD (next steps) or RFC 3339 (past events), for tests and <time>
	When   string // the date as the user reads it
	Label  string
	Detail string
}

// productTimeline builds the timeline view of productID for the signed-in
// user (ORG-8: a product they do not reach is not found). The product page
// shows it with {{template "timeline" .}} when its data has a Timeline.
func (h *handler) productTimeline(r *http.Request, productID string) (*timelineView, error) {
	v := visitorOf(r)
	tl, err := h.Renewal.Timeline(r.Context(), v.user.ID, v.org.ID, productID)
	if err != nil {
		return nil, err
	}
	tr := i18n.New(v.lang, h.onMissing)
	country, tz := v.user.Country, v.user.TimeZone
	day := func(d string) string {
		p := &Page{User: v.user, Lang: tr.Lang()}
		return p.Day(d)
	}
	out := &timelineView{}
	for _, st := range tl.Next {
		row := timelineRow{Kind: st.Kind, Date: st.Date.String(), When: day(st.Date.String()), Label: tr.T("timeline.step." + st.Kind)}
		if st.Kind == renewal.StepReminder || st.Kind == renewal.StepAttempt {
			if st.Days == -1 {
				row.Detail = tr.T("timeline.day_before")
			} else if st.Days < 0 {
				row.Detail = tr.T("timeline.days_before", -st.Days)
			} else {
				row.Detail = tr.T("timeline.on_due_date")
			}
		}
		out.Next = append(out.Next, row)
	}
	for _, e := range tl.Past {
		key := "timeline.event." + e.Kind
		label := e.Kind
		if tr.Has(key) {
			label = tr.T(key)
		}
		row := timelineRow{Kind: e.Kind, Date: e.At.UTC().Format("2006-01-02T15:04:05Z"),
			When: i18n.FormatDate(e.At, tr.Lang(), country, tz), Label: label}
		switch {
		case e.Kind == renewal.EventInvoicePaid:
			amount := e.Data["currency"] + " " + e.Data["amount"]
			if a, err := money.Parse(e.Data["amount"], e.Data["currency"]); err == nil {
				amount = i18n.FormatMoney(a, tr.Lang(), country)
			}
			row.Detail = tr.T("timeline.invoice_detail", e.Data["number"], amount)
		case e.Kind == renewal.EventRenewalNotice:
			days, _ := strconv.Atoi(e.Data["days"])
			row.Detail = tr.T("timeline.due_detail", day(e.Data["due_date"]))
			if days == -1 {
				row.Detail = tr.T("timeline.day_before") + " · " + row.Detail
			} else if days < 0 {
				row.Detail = tr.T("timeline.days_before", -days) + " · " + row.Detail
			}
		case e.Data["due_date"] != "":
			row.Detail = tr.T("timeline.due_detail", day(e.Data["due_date"]))
		}
		out.Past = append(out.Past, row)
	}
	slices.Reverse(out.Past) // newest first, under what comes next
	if t := tl.Termination; t != nil && t.Status == "pending" {
		out.Pending = tr.T("timeline.pending_termination", i18n.FormatDate(t.ExpiresAt, tr.Lang(), country, tz))
	}
	if t := tl.Termination; t != nil && t.Status == "scheduled" {
		out.Scheduled = tr.T("timeline.scheduled_termination", day(t.EffectiveDate))
	}
	return out, nil
}

// timelinePage is a product's timeline with its actions.
type timelinePage struct {
	Page
	Product  product.Product
	Timeline *timelineView
}

// productTimelinePage shows a product's timeline (REN-3, BIL-7, PRD-4).
func (h *handler) productTimelinePage(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	pr, err := h.Products.Get(r.Context(), v.user.ID, v.org.ID, r.PathValue("product"))
	if err != nil {
		return err
	}
	p := &timelinePage{Page: Page{Nav: "products:" + pr.Type}, Product: pr}
	p.Title = pr.Name
	if p.Timeline, err = h.productTimeline(r, pr.ID); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "lifecycle_timeline", p)
}

// autoRenewPage is the list of products with a checkbox each, to switch
// auto-renewal on or off for a selection (REN-2).
type autoRenewPage struct {
	Page
	Products  []product.Product
	Methods   []billing.PaymentMethod
	NoBilling string // why the user may not switch (ORG-8), or ""
	Selected  []string
	MethodID  string
	Refused   string // names of the products a refusal is about
}

// Checked reports whether product id is selected.
func (p *autoRenewPage) Checked(id string) bool { return slices.Contains(p.Selected, id) }

// MethodLabel is the label of saved method id, or "".
func (p *autoRenewPage) MethodLabel(id string) string {
	for _, m := range p.Methods {
		if m.ID == id {
			return m.Label
		}
	}
	return ""
}

func (h *handler) newAutoRenewPage(r *http.Request) (*autoRenewPage, error) {
	v := visitorOf(r)
	p := &autoRenewPage{Page: Page{TitleKey: "autorenew.title", Nav: "products"}}
	all, err := h.Products.ListForUser(r.Context(), v.user.ID, v.org.ID, product.Filter{})
	if err != nil {
		return nil, err
	}
	for _, pr := range all {
		if pr.Status == "active" || pr.Status == "blocked" {
			p.Products = append(p.Products, pr)
		}
	}
	p.Methods, err = h.Billing.ListPaymentMethods(r.Context(), v.user.ID, v.org.ID)
	if e := apperr.As(err); e != nil && e.Status == http.StatusForbidden {
		p.NoBilling, err = i18n.T(v.lang, e.Key()), nil
	}
	return p, err
}

// autoRenewForm shows the products with their auto-renewal.
func (h *handler) autoRenewForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newAutoRenewPage(r)
	if err != nil {
		return err
	}
	if id := r.URL.Query().Get("selected"); id != "" { // from a product's page
		for _, pr := range p.Products {
			if pr.ID == id {
				p.Selected = []string{id}
			}
		}
	}
	switch r.URL.Query().Get("done") {
	case "on":
		p.NoticeKey = "autorenew.switched_on"
	case "off":
		p.NoticeKey = "autorenew.switched_off"
	}
	return h.render(w, r, http.StatusOK, "lifecycle_auto_renew", p)
}

// autoRenew switches auto-renewal for the selected products, all or none
// (REN-2, REN-4).
func (h *handler) autoRenew(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newAutoRenewPage(r)
	if err != nil {
		return err
	}
	p.Selected, p.MethodID = formList(r, "product_ids"), r.PostFormValue("payment_method_id")
	enabled := r.PostFormValue("enabled") == "on"
	if len(p.Selected) == 0 {
		return h.refuse(w, r, "lifecycle_auto_renew", p,
			apperr.Validation.With("Select at least one product.").Field("product_ids"))
	}
	if _, err := h.Renewal.SetAutoRenew(r.Context(), v.user.ID, v.org.ID, p.Selected, enabled, p.MethodID, reqctx.Meta(r, v.user.ID)); err != nil {
		if e := apperr.As(err); e != nil && e.Attribute == "product_ids" {
			var names []string
			for _, pr := range p.Products {
				if slices.Contains(e.Values, pr.ID) {
					names = append(names, pr.Name)
				}
			}
			p.Refused = strings.Join(names, ", ")
		}
		return h.refuse(w, r, "lifecycle_auto_renew", p, err)
	}
	done := "off"
	if enabled {
		done = "on"
	}
	return redirect(w, r, "/products/auto-renew?done="+done)
}

// terminatePage asks to terminate a product (PRD-4).
type terminatePage struct {
	Page
	Product  product.Product
	Timeline *timelineView
	When     string
	CanWhy   string // why the user may not terminate (ORG-10), or ""
	Result   *renewal.Termination
	AtOnce   bool // the type needs no e-mailed link: asking terminates
}

func (h *handler) newTerminatePage(r *http.Request) (*terminatePage, error) {
	v := visitorOf(r)
	pr, err := h.Products.Get(r.Context(), v.user.ID, v.org.ID, r.PathValue("product"))
	if err != nil {
		return nil, err
	}
	p := &terminatePage{Page: Page{TitleKey: "terminate.title", Nav: "products:" + pr.Type}, Product: pr, When: renewal.WhenDueDate}
	if pr.DueDate == "" {
		p.When = renewal.WhenNow
	}
	if p.Timeline, err = h.productTimeline(r, pr.ID); err != nil {
		return nil, err
	}
	if v.org.Role != "legal_representative" && v.org.Role != "administrator" {
		p.CanWhy = i18n.T(v.lang, "error.administrator_required")
	}
	if c, err := h.Catalog.Current(r.Context()); err == nil {
		p.AtOnce = !renewal.NeedsConfirmation(c.Catalog, pr.Type)
	}
	return p, nil
}

// terminateForm shows the product's timeline and the termination form.
func (h *handler) terminateForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newTerminatePage(r)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("sent") {
	case "link":
		p.NoticeKey = "terminate.link_sent"
	case "done":
		p.NoticeKey = "terminate.done"
	}
	return h.render(w, r, http.StatusOK, "lifecycle_terminate", p)
}

// terminate asks for the termination: a link is e-mailed, or the product
// is terminated at once for types without confirmation.
func (h *handler) terminate(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newTerminatePage(r)
	if err != nil {
		return err
	}
	p.When = r.PostFormValue("when")
	t, err := h.Renewal.RequestTermination(r.Context(), v.user.ID, v.org.ID, p.Product.ID, p.When, reqctx.Meta(r, v.user.ID))
	if err != nil {
		return h.refuse(w, r, "lifecycle_terminate", p, err)
	}
	sent := "done"
	if t.Status == "pending" {
		sent = "link"
	}
	return redirect(w, r, "/products/"+url.PathEscape(p.Product.ID)+"/terminate?sent="+sent)
}

// terminateConfirmPage is the page of a termination link: it asks to
// confirm (a GET changes nothing), then tells what happened.
type terminateConfirmPage struct {
	Page
	Token       string
	Termination renewal.Termination
	Done        bool
	Invalid     bool
}

// When is the termination's effect as the user reads it.
func (p *terminateConfirmPage) When() string {
	if p.Termination.When == renewal.WhenDueDate {
		day := p.Termination.EffectiveDate
		if day == "" {
			day = p.Termination.ProductDue
		}
		if day == "" {
			return p.T("terminate.confirm.at_due_date")
		}
		return p.T("terminate.confirm.on", p.Day(day))
	}
	return p.T("terminate.confirm.now")
}

// terminateConfirmForm shows what a termination link will do.
func (h *handler) terminateConfirmForm(w http.ResponseWriter, r *http.Request) error {
	token := strings.TrimSpace(r.URL.Query().Get("token"))
	p := &terminateConfirmPage{Page: Page{TitleKey: "terminate.confirm.title"}, Token: token}
	if err := h.loadIfSignedIn(r); err != nil {
		return err
	}
	t, err := h.Renewal.TerminationByToken(r.Context(), token)
	if errors.Is(err, renewal.ErrTerminationLinkInvalid) {
		p.Invalid = true
		return h.render(w, r, http.StatusGone, "lifecycle_confirm", p)
	}
	if err != nil {
		return err
	}
	p.Termination = t
	return h.render(w, r, http.StatusOK, "lifecycle_confirm", p)
}

// terminateConfirm uses the link (PRD-4).
func (h *handler) terminateConfirm(w http.ResponseWriter, r *http.Request) error {
	token := strings.TrimSpace(r.PostFormValue("token"))
	p := &terminateConfirmPage{Page: Page{TitleKey: "terminate.confirm.title"}, Token: token}
	if err := h.loadIfSignedIn(r); err != nil {
		return err
	}
	actor := ""
	if v := visitorOf(r); v.user != nil {
		actor = v.user.ID
	}
	t, err := h.Renewal.ConfirmTermination(r.Context(), token, reqctx.Meta(r, actor))
	if errors.Is(err, renewal.ErrTerminationLinkInvalid) {
		p.Invalid = true
		return h.render(w, r, http.StatusGone, "lifecycle_confirm", p)
	}
	if err != nil {
		return err
	}
	p.Termination, p.Done = t, true
	return h.render(w, r, http.StatusOK, "lifecycle_confirm", p)
}

// loadIfSignedIn loads a signed-in visitor's organizations, so that a page
// open to everyone is drawn in the console's layout for them.
func (h *handler) loadIfSignedIn(r *http.Request) error {
	if v := visitorOf(r); v.user != nil {
		return h.loadOrganizations(r, v)
	}
	return nil
}
