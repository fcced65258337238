package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
)

// orderJSON is an order (PRD-3): pending until paid.
type orderJSON struct {
	ID             string          `json:"id" format:"uuid"`
	OrganizationID string          `json:"organization_id" format:"uuid"`
	Currency       string          `json:"currency" enum:"CHF,EUR"`
	Status         string          `json:"status" enum:"pending,paid,cancelled"`
	Items          []orderItemJSON `json:"items"`
	Net            MoneyJSON       `json:"net"`
	VAT            MoneyJSON       `json:"vat" doc:"At today's rate while pending; the invoice's once paid."`
	Total          MoneyJSON       `json:"total"`
	CreatedAt      time.Time       `json:"created_at"`
	PaidAt         *time.Time      `json:"paid_at"`
	CancelledAt    *time.Time      `json:"cancelled_at"`
	InvoiceID      *string         `json:"invoice_id" format:"uuid" doc:"The invoice that paid it; null while pending."`
}

// orderItemJSON is one product of an order.
type orderItemJSON struct {
	ID        string    `json:"id" format:"uuid"`
	Position  int       `json:"position"`
	Type      string    `json:"type"`
	Plan      string    `json:"plan" doc:"The offer; for domains the ending (\".ch\")."`
	Name      string    `json:"name"`
	Period    string    `json:"period" example:"1y"`
	Months    int       `json:"months"`
	Price     MoneyJSON `json:"price" doc:"Net price of the period."`
	ProductID string    `json:"product_id" format:"uuid" doc:"The product made for the item: pending until the order is paid."`
}

func toOrderJSON(o billing.Order) orderJSON {
	j := orderJSON{ID: o.ID, OrganizationID: o.OrganizationID, Currency: o.Currency, Status: o.Status,
		Items: []orderItemJSON{}, Net: toMoneyJSON(o.Net), VAT: toMoneyJSON(o.VAT), Total: toMoneyJSON(o.Total),
		CreatedAt: o.CreatedAt.UTC(), PaidAt: utcPtr(o.PaidAt), CancelledAt: utcPtr(o.CancelledAt)}
	if o.InvoiceID != "" {
		j.InvoiceID = &o.InvoiceID
	}
	for _, it := range o.Items {
		j.Items = append(j.Items, orderItemJSON{ID: it.ID, Position: it.Position, Type: it.Type, Plan: it.Plan, Name: it.Name,
			Period: it.Period, Months: it.Months, Price: toMoneyJSON(it.Unit), ProductID: it.ProductID})
	}
	return j
}

// newOrderItem is an item of a new order.
type newOrderItem struct {
	Type   string `json:"type" minLength:"1" maxLength:"50" example:"domain" doc:"A type of GET /api/1/catalog."`
	Name   string `json:"name" minLength:"1" maxLength:"253" example:"example.ch" doc:"The product's name; for a domain, the name to register (its ending chooses the offer)."`
	Plan   string `json:"plan,omitempty" maxLength:"50" doc:"The offer of the type; not needed for domains nor for a type with one offer."`
	Period string `json:"period,omitempty" maxLength:"10" example:"2y" doc:"One of the offer's periods; the shortest when absent."`
}

type createOrderInput struct {
	OrgPath
	IdempotencyHeader
	Body struct {
		Currency string         `json:"currency" enum:"CHF,EUR"`
		Items    []newOrderItem `json:"items" minItems:"1" maxItems:"50"`
	}
}

type listOrdersInput struct {
	OrgPath
	PageParams
	Status string `query:"filter[status]" enum:"pending,paid,cancelled" doc:"Only orders in this status."`
}

// OrderPath is {org}/orders/{order}.
type OrderPath struct {
	OrgPath
	Order string `path:"order" doc:"The order's id."`
}

type cancelOrderInput struct {
	OrderPath
	IdempotencyHeader
}

