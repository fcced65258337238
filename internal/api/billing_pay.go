package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
)

// dueItemJSON is one line of the "to pay" list (BIL-1).
type dueItemJSON struct {
	Kind      string          `json:"kind" enum:"order,invoice,proforma,renewal"`
	OrderID   string          `json:"order_id,omitempty" format:"uuid" doc:"Orders: pay it with {\"order_id\": …}."`
	InvoiceID string          `json:"invoice_id,omitempty" format:"uuid" doc:"Invoices and pro-formas: pay it with {\"invoice_id\": …}."`
	ProductID string          `json:"product_id,omitempty" format:"uuid" doc:"Renewals: pay it with {\"product_id\": …, \"period\": …}."`
	Number    string          `json:"number,omitempty" doc:"Invoices and pro-formas: the number."`
	Type      string          `json:"type,omitempty" doc:"Renewals: the product's type."`
	Name      string          `json:"name,omitempty" doc:"Renewals: the product; orders: the names of its items."`
	Status    string          `json:"status,omitempty" doc:"Renewals: active or blocked."`
	Amount    MoneyJSON       `json:"amount" doc:"Left to pay, VAT included; renewals: for the period shown."`
	DueDate   string          `json:"due_date" format:"date"`
	Period    string          `json:"period,omitempty" doc:"Renewals: the product's current period."`
	Periods   []duePeriodJSON `json:"periods,omitempty" doc:"Renewals: the periods it may be renewed for, with their prices (BIL-3)."`
}

// duePeriodJSON is a period a renewal may be paid for.
type duePeriodJSON struct {
	Period string    `json:"period" example:"2y"`
	Months int       `json:"months"`
	Net    MoneyJSON `json:"net"`
	Total  MoneyJSON `json:"total" doc:"VAT included."`
}

func toDueItemJSON(d billing.DueItem) dueItemJSON {
	j := dueItemJSON{Kind: d.Kind, OrderID: d.OrderID, InvoiceID: d.InvoiceID, ProductID: d.ProductID, Number: d.Number,
		Type: d.Type, Name: d.Name, Status: d.Status, Amount: toMoneyJSON(d.Amount), DueDate: d.DueDate, Period: d.Period}
	for _, p := range d.Periods {
		j.Periods = append(j.Periods, duePeriodJSON{Period: p.Period, Months: p.Months, Net: toMoneyJSON(p.Net),
			Total: toMoneyJSON(p.Total)})
	}
	return j
}

type dueInput struct {
	OrgPath
	Range string `query:"range" enum:"2m,all" default:"2m" doc:"2m: renewals due within two months (the default); all: every one (BIL-1)."`
}

// payItemJSON is one item of a selection: exactly one of order_id,
// invoice_id and product_id.
type payItemJSON struct {
	OrderID   string `json:"order_id,omitempty" doc:"A pending order."`
	InvoiceID string `json:"invoice_id,omitempty" doc:"An unpaid invoice or pro-forma; paid alone."`
	ProductID string `json:"product_id,omitempty" doc:"A product to renew."`
	Period    string `json:"period,omitempty" example:"2y" doc:"Renewals: the period to pay (BIL-3); the product's current one when absent."`
}

type payInput struct {
	OrgPath
	IdempotencyHeader
	Body struct {
		Items           []payItemJSON `json:"items" minItems:"1" maxItems:"50"`
		Method          string        `json:"method,omitempty" enum:"card,postfinance,paypal,twint,iban,prepaid" doc:"Not needed with payment_method_id."`
		PaymentMethodID string        `json:"payment_method_id,omitempty" doc:"A saved method, charged now without the customer."`
		PrepaidAmount   string        `json:"prepaid_amount,omitempty" pattern:"^[0-9]+(\\.[0-9]{1,2})?$" example:"5.00" doc:"The part the prepaid account pays; the rest goes to the method."`
		SaveMethod      bool          `json:"save_method,omitempty" doc:"Keep the card used on the payment page. A card that pays products is always kept, for their auto-renewal (REN-1), and so is a Twint profile (BIL-4)."`
		ReturnURL       string        `json:"return_url,omitempty" format:"uri" doc:"Where the payment page sends the customer back, with ?checkout={id}: a page of the console (default: its /billing/return)."`
	}
}

