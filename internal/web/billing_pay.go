package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/reqctx"
)

// duePage is the data of "To pay" (BIL-1..4): the items with a checkbox
// each, a period per renewal, the total of the selection, the method and
// the prepaid part.
type duePage struct {
	billingPage
	All      bool // every item, not only the next 2 months
	Items    []billing.DueItem
	Methods  []billing.PaymentMethod
	Prepaid  []billing.PrepaidAccount
	Selected []string          // item keys: "order:ID", "invoice:ID", "product:ID"
	Periods  map[string]string // product id → period chosen (BIL-3)
	Method   string            // "pm:ID" for a saved method, or card, postfinance, paypal, twint, iban
	Amount   string            // the prepaid part, as typed
	Save     bool              // keep the card used on the payment page
	Key      string            // idempotency key of this form: a second click pays once
	Summary  dueSummary
}

// dueSummary is the total of the selection and how it is split.
type dueSummary struct {
	Count    int
	Currency string
	Mixed    bool // items in several currencies (refused when paid)
	Total    money.Amount
	Prepaid  money.Amount // the part from the prepaid account
	Rest     money.Amount // the part of the method chosen
	Balance  money.Amount // what the prepaid account holds in Currency, holds deducted
}

// ItemKey is the form value of an item's checkbox.
func (p *duePage) ItemKey(it billing.DueItem) string {
	switch it.Kind {
	case "order":
		return "order:" + it.OrderID
	case "renewal":
		return "product:" + it.ProductID
	}
	return "invoice:" + it.InvoiceID
}

// IsSelected reports whether the item's checkbox is ticked.
func (p *duePage) IsSelected(it billing.DueItem) bool {
	return slices.Contains(p.Selected, p.ItemKey(it))
}

// Period is the period chosen for a renewal.
func (p *duePage) Period(it billing.DueItem) string {
	if v := p.Periods[it.ProductID]; v != "" {
		return v
	}
	return it.Period
}

// ItemAmount is what an item costs with the period chosen, VAT included.
func (p *duePage) ItemAmount(it billing.DueItem) money.Amount {
	if it.Kind == "renewal" {
		chosen := p.Period(it)
		for _, per := range it.Periods {
			if per.Period == chosen {
				return per.Total
			}
		}
	}
	return it.Amount
}

// MethodWhy is why a method cannot pay the selection ("" when it can):
// PostFinance Card pays in CHF only (BIL-4).
func (p *duePage) MethodWhy(method string) string {
	if method == billing.MethodPostFinance && p.Summary.Currency != "" && p.Summary.Currency != "CHF" {
		return p.T("billing.pay.postfinance_chf")
	}
	return ""
}

// OtherMethods are the methods paid on the gateway's page or by transfer
// (BIL-4), offered after the saved ones.
func (p *duePage) OtherMethods() []string {
	return []string{billing.MethodCard, billing.MethodPostFinance, billing.MethodPayPal, billing.MethodTwint, billing.MethodIBAN}
}

// AmountIDs are the amount cells of the renewals, which htmx refreshes
// with the summary when a period changes ("#amount-ID,…").
func (p *duePage) AmountIDs() string {
	var ids []string
	for _, it := range p.Items {
		if it.Kind == "renewal" {
			ids = append(ids, "#amount-"+it.ProductID)
		}
	}
	return strings.Join(ids, ",")
}

// summarize computes the total of the selection and its split.
func (p *duePage) summarize() {
	s := dueSummary{}
	var total int64
	for _, it := range p.Items {
		if !p.IsSelected(it) {
			continue
		}
		a := p.ItemAmount(it)
		if s.Currency == "" {
			s.Currency = a.Currency
		} else if a.Currency != s.Currency {
			s.Mixed = true
		}
		s.Count++
		total += a.Minor
	}
	if s.Mixed {
		total = 0 // CHF and EUR do not add up: the warning says to pay them apart
	}
	if s.Currency == "" && len(p.Items) > 0 {
		s.Currency = p.Items[0].Amount.Currency
	}
	for _, acc := range p.Prepaid {
		if acc.Currency == s.Currency {
			s.Balance = money.Amount{Minor: acc.Balance.Minor - acc.Reserved.Minor, Currency: acc.Currency}
		}
	}
	if s.Balance.Currency == "" {
		s.Balance = money.Amount{Currency: s.Currency}
	}
	part := int64(0)
	if a, err := parseAmount(p.Amount, s.Currency, "prepaid_amount"); err == nil && s.Currency != "" {
		part = min(a.Minor, total)
	}
	s.Total = money.Amount{Minor: total, Currency: s.Currency}
	s.Prepaid = money.Amount{Minor: part, Currency: s.Currency}
	s.Rest = money.Amount{Minor: total - part, Currency: s.Currency}
	p.Summary = s
}

