package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/money"
)

// declareBilling declares the billing routes (PRD-2, PRD-3, BIL-1..6,
// BIL-9): orders, the to-pay list, payments, invoices, payment methods and
// the prepaid account. Every route is scoped to an organization; a member
// without the billing right gets 403 billing_right_required on lists and
// actions and 404 object_not_found on objects, a stranger always 404
// (ORG-8, ORG-9). The domain decides; these handlers only translate.
func (s *server) declareBilling() {
	s.declareOrders()
	s.declarePay()
	s.declareInvoices()
	s.declarePaymentMethods()
	s.declarePrepaid()
}

// billingAccess are the refusals every billing route can answer.
var billingAccess = []*apperr.Error{apperr.NotFound, authz.ErrBillingRightRequired}

// billingCodes returns billingAccess followed by more.
func billingCodes(more ...*apperr.Error) []*apperr.Error {
	return append(append([]*apperr.Error{}, billingAccess...), more...)
}

// declineCodes are the issuer's refusals of a charge (402), and the
// gateway's silence (503).
var declineCodes = []*apperr.Error{billing.ErrCardDeclined, billing.ErrInsufficientFunds, billing.ErrExpiredCard,
	billing.ErrOutcomeUnknown}

// IdempotencyHeader is the Idempotency-Key header as a handler reads it: the
// middleware replays stored answers (24 hours), and the key also goes to
// billing, so that a retry after the stored answer expired still pays once.
type IdempotencyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Optional; see the operation's description."`
}

// amountJSON parses a decimal string in currency for the attribute attr;
// "" is zero.
func parseAmount(s, currency, attr string) (money.Amount, error) {
	if strings.TrimSpace(s) == "" {
		return money.Amount{Currency: currency}, nil
	}
	a, err := money.Parse(s, currency)
	if err != nil {
		return money.Amount{}, apperr.Validation.With("An amount is a decimal string with at most two decimals, like \"12.50\".").
			Field(attr, s).Wrap(err)
	}
	return a, nil
}

// returnURL checks where the payment page sends the customer back: under
// the console's BaseURL (never elsewhere: an open redirect would send a
// customer who just paid to any site). Empty is the console's billing
// return page.
func (s *server) returnURL(raw string) (string, error) {
	base := strings.TrimSuffix(s.d.BaseURL, "/")
	if raw == "" {
		return base + "/billing/return", nil
	}
	bad := apperr.Validation.With("The return URL must be a page of the console, under "+base+"/.").Field("return_url", raw)
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Fragment != "" {
		return "", bad
	}
	if base == "" {
		if u.IsAbs() || u.Host != "" || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") {
			return "", bad
		}
		return raw, nil
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("api: the BaseURL %q: %w", base, err)
	}
	path := u.EscapedPath()
	if u.Scheme != b.Scheme || u.Host != b.Host || strings.Contains(path, "/../") || strings.HasSuffix(path, "/..") ||
		!strings.HasPrefix(path, strings.TrimSuffix(b.EscapedPath(), "/")+"/") {
		return "", bad
	}
	return raw, nil
}

// outcomeError answers a payment whose outcome the gateway did not
// confirm: 503 payment_outcome_unknown, kept (not turned into
// unexpected_error) because it tells the client not to pay again.
func outcomeError(err error) error {
	if errors.Is(err, billing.ErrOutcomeUnknown) {
		return newProblem(billing.ErrOutcomeUnknown)
	}
	return err
}

// declineOf returns the refusal of a failed attempt answered again (a
// repeated Idempotency-Key): the decline it ended with.
func declineOf(r billing.PayResult) error {
	switch r.FailureCode {
	case billing.ErrInsufficientFunds.Code:
		return billing.ErrInsufficientFunds
	case billing.ErrExpiredCard.Code:
		return billing.ErrExpiredCard
	}
	return billing.ErrCardDeclined
}

// alsoAnswers documents another success status of the route just declared,
// with the body T: the route table knows one success status.
func alsoAnswers[T any](s *server, status int, description string) {
	r := s.routes[len(s.routes)-1]
	register := r.register
	r.register = func(api huma.API, op huma.Operation) {
		schema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[T](), true, "")
		op.Responses[strconv.Itoa(status)] = &huma.Response{Description: description,
			Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}}
		register(api, op)
	}
}

// answersFile documents the success answer of the route just declared as a
// file of contentType (Huma writes a []byte body as it is).
func answersFile(s *server, contentType, description string) {
	r := s.routes[len(s.routes)-1]
	register := r.register
	r.register = func(api huma.API, op huma.Operation) {
		op.Responses["200"] = &huma.Response{Description: description,
			Content: map[string]*huma.MediaType{contentType: {Schema: &huma.Schema{Type: "string", Format: "binary"}}},
			Headers: map[string]*huma.Param{"Content-Disposition": {Schema: &huma.Schema{Type: "string"},
				Description: "attachment; filename=\"invoice-2026-000001.pdf\""}}}
		register(api, op)
	}
}

// statusOf returns the HTTP status of a payment answer: 201 when the
// invoice (or the pro-forma) is issued, 202 while the customer must act or
// the gateway has not answered.
func statusOf(r billing.PayResult) int {
	switch r.Status {
	case billing.StatusSucceeded, billing.StatusAwaitingTransfer:
		return http.StatusCreated
	case billing.StatusRequiresAction, "pending":
		return http.StatusAccepted
	}
	return http.StatusOK
}
