package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/renewal"
)

type patchProductInput struct {
	ProductPath
	Body struct {
		AutoRenew       *bool  `json:"auto_renew,omitempty" doc:"Switch auto-renewal on or off (REN-2, REN-4); absent: unchanged."`
		PaymentMethodID string `json:"payment_method_id,omitempty" doc:"With auto_renew true: the saved method to charge; default: the organization's default method."`
	}
}

type autoRenewInput struct {
	OrgPath
	Body struct {
		ProductIDs      []string `json:"product_ids,omitempty" maxItems:"100" doc:"The products to switch, all or none (1 to 100)."`
		Enabled         *bool    `json:"enabled,omitempty" doc:"true switches auto-renewal on, false off; required."`
		PaymentMethodID string   `json:"payment_method_id,omitempty" doc:"When switching on: the saved method to charge; default: the organization's default method."`
	}
}

type terminateInput struct {
	ProductPath
	Body struct {
		When string `json:"when,omitempty" doc:"\"now\" or \"due_date\" (required)."`
	}
}

// terminationJSON is a request to terminate a product (PRD-4).
type terminationJSON struct {
	ID                string     `json:"id" format:"uuid"`
	ProductID         string     `json:"product_id" format:"uuid"`
	When              string     `json:"when" enum:"now,due_date"`
	Status            string     `json:"status" enum:"pending,scheduled,done,replaced" doc:"pending: waits for the link e-mailed to you; scheduled: confirmed, for effective_date; done: terminated."`
	NeedsConfirmation bool       `json:"needs_confirmation" doc:"A confirmation link was e-mailed to you: nothing happens until it is opened."`
	EffectiveDate     *string    `json:"effective_date" format:"date" doc:"The day the product ends, for when=due_date once confirmed; null otherwise."`
	ExpiresAt         time.Time  `json:"expires_at" doc:"The end of the confirmation link (7 days)."`
	CreatedAt         time.Time  `json:"created_at"`
	ConfirmedAt       *time.Time `json:"confirmed_at"`
	DoneAt            *time.Time `json:"done_at"`
}

func toTerminationJSON(t renewal.Termination) terminationJSON {
	j := terminationJSON{ID: t.ID, ProductID: t.ProductID, When: t.When, Status: t.Status, NeedsConfirmation: t.NeedsConfirmation,
		ExpiresAt: t.ExpiresAt, CreatedAt: t.CreatedAt, ConfirmedAt: t.ConfirmedAt, DoneAt: t.DoneAt}
	if t.EffectiveDate != "" {
		j.EffectiveDate = &t.EffectiveDate
	}
	return j
}

// timelineEventJSON is something that happened to a product.
type timelineEventJSON struct {
	Kind string            `json:"kind" doc:"created, activated, invoice_paid, renewal_notice, block_notice, terminate_notice (e-mails sent; data has days and due_date), or the event or change recorded: product.renewed, product.blocked, payment.failed, product.auto_renew_on, product.termination_requested, product.termination_canceled…"`
	At   time.Time         `json:"at"`
	Data map[string]string `json:"data" doc:"Details as recorded: number, amount and until of an invoice; due_date, reason…"`
}

// timelineStepJSON is what will happen on a date.
type timelineStepJSON struct {
	Kind string `json:"kind" enum:"reminder,attempt,due,block_notice,block,terminate_notice,terminate,customer_termination,confirmation_expires" doc:"reminder (renewal notice), attempt (automatic charge, with auto-renewal on), due (the due date), block_notice, block and terminate_notice, terminate (if still unpaid, BIL-7), customer_termination (confirmed by you, PRD-4), confirmation_expires (the end of a termination link)."`
	Date string `json:"date" format:"date"`
	Days int    `json:"days" doc:"Days from the due date (negative before)."`
}

// timelineJSON is a product's past and what comes next (REN-3, BIL-7).
type timelineJSON struct {
	ProductID   string              `json:"product_id" format:"uuid"`
	Status      string              `json:"status" enum:"pending,active,blocked,terminated"`
	DueDate     *string             `json:"due_date" format:"date"`
	AutoRenew   bool                `json:"auto_renew"`
	Today       string              `json:"today" format:"date" doc:"Today in the provider's time zone; next lists the steps from today on."`
	Past        []timelineEventJSON `json:"past" doc:"Oldest first."`
	Next        []timelineStepJSON  `json:"next" doc:"In date order."`
	Termination *terminationJSON    `json:"termination" doc:"A termination waiting for its link, or scheduled; null when none."`
}

func toTimelineJSON(tl renewal.Timeline) timelineJSON {
	j := timelineJSON{ProductID: tl.ProductID, Status: tl.Status, AutoRenew: tl.AutoRenew, Today: tl.Today.String(),
		Past: []timelineEventJSON{}, Next: []timelineStepJSON{}}
	if tl.DueDate != "" {
		j.DueDate = &tl.DueDate
	}
	for _, e := range tl.Past {
		d := e.Data
		if d == nil {
			d = map[string]string{}
		}
		j.Past = append(j.Past, timelineEventJSON{Kind: e.Kind, At: e.At.UTC(), Data: d})
	}
	for _, st := range tl.Next {
		j.Next = append(j.Next, timelineStepJSON{Kind: st.Kind, Date: st.Date.String(), Days: st.Days})
	}
	if tl.Termination != nil {
		t := toTerminationJSON(*tl.Termination)
		j.Termination = &t
	}
	return j
}

