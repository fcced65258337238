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

// prepaidPage is the data of the prepaid account (BIL-4, BIL-5): the
// balance per currency, the ledger and the deposit form.
type prepaidPage struct {
	billingPage
	Accounts []billing.PrepaidAccount
	Methods  []billing.PaymentMethod
	Amount   string // the deposit, as typed
	Currency string
	Method   string // "pm:ID", card, postfinance or iban
	Key      string
}

// Currencies are the currencies a deposit may be made in.
func (p *prepaidPage) Currencies() []string { return []string{"CHF", "EUR"} }

// DepositMethods are the methods a deposit may be paid with (BIL-5).
func (p *prepaidPage) DepositMethods() []string {
	return []string{billing.MethodCard, billing.MethodPostFinance, billing.MethodIBAN}
}

// Available is a balance minus what payments under way hold.
func (p *prepaidPage) Available(a billing.PrepaidAccount) money.Amount {
	return money.Amount{Minor: a.Balance.Minor - a.Reserved.Minor, Currency: a.Currency}
}

// EntryKind is the name of a ledger entry's kind.
func (p *prepaidPage) EntryKind(kind string) string { return p.T("billing.prepaid.kind." + kind) }

func (h *handler) newPrepaidPage(r *http.Request) (*prepaidPage, error) {
	v := visitorOf(r)
	ctx := r.Context()
	p := &prepaidPage{billingPage: billingPage{Page{TitleKey: "billing.prepaid.title", Nav: "billing:prepaid"}},
		Currency: "CHF", Method: billing.MethodCard, Key: id.New()}
	var err error
	if p.Accounts, err = h.Billing.Prepaid(ctx, v.user.ID, v.org.ID); err != nil {
		return nil, err
	}
	if p.Methods, err = h.Billing.ListPaymentMethods(ctx, v.user.ID, v.org.ID); err != nil {
		return nil, err
	}
	for _, m := range p.Methods {
		if m.Default && m.Type == billing.MethodCard {
			p.Method = "pm:" + m.ID
		}
	}
	return p, nil
}

// prepaid shows the balances, the ledger and the deposit form.
func (h *handler) prepaid(w http.ResponseWriter, r *http.Request) error {
	p, err := h.newPrepaidPage(r)
	if err != nil {
		return err
	}
	switch q := r.URL.Query(); {
	case q.Has("deposited"):
		p.NoticeKey = "billing.prepaid.deposited"
	case q.Has("canceled"):
		p.WarningKey = "billing.due.canceled"
	case q.Has("pending"):
		p.WarningKey = "billing.due.pending"
	case failures[q.Get("failed")] != nil:
		p.refusal = failures[q.Get("failed")]
	}
	return h.render(w, r, http.StatusOK, "billing_prepaid", p)
}

// deposit credits the prepaid account once paid (BIL-5): a saved card now,
// a card or PostFinance Card on the gateway's page, a transfer against a
// pro-forma. deposit_out_of_range is shown on the amount.
func (h *handler) deposit(w http.ResponseWriter, r *http.Request) error {
	v := visitorOf(r)
	p, err := h.newPrepaidPage(r)
	if err != nil {
		return err
	}
	p.Amount = strings.TrimSpace(r.PostFormValue("amount"))
	if c := r.PostFormValue("currency"); slices.Contains(p.Currencies(), c) {
		p.Currency = c
	}
	if m := strings.TrimSpace(r.PostFormValue("method")); m != "" {
		p.Method = m
	}
	amount, err := parseAmount(p.Amount, p.Currency, "amount")
	if err != nil {
		return h.refuse(w, r, "billing_prepaid", p, err)
	}
	in := billing.DepositInput{Amount: amount, IdempotencyKey: strings.TrimSpace(r.PostFormValue("key")),
		ReturnURL: h.returnURL(r, "deposit")}
	if pm, ok := strings.CutPrefix(p.Method, "pm:"); ok {
		in.PaymentMethodID = pm
	} else {
		in.Method = p.Method
	}
	res, err := h.Billing.Deposit(r.Context(), v.user.ID, v.org.ID, in, reqctx.Meta(r, v.user.ID))
	if isOutcomeUnknown(err) {
		return redirect(w, r, "/billing/prepaid?pending=1")
	}
	if err != nil {
		if apperr.As(err) == nil {
			return err
		}
		p.Key = id.New()
		return h.refuse(w, r, "billing_prepaid", p, err)
	}
	return h.afterPayment(w, r, res, "deposit")
}