// newDuePage loads the list, the saved methods and the prepaid balances.
func (h *handler) newDuePage(r *http.Request, all bool) (*duePage, error) {
	v := visitorOf(r)
	ctx := r.Context()
	p := &duePage{billingPage: billingPage{Page{TitleKey: "billing.due.title", Nav: "billing"}}, All: all,
		Periods: map[string]string{}, Key: id.New()}
	var err error
	if p.Items, err = h.Billing.Due(ctx, v.user.ID, v.org.ID, all); err != nil {
		return nil, err
	}
	if p.Methods, err = h.Billing.ListPaymentMethods(ctx, v.user.ID, v.org.ID); err != nil {
		return nil, err
	}
	if p.Prepaid, err = h.Billing.Prepaid(ctx, v.user.ID, v.org.ID); err != nil {
		return nil, err
	}
	p.Method = billing.MethodCard
	for _, m := range p.Methods {
		if m.Default {
			p.Method = "pm:" + m.ID
		}
	}
	return p, nil
}

// due shows what is to pay: the next 2 months, or everything with
// ?range=all (BIL-1). ?selected= ticks items (a new order); the return from
// a payment page adds its outcome.
func (h *handler) due(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := h.newDuePage(r, q.Get("range") == "all")
	if err != nil {
		return err
	}
	for _, k := range q["selected"] {
		if !slices.Contains(p.Selected, k) {
			p.Selected = append(p.Selected, k)
		}
	}
	switch {
	case q.Has("ordered"):
		p.NoticeKey = "billing.due.ordered"
	case q.Has("pending"):
		p.WarningKey = "billing.due.pending"
	case q.Has("canceled"):
		p.WarningKey = "billing.due.canceled"
	case failures[q.Get("failed")] != nil:
		p.refusal = failures[q.Get("failed")]
	}
	p.summarize()
	return h.render(w, r, http.StatusOK, "billing_due", p)
}

// readSelection fills the page from the form: items, periods, method,
// prepaid part.
func (p *duePage) readSelection(r *http.Request) {
	p.Selected = formList(r, "item")
	for _, k := range p.Selected {
		if pid, ok := strings.CutPrefix(k, "product:"); ok {
			if per := strings.TrimSpace(r.PostFormValue("period_" + pid)); per != "" {
				p.Periods[pid] = per
			}
		}
	}
	if m := strings.TrimSpace(r.PostFormValue("method")); m != "" {
		p.Method = m
	}
	p.Amount = strings.TrimSpace(r.PostFormValue("prepaid_amount"))
	p.Save = checked(r, "save_method")
	p.summarize()
}

// dueSummary draws the page again with the selection of the form: htmx
// asks for it when a checkbox, a period or the prepaid part changes and
// keeps the summary; without JavaScript it is the "Update the total" button.
func (h *handler) dueSummary(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newDuePage(r, r.PostFormValue("range") == "all")
	if err != nil {
		return err
	}
	p.readSelection(r)
	return h.render(w, r, http.StatusOK, "billing_due", p)
}

