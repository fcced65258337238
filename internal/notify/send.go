package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// Send renders m in m.Language (falling back to English), inserts its outbox
// row with status "queued" and enqueues its delivery job, all in tx: nothing
// is sent unless tx commits. It returns the outbox id. An unknown template
// (ErrUnknownTemplate), a key missing from m.Data, a channel that is not the
// template's or an invalid recipient is an error.
func (n *Notifier) Send(ctx context.Context, tx *sql.Tx, m Message) (string, error) {
	if tx == nil {
		return "", errors.New("notify: Send needs the transaction of the change")
	}
	r, err := n.catalog.render(m.Template, m.Language, m.Data, n.cfg.BaseURL)
	if err != nil {
		return "", err
	}
	channel := m.Channel
	if channel == "" {
		channel = r.channel
	}
	if channel != r.channel {
		return "", fmt.Errorf("notify: template %s is for %s, not %q", m.Template, r.channel, m.Channel)
	}
	to, err := recipient(channel, m.To)
	if err != nil {
		return "", err
	}
	links, err := json.Marshal(extractLinks(r.text))
	if err != nil {
		return "", fmt.Errorf("notify: encoding links: %w", err)
	}
	outboxID := id.New()
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox
		(id, channel, recipient, language, template, subject, body_text, body_html, links, status,
		 error, attempts, user_id, organization_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', 0, $11, $12, $13)`,
		outboxID, channel, to, r.language, m.Template, r.subject, r.text, r.html, string(links),
		StatusQueued, nullable(m.UserID), nullable(m.OrganizationID), n.clock.Now().UTC())
	if err != nil {
		return "", fmt.Errorf("notify: recording %s to the outbox: %w", m.Template, err)
	}
	// The messages of one transaction share delivery jobs (enqueued just
	// before its commit); a transaction not begun by store.WithTx gets one
	// job per message.
	if p, ok := store.AtCommit(tx, "notify.deliver", func() *pending { return &pending{} }, n.enqueuePending); ok {
		p.ids = append(p.ids, outboxID)
		return outboxID, nil
	}
	if err := n.enq.EnqueueTx(ctx, tx, DeliverArgs{OutboxID: outboxID}, nil); err != nil {
		return "", fmt.Errorf("notify: enqueueing delivery of %s: %w", m.Template, err)
	}
	return outboxID, nil
}

// pending is the outbox messages a transaction recorded, to deliver; a
// rolled-back savepoint drops its own (store.Gathered).
type pending struct{ ids []string }

func (p *pending) Len() int       { return len(p.ids) }
func (p *pending) Truncate(n int) { p.ids = p.ids[:n] }

// maxPerJob bounds the messages one delivery job carries: about five
// seconds of SMTP each, well inside a job's timeout.
const maxPerJob = 100

// enqueuePending enqueues the delivery of a transaction's messages in it:
// one job for one message, else jobs of up to maxPerJob messages.
func (n *Notifier) enqueuePending(ctx context.Context, tx *sql.Tx, p *pending) error {
	for start := 0; start < len(p.ids); start += maxPerJob {
		ids := p.ids[start:min(start+maxPerJob, len(p.ids))]
		args := DeliverArgs{OutboxIDs: ids}
		if len(ids) == 1 {
			args = DeliverArgs{OutboxID: ids[0]}
		}
		if err := n.enq.EnqueueTx(ctx, tx, args, nil); err != nil {
			return fmt.Errorf("notify: enqueueing the delivery of %d messages: %w", len(ids), err)
		}
	}
	return nil
}

// recipient checks and normalizes the address of a message.
func recipient(channel, to string) (string, error) {
	to = strings.TrimSpace(to)
	switch channel {
	case ChannelEmail:
		a, err := mail.ParseAddress(to)
		if err != nil || a.Address != to {
			return "", fmt.Errorf("notify: invalid e-mail recipient %q", to)
		}
	case ChannelSMS:
		if len(to) < 4 || to[0] != '+' || strings.Trim(to[1:], "0123456789") != "" {
			return "", fmt.Errorf("notify: SMS recipient %q is not an international number (+41…)", to)
		}
	default:
		return "", fmt.Errorf("notify: unknown channel %q", channel)
	}
	return to, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