// declareRenewal declares the product lifecycle routes (REN-2, REN-4,
// PRD-4): auto-renewal, termination and the timeline.
func (s *server) declareRenewal() {
	switchCodes := []*apperr.Error{apperr.NotFound, authz.ErrBillingRightRequired, renewal.ErrTooCloseToDueDate,
		renewal.ErrPaymentMethodRequired, renewal.ErrNotRenewable, renewal.ErrTerminationScheduled, billing.ErrMethodNotAllowed}
	add(s, route{
		Version: 1, Method: http.MethodPatch, Path: "/organizations/{org}/products/{product}", ID: "patch-product", Tag: "Products",
		Summary: "Switch a product's auto-renewal",
		Description: "auto_renew true switches auto-renewal on with payment_method_id (default: the organization's default saved " +
			"method; payment_method_required when there is none); refused less than 14 days before the due date " +
			"(auto_renew_too_close_to_due_date: renew it by hand first). false switches it off, at any time (REN-2, REN-4). " +
			"Needs the billing right (ORG-8).",
		Codes: switchCodes,
	}, func(ctx context.Context, in *patchProductInput) (*Out[productJSON], error) {
		p := caller(ctx)
		pr, err := s.d.Products.Get(ctx, p.UserID, in.Org, in.Product)
		if err != nil {
			return nil, err
		}
		pricer, err := s.pricer(ctx, in.Org)
		if err != nil {
			return nil, err
		}
		if in.Body.AutoRenew == nil {
			return ok(pricer.toJSON(pr)), nil
		}
		ps, err := s.d.Renewal.SetAutoRenew(ctx, p.UserID, in.Org, []string{in.Product}, *in.Body.AutoRenew, in.Body.PaymentMethodID, p.Meta)
		if e := apperr.As(err); e != nil && e.Attribute == "product_ids" {
			return nil, e.Field("auto_renew") // the product is the path's; the request's field is auto_renew
		}
		if err != nil {
			return nil, err
		}
		return ok(pricer.toJSON(ps[0])), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/products/auto_renew", ID: "switch-auto-renew", Tag: "Products",
		Summary: "Switch auto-renewal for a selection",
		Description: "Switches auto-renewal on or off for 1 to 100 products at once, all or none (REN-2): when one is less than " +
			"14 days from its due date, auto_renew_too_close_to_due_date names it (context.values) and nothing changes.",
		Codes: switchCodes,
	}, func(ctx context.Context, in *autoRenewInput) (*Out[[]productJSON], error) {
		p := caller(ctx)
		if _, err := org.ActorOf(ctx, s.d.DB, p.UserID, in.Org); err != nil {
			return nil, err
		}
		if in.Body.Enabled == nil {
			return nil, apperr.Validation.With(`"enabled" is required: true or false.`).Field("enabled")
		}
		ps, err := s.d.Renewal.SetAutoRenew(ctx, p.UserID, in.Org, in.Body.ProductIDs, *in.Body.Enabled, in.Body.PaymentMethodID, p.Meta)
		if err != nil {
			return nil, err
		}
		pricer, err := s.pricer(ctx, in.Org)
		if err != nil {
			return nil, err
		}
		return ok(mapSlice(ps, pricer.toJSON)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/products/{product}/terminate", ID: "terminate-product", Tag: "Products",
		Summary: "Terminate a product",
		Description: "Asks to terminate the product now or at its due date (PRD-4), for legal representatives and administrators. " +
			"For most types a confirmation link valid 7 days is e-mailed to you and nothing happens until it is opened " +
			"(status pending, needs_confirmation); other types are terminated at once (status done) or scheduled. " +
			"Open fees stay due; the data and backups are deleted with the product; the other administrators are told.",
		Codes: []*apperr.Error{apperr.NotFound, authz.ErrAdministratorRequired, authz.ErrExternalUser, renewal.ErrNotTerminable, renewal.ErrTerminationScheduled},
	}, func(ctx context.Context, in *terminateInput) (*Out[terminationJSON], error) {
		p := caller(ctx)
		t, err := s.d.Renewal.RequestTermination(ctx, p.UserID, in.Org, in.Product, in.Body.When, p.Meta)
		if err != nil {
			return nil, err
		}
		return ok(toTerminationJSON(t)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/products/{product}/timeline", ID: "product-timeline", Tag: "Products",
		Summary: "Show a product's timeline",
		Description: "What happened to the product (ordered, paid, renewed, payments failed, blocked…) and what comes next with " +
			"dates: renewal notices, automatic charges when auto-renewal is on, the due date, block and termination if unpaid " +
			"(REN-3, BIL-7), or the termination you confirmed (PRD-4).",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *ProductPath) (*Out[timelineJSON], error) {
		tl, err := s.d.Renewal.Timeline(ctx, caller(ctx).UserID, in.Org, in.Product)
		if err != nil {
			return nil, err
		}
		return ok(toTimelineJSON(tl)), nil
	})
}