// payResultJSON is the outcome of a payment, a deposit or adding a method.
type payResultJSON struct {
	Status      string        `json:"status" enum:"succeeded,requires_action,awaiting_transfer,pending,failed,canceled" doc:"pending: the gateway's answer is not known yet; ask again with GET …/checkouts/{checkout}."`
	CheckoutID  string        `json:"checkout_id" format:"uuid" doc:"The payment attempt: GET …/checkouts/{checkout} tells how it ended."`
	RedirectURL string        `json:"redirect_url,omitempty" doc:"requires_action: send the customer to this payment page."`
	FailureCode string        `json:"failure_code,omitempty" doc:"failed: card_declined, insufficient_funds, expired_card…"`
	Invoice     *invoiceJSON  `json:"invoice" doc:"The invoice issued; awaiting_transfer: the pro-forma to pay by bank transfer, with its reference and IBAN."`
	Payments    []paymentJSON `json:"payments"`
}

func toPayResultJSON(r billing.PayResult) payResultJSON {
	j := payResultJSON{Status: r.Status, CheckoutID: r.CheckoutID, RedirectURL: r.RedirectURL, FailureCode: r.FailureCode,
		Payments: mapSlice(r.Payments, toPaymentJSON)}
	if r.Invoice != nil {
		inv := toInvoiceJSON(*r.Invoice)
		j.Invoice = &inv
	}
	return j
}

// payOut is a payment's answer, with its status (201 or 202).
type payOut struct {
	Status int
	Body   Envelope[payResultJSON]
}

// payAnswer answers r: 201 when the invoice (or the pro-forma) is issued,
// 202 while the customer must act or the gateway has not answered, and the
// decline of a failed attempt (a repeated request answers it again).
func payAnswer(r billing.PayResult) (*payOut, error) {
	if r.Status == billing.StatusFailed {
		return nil, declineOf(r)
	}
	return &payOut{Status: statusOf(r), Body: Envelope[payResultJSON]{Result: "success", Data: toPayResultJSON(r)}}, nil
}

// CheckoutPath is {org}/checkouts/{checkout}.
type CheckoutPath struct {
	OrgPath
	Checkout string `path:"checkout" doc:"The payment attempt's id (checkout_id), or the ?checkout= the payment page sent the customer back with."`
}

// payCodes are the refusals of a payment.
var payCodes = billingCodes(append([]*apperr.Error{apperr.Validation, catalog.ErrEmpty, catalog.ErrPeriodNotAllowed,
	catalog.ErrCurrencyNotSupported, billing.ErrItemNotPayable, billing.ErrPaymentInProgress, billing.ErrCurrencyMismatch,
	billing.ErrInvoicePayAlone, billing.ErrPrepaidInsufficient, billing.ErrMethodNotAllowed}, declineCodes...)...)

