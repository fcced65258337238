// Package webhook publishes events for the provider's own systems (SPEC
// PRD-5): alpage does not run the products, so every change of a product's
// state, every paid invoice and failed payment is delivered to the
// operator's endpoints, which provision, block, unblock and delete the real
// services.
//
// # Rules
//
//   - An event is published in the transaction of the change it tells
//     (Publish takes the *sql.Tx), with one delivery job per endpoint that
//     wants it: a rolled-back change publishes nothing; a committed one
//     cannot lose its event (DESIGN.md).
//   - Delivery is at least once: an endpoint answering anything but 2xx, or
//     not answering within 10 seconds, is tried again with a growing delay
//     (River's back-off, up to MaxAttempts). Receivers deduplicate by the
//     event id (header Alpage-Event-Id and the body's "id").
//   - Every delivery is signed: header Alpage-Signature is
//     "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
//     endpoint's secret>"; Verify checks it and the timestamp's age.
//   - Every attempt is recorded with the response's status and the start
//     of its body, for the operator (Deliveries).
//
// The body is JSON: {"id", "type", "created_at", "organization_id", "data"}.
package webhook

import (
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/store"
)

// Event types published so far; the list grows with the capabilities.
const (
	ProductActivated  = "product.activated"
	ProductRenewed    = "product.renewed"
	ProductBlocked    = "product.blocked"
	ProductUnblocked  = "product.unblocked"
	ProductTerminated = "product.terminated"
	// ProductTerminationCanceled: a renewal paid after a confirmed
	// termination at the due date keeps the product (PRD-4).
	ProductTerminationCanceled = "product.termination_canceled"
	InvoicePaid                = "invoice.paid"
	PaymentFailed              = "payment.failed"
	OrderCancelled             = "order.cancelled"
)

// MaxAttempts is how many times a delivery is tried before it is given up.
const MaxAttempts = 12

// Timeout bounds one delivery attempt.
const Timeout = 10 * time.Second

// ErrURLInvalid refuses an endpoint address.
var ErrURLInvalid = apperr.Register("webhook_url_invalid", http.StatusUnprocessableEntity,
	"Give the endpoint's full address, starting with https:// (or http:// for a server on the same machine or network).")

// Service publishes events and delivers them.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	enq    jobs.Enqueuer
	client *http.Client
}

// New returns the webhook service. client is used for deliveries; nil
// means a client with Timeout that follows no redirect.
func New(db *store.DB, clk clock.Clock, enq jobs.Enqueuer, client *http.Client) *Service {
	if client == nil {
		client = &http.Client{Timeout: Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	return &Service{db: db, clock: clk, enq: enq, client: client}
}