// pay pays the selection with one invoice and one payment (BIL-2): a saved
// method or the prepaid account are charged now; a card, PostFinance Card,
// PayPal or Twint go to the payment page; a bank transfer gets its
// pro-forma. A refusal (declined card, prepaid_insufficient,
// currency_mismatch…) is shown on the form with the selection kept.
func (h *handler) pay(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newDuePage(r, r.PostFormValue("range") == "all")
	if err != nil {
		return err
	}
	p.readSelection(r)
	in := billing.PayInput{IdempotencyKey: strings.TrimSpace(r.PostFormValue("key")), SaveMethod: p.Save,
		ReturnURL: h.returnURL(r, "pay"), CancelURL: h.returnURL(r, "pay")}
	for _, k := range p.Selected {
		kind, ident, _ := strings.Cut(k, ":")
		switch kind {
		case "order":
			in.Items = append(in.Items, billing.PayItem{OrderID: ident})
		case "invoice":
			in.Items = append(in.Items, billing.PayItem{InvoiceID: ident})
		case "product":
			in.Items = append(in.Items, billing.PayItem{ProductID: ident, Period: p.Periods[ident]})
		}
	}
	if pm, ok := strings.CutPrefix(p.Method, "pm:"); ok {
		in.PaymentMethodID = pm
	} else {
		in.Method = p.Method
	}
	if len(in.Items) == 0 {
		return h.refuse(w, r, "billing_due", p, apperr.Validation.With("Select at least one item to pay.").Field("items", ""))
	}
	if in.Prepaid, err = parseAmount(p.Amount, p.Summary.Currency, "prepaid_amount"); err != nil {
		return h.refuse(w, r, "billing_due", p, err)
	}
	res, err := h.Billing.Pay(r.Context(), v.user.ID, v.org.ID, in, reqctx.Meta(r, v.user.ID))
	if isOutcomeUnknown(err) {
		return redirect(w, r, "/billing?pending=1")
	}
	if err != nil {
		if apperr.As(err) == nil {
			return err
		}
		// The same form again would answer the same refusal: a new key.
		p.Key = id.New()
		return h.refuse(w, r, "billing_due", p, err)
	}
	return h.afterPayment(w, r, res, "pay")
}

// afterPayment sends the customer where a payment's outcome is shown.
func (h *handler) afterPayment(w http.ResponseWriter, r *http.Request, res billing.PayResult, forWhat string) error {
	switch res.Status {
	case billing.StatusRequiresAction:
		return redirect(w, r, res.RedirectURL)
	case billing.StatusAwaitingTransfer:
		if res.Invoice != nil {
			return redirect(w, r, "/billing/invoices/"+res.Invoice.ID+"?transfer=1")
		}
	case billing.StatusSucceeded:
		switch forWhat {
		case "deposit":
			return redirect(w, r, "/billing/prepaid?deposited=1")
		case "method":
			return redirect(w, r, "/billing/methods?added=1")
		}
		if res.Invoice != nil {
			return redirect(w, r, "/billing/invoices/"+res.Invoice.ID+"?paid=1")
		}
	case billing.StatusFailed:
		code := res.FailureCode
		if failures[code] == nil {
			code = "card_declined"
		}
		return redirect(w, r, backTo(forWhat)+"?failed="+code)
	case billing.StatusCanceled:
		return redirect(w, r, backTo(forWhat)+"?canceled=1")
	}
	return redirect(w, r, backTo(forWhat)+"?pending=1")
}

// backTo is the page a payment for forWhat started from.
func backTo(forWhat string) string {
	switch forWhat {
	case "deposit":
		return "/billing/prepaid"
	case "method":
		return "/billing/methods"
	}
	return "/billing"
}

// checkoutReturn is where the payment page sends the customer back
// (?checkout= the page's id): the outcome is read from the gateway
// (CompleteCheckoutFor), never from the redirect alone; an attempt of
// another organization is not found.
func (h *handler) checkoutReturn(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	forWhat := q.Get("for")
	if !slices.Contains([]string{"pay", "deposit", "method"}, forWhat) {
		forWhat = "pay"
	}
	// The organization the payment was for (the customer may have switched
	// organization in another tab meanwhile); billing checks the rights.
	orgID := visitorOf(r).org.ID
	if o := q.Get("org"); id.Valid(o) {
		orgID = o
	}
	res, purpose, err := h.Billing.CompleteCheckoutFor(r.Context(), visitorOf(r).user.ID, orgID, q.Get("checkout"))
	if isOutcomeUnknown(err) {
		return redirect(w, r, backTo(forWhat)+"?pending=1")
	}
	if err != nil {
		return err
	}
	if v := visitorOf(r); orgID != v.org.ID {
		// Show the outcome in the organization that paid.
		if err := h.Accounts.SetSessionOrganization(r.Context(), v.session.ID, orgID); err != nil {
			return err
		}
	}
	switch purpose {
	case "deposit":
		forWhat = "deposit"
	case "save_method":
		forWhat = "method"
	default:
		forWhat = "pay"
	}
	if res.Status == billing.StatusRequiresAction {
		res.Status = "pending" // back without finishing: not paid
	}
	return h.afterPayment(w, r, res, forWhat)
}