func (s *server) declareOrders() {
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/orders", ID: "create-order", Tag: "Billing",
		Summary: "Order products",
		Description: "Orders products at the catalog's prices (PRD-2, PRD-3): one pending product per item, and a pending order " +
			"to pay with POST …/billing/pay. An item the catalog does not sell is 422 offer_not_in_catalog, a period it does not " +
			"offer 422 period_not_allowed, a currency without prices 422 currency_not_supported, a malformed domain name 422 " +
			"validation_failed: `context.attribute` names the item at fault (`items[0].period`). A product the organization " +
			"already has, or the same one twice, is 409 product_already_exists.",
		Status: http.StatusCreated,
		Codes: billingCodes(apperr.Validation, catalog.ErrEmpty, catalog.ErrOfferUnknown, catalog.ErrPeriodNotAllowed,
			catalog.ErrCurrencyNotSupported, billing.ErrProductExists),
	}, func(ctx context.Context, in *createOrderInput) (*Out[orderJSON], error) {
		p := caller(ctx)
		items := make([]billing.OrderItem, len(in.Body.Items))
		for i, it := range in.Body.Items {
			items[i] = billing.OrderItem{Type: it.Type, Name: it.Name, Plan: it.Plan, Period: it.Period}
		}
		o, err := s.d.Billing.CreateOrder(ctx, p.UserID, in.Org, in.Body.Currency, items, p.Meta)
		if err != nil {
			return nil, s.orderItemAt(ctx, err, in.Body.Currency, in.Body.Items)
		}
		return ok(toOrderJSON(o)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/orders", ID: "list-orders", Tag: "Billing",
		Summary:     "List the orders",
		Description: "The organization's orders, newest first, with their items and totals, paginated (PRD-3).",
		Codes:       billingCodes(),
	}, func(ctx context.Context, in *listOrdersInput) (*ListOut[orderJSON], error) {
		orders, err := s.d.Billing.ListOrders(ctx, caller(ctx).UserID, in.Org, in.Status)
		if err != nil {
			return nil, err
		}
		return Paginate(mapSlice(orders, toOrderJSON), in.PageParams), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/orders/{order}", ID: "get-order", Tag: "Billing",
		Summary: "Show an order", Description: "One order with its items and totals; any other id is 404 object_not_found.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *OrderPath) (*Out[orderJSON], error) {
		o, err := s.d.Billing.GetOrder(ctx, caller(ctx).UserID, in.Org, in.Order)
		if err != nil {
			return nil, err
		}
		return ok(toOrderJSON(o)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/orders/{order}/cancel", ID: "cancel-order", Tag: "Billing",
		Summary: "Cancel a pending order",
		Description: "Cancels a pending order: its pending products are deleted and a pro-forma waiting for it is voided (PRD-3). " +
			"A paid or cancelled order is 409 order_not_pending; one being paid on a payment page 409 payment_in_progress.",
		Codes: billingCodes(billing.ErrOrderNotPending, billing.ErrPaymentInProgress),
	}, func(ctx context.Context, in *cancelOrderInput) (*Out[orderJSON], error) {
		p := caller(ctx)
		o, err := s.d.Billing.CancelOrder(ctx, p.UserID, in.Org, in.Order, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toOrderJSON(o)), nil
	})
}

// orderItemAt points a refusal of CreateOrder at the item it is about: the
// domain names the field ("period"), the API the item ("items[1].period").
// It checks each item against the current catalog as the domain does; a
// name refused (malformed, or already a product) is found by its value.
func (s *server) orderItemAt(ctx context.Context, err error, currency string, items []newOrderItem) error {
	e := apperr.As(err)
	if e == nil || !slices.Contains([]string{"type", "plan", "name", "period", "currency"}, e.Attribute) {
		return err
	}
	at := func(i int) error { return e.Field(fmt.Sprintf("items[%d].%s", i, e.Attribute), e.Values...) }
	if e.Attribute == "name" && len(e.Values) == 1 {
		// The same product twice in the order: the second one is at fault.
		twice := e.Code == billing.ErrProductExists.Code && e.Message != billing.ErrProductExists.Message
		found := -1
		for i, it := range items {
			if strings.EqualFold(strings.TrimSuffix(strings.TrimSpace(it.Name), "."), e.Values[0]) {
				found = i
				if !twice {
					break
				}
			}
		}
		if found >= 0 {
			return at(found)
		}
	}
	v, cerr := s.d.Catalog.Current(ctx)
	if cerr != nil || (e.Attribute == "currency" && !slices.Contains(v.Catalog.Currencies, currency)) {
		return err // the currency of the order, not of an item
	}
	same := func(x error) bool {
		a := apperr.As(x)
		return a != nil && a.Code == e.Code && a.Attribute == e.Attribute
	}
	for i, it := range items {
		_, offer, oerr := v.Catalog.Offer(strings.TrimSpace(it.Type), it.Name, strings.TrimSpace(it.Plan))
		if oerr != nil {
			if same(oerr) {
				return at(i)
			}
			continue
		}
		period := strings.TrimSpace(it.Period)
		if period == "" && len(offer.Periods) > 0 {
			period = offer.Periods[0].Period
		}
		if _, _, perr := offer.Price(period, strings.ToUpper(strings.TrimSpace(currency))); perr != nil && same(perr) {
			return at(i)
		}
	}
	return err
}
