package billing

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/alpage/alpage/internal/calendar"
)

// Events published for the provider's systems (PRD-5), in the transaction
// of the change they tell: a product activated by its paid order, renewed
// (and unblocked when it was blocked), an invoice or pro-forma issued and
// paid, a payment failed.
const (
	EventProductActivated = "product.activated"
	EventProductRenewed   = "product.renewed"
	EventProductUnblocked = "product.unblocked"
	EventInvoiceIssued    = "invoice.issued"
	EventInvoicePaid      = "invoice.paid"
	EventPaymentFailed    = "payment.failed"
)

// Publisher records an event in tx and enqueues its deliveries in the same
// transaction; *webhook.Service is one.
type Publisher interface {
	Publish(ctx context.Context, tx *sql.Tx, typ, orgID string, data any) (string, error)
}

// UsePublisher makes the service publish its events (PRD-5) with p. Call
// it before the service is used; without it nothing is published.
func (s *Service) UsePublisher(p Publisher) { s.events = p }

// publish records event typ about orgID in tx, when a publisher is set.
func (s *Service) publish(ctx context.Context, tx *sql.Tx, typ, orgID string, data map[string]any) error {
	if s.events == nil {
		return nil
	}
	if _, err := s.events.Publish(ctx, tx, typ, orgID, data); err != nil {
		return fmt.Errorf("billing: publishing %s: %w", typ, err)
	}
	return nil
}

// Renewed is a product that a paid invoice renewed, its due date moved
// from PreviousDueDate to DueDate (YYYY-MM-DD), or activated (its order
// paid: no PreviousDueDate).
type Renewed struct {
	OrgID, ProductID, DueDate, PreviousDueDate, InvoiceID string
	// Today is the day of the payment in the catalog's time zone.
	Today calendar.Date
}

// OnRenewed sets what else is done, in the renewing transaction, for each
// product a paid invoice renews or activates (the renewal engine cancels a
// termination that the renewal overtakes, PRD-4, and skips the notices of
// the new due date whose day is past). An error rolls the payment's
// settlement back. Call it before the service is used.
func (s *Service) OnRenewed(fn func(ctx context.Context, tx *sql.Tx, r Renewed) error) {
	s.renewed = fn
}
