// Package audit writes the append-only record of security- and money-relevant
// changes: who did what, when, from where (DESIGN.md "Audit"). The customer's
// recent activity and the staff history read it.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// Meta describes where a change comes from: the acting user and the request.
type Meta struct {
	ActorID   string // the user acting; empty for the system or an anonymous visitor
	IP        string
	UserAgent string
}

// Event is one recorded change.
type Event struct {
	ID             string
	ActorID        string
	SubjectUserID  string
	OrganizationID string
	Action         string // e.g. "account.signed_up", "session.signin_failed"
	IP             string
	UserAgent      string
	Data           map[string]string
	CreatedAt      time.Time
}

// Record appends e in q (normally the transaction of the change). ID and
// CreatedAt are filled when empty; CreatedAt must come from the clock.
func Record(ctx context.Context, q store.Querier, e Event) error {
	if e.ID == "" {
		e.ID = id.New()
	}
	if e.CreatedAt.IsZero() {
		return fmt.Errorf("audit: event %s without time", e.Action)
	}
	data, err := json.Marshal(e.Data)
	if err != nil {
		return fmt.Errorf("audit: encoding data: %w", err)
	}
	if e.Data == nil {
		data = []byte("{}")
	}
	_, err = q.ExecContext(ctx, `INSERT INTO audit_events
		(id, actor_user_id, subject_user_id, organization_id, action, ip, user_agent, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.ID, nullable(e.ActorID), nullable(e.SubjectUserID), nullable(e.OrganizationID),
		e.Action, e.IP, e.UserAgent, string(data), e.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("audit: recording %s: %w", e.Action, err)
	}
	return nil
}

// ForUser lists the latest events about a user, newest first.
func ForUser(ctx context.Context, q store.Querier, userID string, limit int) ([]Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, COALESCE(CAST(actor_user_id AS text), ''), COALESCE(CAST(subject_user_id AS text), ''),
		COALESCE(CAST(organization_id AS text), ''), action, ip, user_agent, data, created_at
		FROM audit_events WHERE subject_user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: listing events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var data string
		if err := rows.Scan(&e.ID, &e.ActorID, &e.SubjectUserID, &e.OrganizationID, &e.Action,
			&e.IP, &e.UserAgent, &data, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("audit: reading event: %w", err)
		}
		_ = json.Unmarshal([]byte(data), &e.Data)
		out = append(out, e)
	}
	return out, rows.Err()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
