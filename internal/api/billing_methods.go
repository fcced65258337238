package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
)

// paymentMethodJSON is a saved payment method: the gateway's token stays
// on the server; only what identifies it to people is shown.
type paymentMethodJSON struct {
	ID        string    `json:"id" format:"uuid"`
	Type      string    `json:"type" enum:"card,postfinance,paypal,twint"`
	Brand     string    `json:"brand" doc:"Cards: visa, mastercard…"`
	Last4     string    `json:"last4" doc:"Cards: the last four digits."`
	ExpMonth  int       `json:"exp_month"`
	ExpYear   int       `json:"exp_year"`
	Label     string    `json:"label" example:"Visa •••• 4242"`
	Default   bool      `json:"default" doc:"The method proposed first, and used for auto-renewal when none is chosen."`
	CreatedAt time.Time `json:"created_at"`
}

func toPaymentMethodJSON(m billing.PaymentMethod) paymentMethodJSON {
	return paymentMethodJSON{ID: m.ID, Type: m.Type, Brand: m.Brand, Last4: m.Last4, ExpMonth: m.ExpMonth, ExpYear: m.ExpYear,
		Label: m.Label, Default: m.Default, CreatedAt: m.CreatedAt.UTC()}
}

type addPaymentMethodInput struct {
	OrgPath
	IdempotencyHeader
	Body struct {
		Type       string `json:"type" enum:"card,postfinance,paypal,twint"`
		CardNumber string `json:"card_number,omitempty" pattern:"^[0-9 ]{12,23}$" example:"4242424242424242" doc:"Sandbox only: a test card number, saved at once."`
		Currency   string `json:"currency,omitempty" enum:"CHF,EUR" doc:"The currency the method will pay in (PostFinance Card: CHF only); CHF when absent."`
		ReturnURL  string `json:"return_url,omitempty" format:"uri" doc:"Where the payment page sends the customer back: a page of the console."`
	}
}

// addedMethodJSON is the answer to adding a method: saved at once (a test
// card), or a payment page to go through.
type addedMethodJSON struct {
	Status        string             `json:"status" enum:"succeeded,requires_action"`
	PaymentMethod *paymentMethodJSON `json:"payment_method" doc:"succeeded: the method saved."`
	RedirectURL   string             `json:"redirect_url,omitempty" doc:"requires_action: the page where the customer enters the method."`
	CheckoutID    string             `json:"checkout_id,omitempty" format:"uuid" doc:"requires_action: GET …/checkouts/{checkout} tells how it ended; then list the methods."`
}

type addedMethodOut struct {
	Status int
	Body   Envelope[addedMethodJSON]
}

// PaymentMethodPath is {org}/payment_methods/{payment_method}.
type PaymentMethodPath struct {
	OrgPath
	PaymentMethod string `path:"payment_method" doc:"The saved method's id."`
}

type setDefaultMethodInput struct {
	PaymentMethodPath
	IdempotencyHeader
}

func (s *server) declarePaymentMethods() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/payment_methods", ID: "list-payment-methods", Tag: "Billing",
		Summary:     "List the saved payment methods",
		Description: "The organization's saved cards, PostFinance cards, PayPal accounts and Twint profiles, the default first (BIL-4).",
		Codes:       billingCodes(),
	}, func(ctx context.Context, in *OrgPath) (*Out[[]paymentMethodJSON], error) {
		ms, err := s.d.Billing.ListPaymentMethods(ctx, caller(ctx).UserID, in.Org)
		if err != nil {
			return nil, err
		}
		return ok(mapSlice(ms, toPaymentMethodJSON)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/payment_methods", ID: "add-payment-method", Tag: "Billing",
		Summary: "Save a payment method",
		Description: "Saves a method through the gateway's page: 202 `requires_action` with the page to send the customer to " +
			"(alpage never sees a card number). With the sandbox gateway, `card_number` saves a test card at once (201 " +
			"`succeeded`); with another gateway it is 422 sandbox_only. PostFinance Card pays in CHF only (422 " +
			"payment_method_not_allowed).",
		Status: http.StatusCreated,
		Codes:  billingCodes(apperr.Validation, billing.ErrSandboxOnly, billing.ErrMethodNotAllowed, billing.ErrOutcomeUnknown),
	}, func(ctx context.Context, in *addPaymentMethodInput) (*addedMethodOut, error) {
		p := caller(ctx)
		b := in.Body
		if b.CardNumber != "" {
			if b.Type != billing.MethodCard {
				return nil, apperr.Validation.With("A test card number is saved with the type card.").Field("type", b.Type)
			}
			m, err := s.d.Billing.AddTestCard(ctx, p.UserID, in.Org, b.CardNumber, p.Meta)
			if err != nil {
				return nil, err
			}
			j := toPaymentMethodJSON(m)
			return &addedMethodOut{Status: http.StatusCreated, Body: Envelope[addedMethodJSON]{Result: "success",
				Data: addedMethodJSON{Status: billing.StatusSucceeded, PaymentMethod: &j}}}, nil
		}
		ret, err := s.returnURL(b.ReturnURL)
		if err != nil {
			return nil, err
		}
		r, err := s.d.Billing.AddPaymentMethod(ctx, p.UserID, in.Org, b.Type, b.Currency, in.IdempotencyKey, ret, ret, p.Meta)
		if err != nil {
			return nil, outcomeError(err)
		}
		return &addedMethodOut{Status: http.StatusAccepted, Body: Envelope[addedMethodJSON]{Result: "success",
			Data: addedMethodJSON{Status: r.Status, RedirectURL: r.RedirectURL, CheckoutID: r.CheckoutID}}}, nil
	})
	alsoAnswers[Envelope[addedMethodJSON]](s, http.StatusAccepted, "requires_action: send the customer to redirect_url.")
	add(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/organizations/{org}/payment_methods/{payment_method}", ID: "remove-payment-method",
		Tag: "Billing", Summary: "Remove a saved payment method",
		Description: "Removes the method here and at the gateway. A method products renew with is 409 payment_method_in_use " +
			"(the products are listed in context.values): choose another for them first.",
		Status: http.StatusNoContent, Codes: billingCodes(billing.ErrMethodInUse),
	}, func(ctx context.Context, in *PaymentMethodPath) (*struct{}, error) {
		p := caller(ctx)
		return nil, s.d.Billing.RemovePaymentMethod(ctx, p.UserID, in.Org, in.PaymentMethod, p.Meta)
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/payment_methods/{payment_method}/default",
		ID: "set-default-payment-method", Tag: "Billing", Summary: "Make a saved method the default",
		Description: "The default method is proposed first (BIL-4).",
		Codes:       billingCodes(),
	}, func(ctx context.Context, in *setDefaultMethodInput) (*Out[paymentMethodJSON], error) {
		p := caller(ctx)
		if err := s.d.Billing.SetDefaultPaymentMethod(ctx, p.UserID, in.Org, in.PaymentMethod, p.Meta); err != nil {
			return nil, err
		}
		ms, err := s.d.Billing.ListPaymentMethods(ctx, p.UserID, in.Org)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.ID == in.PaymentMethod {
				return ok(toPaymentMethodJSON(m)), nil
			}
		}
		return nil, apperr.NotFound
	})
}
