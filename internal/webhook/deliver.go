package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/jobs"
)

// RegisterWorkers registers the delivery worker on q; call it before q.Open.
func RegisterWorkers(q *jobs.Queue, s *Service) {
	jobs.AddWorker(q, &deliverWorker{s: s})
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

// Timeout bounds one attempt, the request and its recording.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return Timeout + 20*time.Second
}

// Work runs one delivery attempt; an error makes River try again later.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	err := w.s.Deliver(ctx, job.Args.EventID, job.Args.EndpointID, job.Attempt)
	if errors.Is(err, errGone) {
		return river.JobCancel(err)
	}
	return err
}

// responseExcerpt is how much of a response body is kept for the operator.
const responseExcerpt = 1024

// Deliver sends event eventID to endpoint endpointID once and records the
// attempt (numbered attempt). It returns an error when the endpoint did not
// answer 2xx, so that the caller tries again; errGone when the endpoint was
// removed meanwhile.
func (s *Service) Deliver(ctx context.Context, eventID, endpointID string, attempt int) error {
	var url, secret, payload string
	var removed sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT e.url, e.secret, e.removed_at, ev.payload
		FROM webhook_endpoints e, webhook_events ev WHERE e.id = $1 AND ev.id = $2`, endpointID, eventID).
		Scan(&url, &secret, &removed, &payload)
	if errors.Is(err, sql.ErrNoRows) || removed.Valid {
		return errGone
	}
	if err != nil {
		return fmt.Errorf("webhook: loading delivery %s → %s: %w", eventID, endpointID, err)
	}
	sent := s.clock.Now()
	status, excerpt, sendErr := s.send(ctx, url, secret, eventID, []byte(payload), sent)
	d := Delivery{ID: id.New(), EndpointID: endpointID, EventID: eventID, Attempt: attempt,
		Status: "succeeded", ResponseStatus: status, ResponseBody: excerpt, CreatedAt: sent}
	if sendErr != nil {
		d.Status, d.Error = "failed", sendErr.Error()
	}
	d.Duration = s.clock.Now().Sub(sent)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, attempt,
		status, response_status, response_body, error, duration_ms, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, d.ID, d.EndpointID, d.EventID, d.Attempt, d.Status,
		d.ResponseStatus, d.ResponseBody, d.Error, d.Duration.Milliseconds(), d.CreatedAt); err != nil {
		return fmt.Errorf("webhook: recording delivery %s → %s: %w", eventID, endpointID, err)
	}
	return sendErr
}

// send POSTs the payload, signed at t; it returns the response's status and
// the start of its body, and an error unless the status is 2xx.
func (s *Service) send(ctx context.Context, url, secret, eventID string, payload []byte, t time.Time) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return 0, "", fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "alpage-webhooks/1")
	req.Header.Set("Alpage-Event-Id", eventID)
	req.Header.Set(SignatureHeader, Sign(secret, t, payload))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("no answer: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, responseExcerpt))
	excerpt := strings.ToValidUTF8(string(b), string(utf8.RuneError))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, excerpt, fmt.Errorf("the endpoint answered %d", resp.StatusCode)
	}
	return resp.StatusCode, excerpt, nil
}
