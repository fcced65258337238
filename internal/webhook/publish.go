package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// DeliverArgs is the job that delivers one event to one endpoint.
type DeliverArgs struct {
	EventID    string `json:"event_id"`
	EndpointID string `json:"endpoint_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "webhook.deliver" }

// body is what an endpoint receives.
type body struct {
	ID             string    `json:"id"`
	Type           string    `json:"type"`
	CreatedAt      time.Time `json:"created_at"`
	OrganizationID string    `json:"organization_id,omitempty"`
	Data           any       `json:"data"`
}

// Publish records an event of type typ about organization orgID (may be
// "") with data (JSON-encoded as the body's "data"), in tx, and enqueues
// its delivery to every endpoint that wants it, in the same transaction.
// It returns the event's id.
func (s *Service) Publish(ctx context.Context, tx *sql.Tx, typ, orgID string, data any) (string, error) {
	ev := body{ID: id.New(), Type: typ, CreatedAt: s.clock.Now().UTC(), OrganizationID: orgID, Data: data}
	payload, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("webhook: encoding %s: %w", typ, err)
	}
	var org any
	if orgID != "" {
		org = orgID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_events (id, type, organization_id, payload, created_at)
		VALUES ($1, $2, $3, $4, $5)`, ev.ID, typ, org, string(payload), ev.CreatedAt); err != nil {
		return "", fmt.Errorf("webhook: recording %s: %w", typ, err)
	}
	// The endpoints are read once per batch of changes (store.Remember).
	eps, err := store.Remember(ctx, "webhook.endpoints", func() ([]Endpoint, error) { return endpoints(ctx, tx) })
	if err != nil {
		return "", err
	}
	for _, e := range eps {
		if !e.Wants(typ) {
			continue
		}
		if err := s.enq.EnqueueTx(ctx, tx, DeliverArgs{EventID: ev.ID, EndpointID: e.ID},
			&river.InsertOpts{MaxAttempts: MaxAttempts, Queue: river.QueueDefault}); err != nil {
			return "", fmt.Errorf("webhook: enqueueing %s for %s: %w", typ, e.URL, err)
		}
	}
	return ev.ID, nil
}
