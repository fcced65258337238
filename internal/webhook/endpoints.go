package webhook

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// Endpoint is an address of the provider's systems that receives events.
type Endpoint struct {
	ID        string
	URL       string
	Events    []string // patterns: "*", "product.*", "invoice.paid"
	CreatedAt time.Time
}

// Wants reports whether the endpoint subscribed to events of type typ.
func (e Endpoint) Wants(typ string) bool {
	for _, p := range e.Events {
		if p == "*" || p == typ || (strings.HasSuffix(p, ".*") && strings.HasPrefix(typ, strings.TrimSuffix(p, "*"))) {
			return true
		}
	}
	return false
}

// Add registers an endpoint for the event patterns given (none means all)
// and returns it with its signing secret, shown once to the operator.
func (s *Service) Add(ctx context.Context, rawURL string, events []string, meta audit.Meta) (Endpoint, string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" || u.User != nil || u.Fragment != "" ||
		(u.Scheme == "http" && !nearby(u.Hostname())) {
		return Endpoint{}, "", ErrURLInvalid.Field("url", rawURL)
	}
	patterns, err := cleanPatterns(events)
	if err != nil {
		return Endpoint{}, "", err
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return Endpoint{}, "", fmt.Errorf("webhook: making a secret: %w", err)
	}
	secret := "whsec_" + base64.RawURLEncoding.EncodeToString(b)
	e := Endpoint{ID: id.New(), URL: u.String(), Events: patterns, CreatedAt: s.clock.Now()}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoints (id, url, secret, events, created_at)
			VALUES ($1, $2, $3, $4, $5)`, e.ID, e.URL, secret, strings.Join(patterns, ","), e.CreatedAt); err != nil {
			return fmt.Errorf("webhook: adding the endpoint: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, Action: "webhook.endpoint_added",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: e.CreatedAt,
			Data: map[string]string{"endpoint": e.ID, "url": e.URL}})
	})
	if err != nil {
		return Endpoint{}, "", err
	}
	return e, secret, nil
}

func cleanPatterns(events []string) ([]string, error) {
	var out []string
	for _, ev := range events {
		for _, p := range strings.Split(ev, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			name := strings.TrimSuffix(p, ".*")
			if p != "*" && (name == "" || strings.ContainsAny(name, "* /") || strings.ToLower(name) != name) {
				return nil, apperr.Validation.With(
					"An event pattern is \"*\", a type like \"invoice.paid\", or a family like \"product.*\".").Field("events", p)
			}
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = []string{"*"}
	}
	return out, nil
}

// List returns the active endpoints, oldest first.
func (s *Service) List(ctx context.Context) ([]Endpoint, error) {
	return endpoints(ctx, s.db)
}

func endpoints(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]Endpoint, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, url, events, created_at FROM webhook_endpoints
		WHERE removed_at IS NULL ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("webhook: listing endpoints: %w", err)
	}
	defer rows.Close()
	list := []Endpoint{}
	for rows.Next() {
		var e Endpoint
		var events string
		if err := rows.Scan(&e.ID, &e.URL, &events, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("webhook: reading endpoints: %w", err)
		}
		e.Events, e.CreatedAt = strings.Split(events, ","), e.CreatedAt.UTC()
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("webhook: reading endpoints: %w", err)
	}
	return list, nil
}

// Remove stops deliveries to an endpoint; its past deliveries stay listed.
// An unknown or removed one is apperr.NotFound.
func (s *Service) Remove(ctx context.Context, endpointID string, meta audit.Meta) error {
	if !id.Valid(endpointID) {
		return apperr.NotFound
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		res, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET removed_at = $1
			WHERE id = $2 AND removed_at IS NULL`, now, endpointID)
		if err != nil {
			return fmt.Errorf("webhook: removing the endpoint: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.NotFound
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, Action: "webhook.endpoint_removed",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: map[string]string{"endpoint": endpointID}})
	})
}

// nearby reports whether host names a server on the same machine or
// network, the only ones events may reach over plain http (the signature
// proves the sender, but the body would cross the Internet readable):
// localhost, a loopback, private or link-local address, a name of one
// label, or a name under .local, .internal, .lan or .home.arpa.
func nearby(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
	}
	if host == "localhost" || !strings.Contains(host, ".") {
		return true
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".lan", ".home.arpa"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// errGone is an endpoint removed after an event was published to it.
var errGone = errors.New("webhook: the endpoint was removed")
