package renewal

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/webhook"
)

// Service is the renewal and lifecycle engine.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	catalog  *catalog.Service
	billing  *billing.Service
	notifier *notify.Notifier
	webhooks *webhook.Service
	schedule Schedule
	batch    int // products the sweep reads at a time (DefaultBatch)
}

// New returns the engine with the default schedule.
func New(db *store.DB, clk clock.Clock, cat *catalog.Service, bil *billing.Service, notifier *notify.Notifier, hooks *webhook.Service) *Service {
	if bil != nil && hooks != nil {
		// The renewal's events (product.renewed, product.unblocked,
		// invoice.paid, payment.failed) are published by billing, in the
		// transactions that renew.
		bil.UsePublisher(hooks)
	}
	s := &Service{db: db, clock: clk, catalog: cat, billing: bil, notifier: notifier, webhooks: hooks,
		schedule: DefaultSchedule(), batch: DefaultBatch}
	if bil != nil {
		bil.OnRenewed(s.renewed)
	}
	return s
}

// SetBatch sets how many products the sweep reads at a time (DefaultBatch
// when n <= 0).
func (s *Service) SetBatch(n int) { s.batch = n }

// Schedule is the schedule the engine applies.
func (s *Service) Schedule() Schedule { return s.schedule }

// SetSchedule replaces the schedule (operator configuration, tests).
func (s *Service) SetSchedule(sc Schedule) { s.schedule = sc }

// transition moves a product from one of the states in from to to, in tx,
// and publishes event (PRD-5) with the product in the same transaction. It
// reports false, and does nothing, when the product is not in one of from:
// a second sweep, or a sweep racing another instance, cannot repeat a
// change. Every state change of a product goes through here.
func (s *Service) transition(ctx context.Context, tx *sql.Tx, orgID, productID string, from []string, to, event string, extra map[string]any) (bool, error) {
	args := []any{to, s.clock.Now().UTC(), productID, orgID}
	in := ""
	for i, f := range from {
		if i > 0 {
			in += ", "
		}
		args = append(args, f)
		in += fmt.Sprintf("$%d", len(args))
	}
	res, err := tx.ExecContext(ctx, `UPDATE products SET status = $1, updated_at = $2
		WHERE id = $3 AND organization_id = $4 AND status IN (`+in+`)`, args...)
	if err != nil {
		return false, fmt.Errorf("renewal: %s product %s: %w", to, productID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	data := map[string]any{"product_id": productID, "status": to}
	for k, v := range extra {
		data[k] = v
	}
	if _, err := s.webhooks.Publish(ctx, tx, event, orgID, data); err != nil {
		return false, err
	}
	return true, nil
}
