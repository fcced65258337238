package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

const outboxColumns = `id, channel, recipient, language, template, subject, body_text, body_html,
	links, status, error, attempts, created_at, sent_at`

// List returns the latest outbox entries, newest first, for one recipient or,
// when recipient is "", for all. limit <= 0 means 100; it is capped at 1000.
func (n *Notifier) List(ctx context.Context, recipient string, limit int) ([]OutboxEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	var rows *sql.Rows
	var err error
	if recipient == "" {
		rows, err = n.db.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
			ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	} else {
		rows, err = n.db.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
			WHERE recipient = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, recipient, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("notify: listing the outbox: %w", err)
	}
	defer rows.Close()
	out := []OutboxEntry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("notify: listing the outbox: %w", err)
	}
	return out, nil
}

// Get returns one outbox entry; apperr.NotFound when there is none.
func (n *Notifier) Get(ctx context.Context, outboxID string) (OutboxEntry, error) {
	return n.get(ctx, n.db, outboxID)
}

func (n *Notifier) get(ctx context.Context, q store.Querier, outboxID string) (OutboxEntry, error) {
	if !id.Valid(outboxID) {
		return OutboxEntry{}, apperr.NotFound.With("This outbox message does not exist.")
	}
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, outboxID))
	if errors.Is(err, sql.ErrNoRows) {
		return OutboxEntry{}, apperr.NotFound.With("This outbox message does not exist.").Wrap(store.ErrNotFound)
	}
	return e, err
}

type scanner interface{ Scan(dest ...any) error }

func scanEntry(s scanner) (OutboxEntry, error) {
	var e OutboxEntry
	var links string
	var sentAt sql.NullTime
	err := s.Scan(&e.ID, &e.Channel, &e.Recipient, &e.Language, &e.Template, &e.Subject, &e.BodyText,
		&e.BodyHTML, &links, &e.Status, &e.Error, &e.Attempts, &e.CreatedAt, &sentAt)
	if errors.Is(err, sql.ErrNoRows) {
		return e, err
	}
	if err != nil {
		return e, fmt.Errorf("notify: reading an outbox row: %w", err)
	}
	e.CreatedAt = e.CreatedAt.UTC()
	e.SentAt = store.NullTime(sentAt)
	e.Links = []string{}
	if err := json.Unmarshal([]byte(links), &e.Links); err != nil {
		return e, fmt.Errorf("notify: reading links of outbox row %s: %w", e.ID, err)
	}
	return e, nil
}
