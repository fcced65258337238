package web

import (
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/reqctx"
)

// methodsPage is the data of the saved payment methods (BIL-4): the list,
// the default, and adding one through the gateway's page.
type methodsPage struct {
	billingPage
	Methods []billing.PaymentMethod
	Add     string // the type chosen to add
	Key     string // idempotency key of the add form
	// Currencies the catalog sells in; Currency the one chosen for the
	// method to add (PostFinance Card pays in CHF only, BIL-4).
	Currencies []string
	Currency   string
}

// AddTypes are the methods that can be saved.
func (p *methodsPage) AddTypes() []string {
	return []string{billing.MethodCard, billing.MethodPostFinance, billing.MethodPayPal, billing.MethodTwint}
}

func (h *handler) newMethodsPage(r *http.Request) (*methodsPage, error) {
	v := visitorOf(r)
	p := &methodsPage{billingPage: billingPage{Page{TitleKey: "billing.methods.title", Nav: "billing:methods"}},
		Add: billing.MethodCard, Key: id.New()}
	var err error
	if p.Methods, err = h.Billing.ListPaymentMethods(r.Context(), v.user.ID, v.org.ID); err != nil {
		return nil, err
	}
	if c, err := h.Catalog.Current(r.Context()); err == nil {
		p.Currencies = c.Catalog.Currencies
	}
	if len(p.Currencies) == 0 {
		p.Currencies = []string{"CHF"}
	}
	p.Currency = p.Currencies[0]
	return p, nil
}

// paymentMethods lists the saved methods.
func (h *handler) paymentMethods(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newMethodsPage(r)
	if err != nil {
		return err
	}
	switch q := r.URL.Query(); {
	case q.Has("added"):
		p.NoticeKey = "billing.methods.added"
	case q.Has("removed"):
		p.NoticeKey = "billing.methods.removed"
	case q.Has("default"):
		p.NoticeKey = "billing.methods.default_set"
	case q.Has("canceled"):
		p.WarningKey = "billing.methods.add_canceled"
	case q.Has("pending"):
		p.WarningKey = "billing.due.pending"
	case failures[q.Get("failed")] != nil:
		p.refusal = failures[q.Get("failed")]
	}
	return h.render(w, r, http.StatusOK, "billing_methods", p)
}

// addPaymentMethod opens the gateway's page where the customer saves a
// card, a PostFinance Card, PayPal or Twint without paying.
func (h *handler) addPaymentMethod(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newMethodsPage(r)
	if err != nil {
		return err
	}
	p.Add = strings.TrimSpace(r.PostFormValue("type"))
	if c := strings.TrimSpace(r.PostFormValue("currency")); c != "" {
		p.Currency = c
	}
	res, err := h.Billing.AddPaymentMethod(r.Context(), v.user.ID, v.org.ID, p.Add, p.Currency,
		strings.TrimSpace(r.PostFormValue("key")), h.returnURL(r, "method"), h.returnURL(r, "method"), reqctx.Meta(r, v.user.ID))
	if isOutcomeUnknown(err) {
		return redirect(w, r, "/billing/methods?pending=1")
	}
	if err != nil {
		return h.refuse(w, r, "billing_methods", p, err)
	}
	return h.afterPayment(w, r, res, "method")
}

// defaultPaymentMethod makes a saved method the default.
func (h *handler) defaultPaymentMethod(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := h.Billing.SetDefaultPaymentMethod(r.Context(), v.user.ID, v.org.ID, r.PathValue("method"), reqctx.Meta(r, v.user.ID)); err != nil {
		p, perr := h.newMethodsPage(r)
		if perr != nil {
			return perr
		}
		return h.refuse(w, r, "billing_methods", p, err)
	}
	return redirect(w, r, "/billing/methods?default=1")
}

// removePaymentMethod removes a saved method; one that products renew with
// is refused (payment_method_in_use) on the list.
func (h *handler) removePaymentMethod(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	if err := h.Billing.RemovePaymentMethod(r.Context(), v.user.ID, v.org.ID, r.PathValue("method"), reqctx.Meta(r, v.user.ID)); err != nil {
		p, perr := h.newMethodsPage(r)
		if perr != nil {
			return perr
		}
		return h.refuse(w, r, "billing_methods", p, err)
	}
	return redirect(w, r, "/billing/methods?removed=1")
}
