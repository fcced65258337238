package webhook

import (
	"context"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
)

// Delivery is one attempt to deliver an event to an endpoint.
type Delivery struct {
	ID             string
	EndpointID     string
	EventID        string
	EventType      string
	Attempt        int
	Status         string // "succeeded" or "failed"
	ResponseStatus int    // 0 when the endpoint did not answer
	ResponseBody   string // its first kilobyte
	Error          string
	Duration       time.Duration
	CreatedAt      time.Time
}

// Deliveries lists the latest attempts, newest first; endpointID "" means
// every endpoint.
func (s *Service) Deliveries(ctx context.Context, endpointID string, limit int) ([]Delivery, error) {
	if endpointID != "" && !id.Valid(endpointID) {
		return nil, apperr.NotFound
	}
	if endpointID != "" { // an unknown endpoint is not found; a removed one keeps its history
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_endpoints WHERE id = $1`,
			endpointID).Scan(&n); err != nil {
			return nil, fmt.Errorf("webhook: reading the endpoint: %w", err)
		}
		if n == 0 {
			return nil, apperr.NotFound
		}
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.endpoint_id, d.event_id, ev.type, d.attempt, d.status,
		d.response_status, d.response_body, d.error, d.duration_ms, d.created_at
		FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
		WHERE ($1 = '' OR CAST(d.endpoint_id AS text) = $1)
		ORDER BY d.created_at DESC, d.id DESC LIMIT $2`, endpointID, limit)
	if err != nil {
		return nil, fmt.Errorf("webhook: listing deliveries: %w", err)
	}
	defer rows.Close()
	list := []Delivery{}
	for rows.Next() {
		var d Delivery
		var ms int64
		if err := rows.Scan(&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.Attempt, &d.Status,
			&d.ResponseStatus, &d.ResponseBody, &d.Error, &ms, &d.CreatedAt); err != nil {
			return nil, fmt.Errorf("webhook: reading deliveries: %w", err)
		}
		d.Duration, d.CreatedAt = time.Duration(ms)*time.Millisecond, d.CreatedAt.UTC()
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("webhook: reading deliveries: %w", err)
	}
	return list, nil
}
