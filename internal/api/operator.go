package api

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/token"
	"github.com/alpage/alpage/internal/webhook"
)

// The operator routes (/operator/…) are the provider's own actions, which
// belong to no organization: the webhook endpoints that receive events
// (PRD-5) and the camt.054 bank files that pay pro-forma invoices (BIL-4,
// BIL-6). They need a token carrying the scope "operator", which "all"
// does not imply and which only `alpage token create --scopes operator`
// makes; a customer's token is refused with 403 access_denied by the scope
// check (auth.go).

// webhookEndpointJSON is an endpoint of the provider's systems.
type webhookEndpointJSON struct {
	ID        string    `json:"id" format:"uuid"`
	URL       string    `json:"url" format:"uri"`
	Events    []string  `json:"events" doc:"Event patterns it receives: \"*\", a type (\"invoice.paid\") or a family (\"product.*\")."`
	CreatedAt time.Time `json:"created_at"`
}

// createdWebhookEndpointJSON is a new endpoint with its signing secret,
// shown this once.
type createdWebhookEndpointJSON struct {
	ID        string    `json:"id" format:"uuid"`
	URL       string    `json:"url" format:"uri"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	Secret    string    `json:"secret" doc:"The signing secret, shown this once: verify the Alpage-Signature header of each delivery with it (docs/webhooks.md)."`
}

func toWebhookEndpointJSON(e webhook.Endpoint) webhookEndpointJSON {
	events := e.Events
	if events == nil {
		events = []string{}
	}
	return webhookEndpointJSON{ID: e.ID, URL: e.URL, Events: events, CreatedAt: e.CreatedAt.UTC()}
}

// webhookDeliveryJSON is one attempt to deliver an event to an endpoint.
type webhookDeliveryJSON struct {
	ID             string    `json:"id" format:"uuid"`
	EndpointID     string    `json:"endpoint_id" format:"uuid"`
	EventID        string    `json:"event_id" format:"uuid" doc:"The event's id, also in the Alpage-Event-Id header: receivers deduplicate by it."`
	EventType      string    `json:"event_type" doc:"product.activated, invoice.paid, payment.failed…"`
	Attempt        int       `json:"attempt" doc:"1 for the first try."`
	Status         string    `json:"status" enum:"succeeded,failed"`
	ResponseStatus int       `json:"response_status" doc:"The endpoint's HTTP status; 0 when it did not answer."`
	ResponseBody   string    `json:"response_body" doc:"The first kilobyte of its answer."`
	Error          string    `json:"error" doc:"Why the attempt failed, when it did."`
	DurationMS     int64     `json:"duration_ms"`
	CreatedAt      time.Time `json:"created_at"`
}

func toWebhookDeliveryJSON(d webhook.Delivery) webhookDeliveryJSON {
	return webhookDeliveryJSON{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: d.EventType,
		Attempt: d.Attempt, Status: d.Status, ResponseStatus: d.ResponseStatus, ResponseBody: d.ResponseBody,
		Error: d.Error, DurationMS: d.Duration.Milliseconds(), CreatedAt: d.CreatedAt.UTC()}
}

type addWebhookInput struct {
	Body struct {
		URL    string   `json:"url" maxLength:"2000" doc:"The endpoint's full address, https:// (or http:// on the same machine or network)."`
		Events []string `json:"events,omitempty" maxItems:"50" doc:"Event types or families to send (\"product.*\", \"invoice.paid\"); default [\"*\"], every event."`
	}
}

// WebhookPath is /operator/webhooks/{endpoint}.
type WebhookPath struct {
	Endpoint string `path:"endpoint" doc:"The endpoint's id."`
}

type webhookDeliveriesInput struct {
	WebhookPath
	Limit int `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"At most this many attempts, newest first."`
}

// bankImportJSON counts what a bank file brought.
type bankImportJSON struct {
	Matched    int `json:"matched" doc:"Credits booked to a pro-forma invoice (paying it, in full or in part) or to a prepaid deposit; a surplus goes to the prepaid account."`
	Unmatched  int `json:"unmatched" doc:"Credits whose reference names no pro-forma: kept for staff."`
	Duplicates int `json:"duplicates" doc:"Entries already imported (same bank reference): booked once, never twice."`
	Ignored    int `json:"ignored" doc:"Debits and reversals."`
}

// bankFileInput is a camt.054 file sent as the request body.
type bankFileInput struct {
	Name    string `query:"name" maxLength:"200" doc:"The file's name, recorded with its entries and in the audit trail; default upload.xml."`
	RawBody []byte `contentType:"application/xml"`

	contentType string
}

// Resolve keeps the request's Content-Type, which the handler checks: the
// body is the XML file itself, not JSON.
func (in *bankFileInput) Resolve(ctx huma.Context) []error {
	in.contentType = ctx.Header("Content-Type")
	return nil
}

// xmlBody reports whether a Content-Type names XML.
func xmlBody(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/xml" || mt == "text/xml")
}

// errBankFileMediaType refuses a bank file sent as anything but XML.
var errBankFileMediaType = errUnsupportedMT.With(
	"Send the camt.054 file itself as the request body, with Content-Type: application/xml (or text/xml).")

func (s *server) declareOperator() {
	hooks := s.d.Webhooks
	const tag = "Operator"

	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/operator/webhooks", ID: "list-webhook-endpoints", Tag: tag,
		Scope:   token.ScopeOperator,
		Summary: "List the webhook endpoints",
		Description: "The endpoints that receive events (PRD-5), oldest first, without their secrets. " +
			"Needs an operator token (`alpage token create --scopes operator`).",
	}, func(ctx context.Context, _ *struct{}) (*Out[[]webhookEndpointJSON], error) {
		list, err := hooks.List(ctx)
		if err != nil {
			return nil, err
		}
		return ok(mapSlice(list, toWebhookEndpointJSON)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/operator/webhooks", ID: "add-webhook-endpoint", Tag: tag,
		Scope: token.ScopeOperator, Secret: true, Status: http.StatusCreated,
		Summary: "Add a webhook endpoint",
		Description: "Registers an address of the provider's systems for the events given (default every event), as " +
			"`alpage webhook add URL` does. Its signing secret is in `data.secret`, shown this once. " +
			"Needs an operator token (`alpage token create --scopes operator`).",
		Codes: []*apperr.Error{webhook.ErrURLInvalid},
	}, func(ctx context.Context, in *addWebhookInput) (*Out[createdWebhookEndpointJSON], error) {
		e, secret, err := hooks.Add(ctx, in.Body.URL, in.Body.Events, caller(ctx).Meta)
		if err != nil {
			return nil, err
		}
		j := toWebhookEndpointJSON(e)
		return ok(createdWebhookEndpointJSON{ID: j.ID, URL: j.URL, Events: j.Events, CreatedAt: j.CreatedAt, Secret: secret}), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodDelete, Path: "/operator/webhooks/{endpoint}", ID: "remove-webhook-endpoint", Tag: tag,
		Scope: token.ScopeOperator, Status: http.StatusNoContent,
		Summary: "Remove a webhook endpoint",
		Description: "Stops delivering to the endpoint, at once; its past deliveries stay listed. An unknown or removed " +
			"endpoint is 404 object_not_found. Needs an operator token.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *WebhookPath) (*struct{}, error) {
		if err := hooks.Remove(ctx, in.Endpoint, caller(ctx).Meta); err != nil {
			return nil, err
		}
		return nil, nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/operator/webhooks/{endpoint}/deliveries", ID: "list-webhook-deliveries", Tag: tag,
		Scope:   token.ScopeOperator,
		Summary: "List an endpoint's deliveries",
		Description: "The latest delivery attempts to the endpoint, newest first, with its answers (status and the start " +
			"of its body), as `alpage webhook deliveries` prints them; a removed endpoint's stay listed. Needs an operator token.",
		Codes: []*apperr.Error{apperr.NotFound},
	}, func(ctx context.Context, in *webhookDeliveriesInput) (*Out[[]webhookDeliveryJSON], error) {
		if !id.Valid(in.Endpoint) {
			return nil, apperr.NotFound
		}
		list, err := hooks.Deliveries(ctx, in.Endpoint, in.Limit)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			// No attempt yet: an active endpoint answers an empty list,
			// an id that names none is not found.
			eps, err := hooks.List(ctx)
			if err != nil {
				return nil, err
			}
			known := false
			for _, e := range eps {
				known = known || e.ID == in.Endpoint
			}
			if !known {
				return nil, apperr.NotFound
			}
		}
		return ok(mapSlice(list, toWebhookDeliveryJSON)), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/operator/bank_files", ID: "import-bank-file", Tag: tag,
		Scope:   token.ScopeOperator,
		Summary: "Import a camt.054 bank file",
		Description: "Books the credits of a camt.054 bank notification (versions .001.04 to .001.08) by reference, as " +
			"`alpage bank import FILE` does (BIL-4, BIL-6): a payment in full pays its pro-forma and issues the invoice; " +
			"a partial payment leaves the rest due; a surplus goes to the prepaid account; a credit whose reference names " +
			"no pro-forma is kept as unmatched for staff. The body is the XML file itself (Content-Type application/xml " +
			"or text/xml, at most 1 MiB). An entry already imported (same bank reference) is counted as a duplicate and " +
			"never booked twice, so sending a file again is safe. Needs an operator token.",
		Codes: []*apperr.Error{billing.ErrBankFileInvalid, errUnsupportedMT, apperr.BadRequest, apperr.TooLarge},
	}, func(ctx context.Context, in *bankFileInput) (*Out[bankImportJSON], error) {
		if !xmlBody(in.contentType) {
			return nil, errBankFileMediaType
		}
		if len(bytes.TrimSpace(in.RawBody)) == 0 {
			return nil, billing.ErrBankFileInvalid.With("The request body is empty: send the camt.054 file itself.")
		}
		name := strings.TrimSpace(in.Name)
		if name == "" {
			name = "upload.xml"
		}
		res, err := s.d.Billing.ImportBankFile(ctx, bytes.NewReader(in.RawBody), name, caller(ctx).Meta)
		if err != nil {
			return nil, err
		}
		return ok(bankImportJSON{Matched: res.Matched, Unmatched: res.Unmatched, Duplicates: res.Duplicates, Ignored: res.Ignored}), nil
	})
}
