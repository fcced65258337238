package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/jobs"
)

// DeliverArgs is the job that delivers one outbox message (OutboxID), or
// those a transaction recorded together (OutboxIDs).
type DeliverArgs struct {
	OutboxID  string   `json:"outbox_id,omitempty"`
	OutboxIDs []string `json:"outbox_ids,omitempty"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "notify.deliver" }

// RegisterWorkers registers the delivery worker on q; call it before q.Open.
func RegisterWorkers(q *jobs.Queue, n *Notifier) {
	jobs.AddWorker(q, &deliverWorker{n: n})
}

// deliverWorker delivers outbox messages. Jobs are at-least-once, so it is
// idempotent: a message already sent (or finished) is left alone.
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	n *Notifier
}

// Timeout bounds one delivery attempt. A job of many messages cut short
// runs again and sends only what it did not send: it stays under the
// queue's rescue of stuck jobs (jobs.Queue), which would run it twice at
// once.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 2 * time.Minute }

// Work delivers the message of job, or holds it, and records the outcome.
// A job of several messages delivers each; one that fails is retried alone,
// by a job of its own (its attempts and back-off as any message's), and
// one that is not there was rolled back with its part of the transaction.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	if len(job.Args.OutboxIDs) == 0 {
		return w.n.deliver(ctx, job.Args.OutboxID, job.Attempt >= job.MaxAttempts)
	}
	for _, outboxID := range job.Args.OutboxIDs {
		if err := ctx.Err(); err != nil {
			return err // the job runs again; what was sent is not sent twice
		}
		err := w.n.deliver(ctx, outboxID, false)
		var cancel *river.JobCancelError
		switch {
		case err == nil, errors.As(err, &cancel):
		default:
			if err := w.n.db.WithTx(ctx, func(tx *sql.Tx) error {
				return w.n.enq.EnqueueTx(ctx, tx, DeliverArgs{OutboxID: outboxID}, nil)
			}); err != nil {
				return fmt.Errorf("notify: retrying outbox message %s alone: %w", outboxID, err)
			}
		}
	}
	return nil
}

// deliver runs one delivery attempt of an outbox message; last says that no
// retry follows a failure.
func (n *Notifier) deliver(ctx context.Context, outboxID string, last bool) error {
	e, err := n.get(ctx, n.db, outboxID)
	if errors.Is(err, apperr.NotFound) {
		return river.JobCancel(fmt.Errorf("notify: outbox message %s does not exist", outboxID))
	}
	if err != nil {
		return fmt.Errorf("notify: loading outbox message %s: %w", outboxID, err)
	}
	switch e.Status {
	case StatusSent, StatusFailed, StatusHeld:
		return nil // already done: the job ran twice
	}
	if n.holds(e.Channel) {
		_, err := n.db.ExecContext(ctx, `UPDATE outbox SET status = $1 WHERE id = $2 AND status = $3`,
			StatusHeld, e.ID, StatusQueued)
		if err != nil {
			return fmt.Errorf("notify: holding outbox message %s: %w", e.ID, err)
		}
		return nil
	}
	var sendErr error
	switch e.Channel {
	case ChannelEmail:
		sendErr = n.sendEmail(ctx, e)
	case ChannelSMS:
		sendErr = n.sms.SendSMS(ctx, e.Recipient, e.BodyText)
	default:
		sendErr = fmt.Errorf("unknown channel %q", e.Channel)
	}
	if sendErr == nil {
		_, err := n.db.ExecContext(ctx, `UPDATE outbox SET status = $1, sent_at = $2, attempts = attempts + 1, error = ''
			WHERE id = $3`, StatusSent, n.clock.Now().UTC(), e.ID)
		if err != nil {
			return fmt.Errorf("notify: recording outbox message %s as sent: %w", e.ID, err)
		}
		return nil
	}
	status := StatusQueued
	if last {
		status = StatusFailed
	}
	msg := n.scrub(sendErr.Error())
	_, err = n.db.ExecContext(ctx, `UPDATE outbox SET status = $1, attempts = attempts + 1, error = $2 WHERE id = $3`,
		status, msg, e.ID)
	n.logger.WarnContext(ctx, "delivery failed", "outbox_id", e.ID, "channel", e.Channel,
		"template", e.Template, "final", last, "error", msg)
	return errors.Join(fmt.Errorf("notify: delivering %s %s: %s", e.Channel, e.ID, msg), err)
}

// scrub removes the SMTP credentials from an error text and shortens it, so
// that the outbox and the logs never hold a secret.
func (n *Notifier) scrub(s string) string {
	for _, secret := range []string{n.cfg.SMTPPassword} {
		if len(secret) >= 3 {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	if len(s) > 1000 {
		s = s[:1000] + "…"
	}
	return s
}