func (s *server) declarePay() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/billing/due", ID: "list-due", Tag: "Billing",
		Summary: "List what is to pay",
		Description: "Pending orders, unpaid invoices and pro-formas, and renewals of active or blocked products, sorted by due " +
			"date (BIL-1); renewals due within two months unless range=all, each with the periods it may be renewed for (BIL-3).",
		Codes: billingCodes(catalog.ErrEmpty),
	}, func(ctx context.Context, in *dueInput) (*Out[[]dueItemJSON], error) {
		items, err := s.d.Billing.Due(ctx, caller(ctx).UserID, in.Org, in.Range == "all")
		if err != nil {
			return nil, err
		}
		return ok(mapSlice(items, toDueItemJSON)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/billing/pay", ID: "pay", Tag: "Billing",
		Summary: "Pay a selection",
		Description: "Pays the items selected with one invoice and one payment (BIL-2), the prepaid part first (BIL-4):\n\n" +
			"- with `payment_method_id`, or all from the prepaid account: charged now, 201 `succeeded` with the invoice;\n" +
			"- `card`, `postfinance`, `paypal`, `twint` without a saved method: 202 `requires_action`: send the customer " +
			"to `redirect_url`; the payment page sends them back to `return_url?checkout={id}`, then GET …/checkouts/{checkout};\n" +
			"- `iban`: 201 `awaiting_transfer` with the pro-forma invoice, its IBAN and reference; the items wait for the transfer.\n\n" +
			"A decline is 402 (card_declined, insufficient_funds, expired_card) and changes nothing. When the gateway did not " +
			"confirm a charge the answer is 503 payment_outcome_unknown: do not pay again; it is settled by itself.\n\n" +
			"Send an Idempotency-Key: the same key answers the first payment's result and never charges twice, even after " +
			"the stored answer expired.",
		Status: http.StatusCreated, Codes: payCodes,
	}, func(ctx context.Context, in *payInput) (*payOut, error) {
		p := caller(ctx)
		b := in.Body
		prepaid, err := parseAmount(b.PrepaidAmount, "CHF", "prepaid_amount")
		if err != nil {
			return nil, err
		}
		prepaid.Currency = "" // the selection's; the domain checks it
		ret, err := s.returnURL(b.ReturnURL)
		if err != nil {
			return nil, err
		}
		items := make([]billing.PayItem, len(b.Items))
		for i, it := range b.Items {
			items[i] = billing.PayItem{OrderID: it.OrderID, InvoiceID: it.InvoiceID, ProductID: it.ProductID, Period: it.Period}
		}
		r, err := s.d.Billing.Pay(ctx, p.UserID, in.Org, billing.PayInput{Items: items, Method: b.Method,
			PaymentMethodID: b.PaymentMethodID, Prepaid: prepaid, SaveMethod: b.SaveMethod, IdempotencyKey: in.IdempotencyKey,
			ReturnURL: ret, CancelURL: ret}, p.Meta)
		if err != nil {
			return nil, outcomeError(payItemAt(err, b.Items))
		}
		return payAnswer(r)
	})
	alsoAnswers[Envelope[payResultJSON]](s, http.StatusAccepted,
		"requires_action: send the customer to redirect_url; pending: the gateway has not answered yet.")
	alsoAnswers[Envelope[payResultJSON]](s, http.StatusOK,
		"canceled: the attempt made with this Idempotency-Key was canceled on its payment page or expired; send a new key to pay again.")
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/checkouts/{checkout}", ID: "get-checkout", Tag: "Billing",
		Summary: "Show how a payment ended",
		Description: "Asks the gateway where the payment attempt stands (never trusts the redirect alone) and finishes it: " +
			"`succeeded` with the invoice, `failed` with its failure_code, `canceled`, or still `requires_action` while the " +
			"customer is on the payment page. Call it when the customer comes back to return_url?checkout={id}; calling it " +
			"again answers the same result.",
		Codes: []*apperr.Error{apperr.NotFound, billing.ErrOutcomeUnknown},
	}, func(ctx context.Context, in *CheckoutPath) (*Out[payResultJSON], error) {
		r, _, err := s.d.Billing.CompleteCheckoutFor(ctx, caller(ctx).UserID, in.Org, in.Checkout)
		if err != nil && !isDeclineErr(err) {
			return nil, outcomeError(err)
		}
		return ok(toPayResultJSON(r)), nil
	})
}

// isDeclineErr reports whether err is a decline: reading an attempt's
// outcome answers it as the status failed, not as an error.
func isDeclineErr(err error) bool {
	e := apperr.As(err)
	return e != nil && e.Status == http.StatusPaymentRequired
}

// payItemAt points a refusal of an item of the selection at it
// ("items[2].order_id"): the domain names the field and the id.
func payItemAt(err error, items []payItemJSON) error {
	e := apperr.As(err)
	if e == nil {
		return err
	}
	at := func(i int, attr string) error { return e.Field(fmt.Sprintf("items[%d].%s", i, attr), e.Values...) }
	switch e.Attribute {
	case "order_id", "invoice_id", "product_id":
		if len(e.Values) == 0 {
			return err
		}
		for i, it := range items {
			v := map[string]string{"order_id": it.OrderID, "invoice_id": it.InvoiceID, "product_id": it.ProductID}[e.Attribute]
			if v == e.Values[0] {
				return at(i, e.Attribute)
			}
		}
	case "period":
		for i, it := range items {
			p := strings.TrimSpace(it.Period)
			if it.ProductID != "" && p != "" && !containsStr(e.Values, p) {
				return at(i, "period")
			}
		}
	}
	return err
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
