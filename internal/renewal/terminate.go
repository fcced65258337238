package renewal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/webhook"
)

// TerminationLinkTTL is how long a termination confirmation link works
// (PRD-4).
const TerminationLinkTTL = 7 * 24 * time.Hour

// When a termination takes effect.
const (
	WhenNow     = "now"      // at once (once confirmed)
	WhenDueDate = "due_date" // on the product's due date
)

// Refusals of termination (PRD-4).
var (
	// ErrNotTerminable refuses terminating a product that is terminated
	// already or still pending (its order unpaid).
	ErrNotTerminable = apperr.Register("product_not_terminable", http.StatusConflict,
		"This product cannot be terminated: it is terminated already, or its order is not paid yet (cancel the order instead).")
	// ErrTerminationScheduled refuses a second termination of a product
	// whose termination at the due date is confirmed already.
	ErrTerminationScheduled = apperr.Register("termination_already_scheduled", http.StatusConflict,
		"This product's termination at its due date is confirmed already: nothing more to do.")
	// ErrTerminationLinkInvalid answers a confirmation link that is unknown,
	// used, replaced or expired.
	ErrTerminationLinkInvalid = apperr.Register("termination_link_invalid", http.StatusGone,
		"This termination link is unknown, used or expired (links work for 7 days): ask for the termination again from the product's page.")
)

// Termination is a customer's request to terminate a product (PRD-4).
type Termination struct {
	ID             string
	OrganizationID string
	ProductID      string
	ProductName    string
	ProductDue     string // the product's due date now (YYYY-MM-DD, or "")
	RequestedBy    string
	When           string // WhenNow or WhenDueDate
	// Status: "pending" (waits for its link), "scheduled" (confirmed, for
	// EffectiveDate), "done" (the product is terminated), "replaced".
	Status        string
	EffectiveDate string // YYYY-MM-DD, for WhenDueDate
	ExpiresAt     time.Time
	CreatedAt     time.Time
	ConfirmedAt   *time.Time
	DoneAt        *time.Time
	// NeedsConfirmation: a link was e-mailed; nothing happens without it.
	NeedsConfirmation bool
}

const terminationColumns = `CAST(t.id AS text), CAST(t.organization_id AS text), CAST(t.product_id AS text), p.name, COALESCE(p.due_date, ''),
	COALESCE(CAST(t.requested_by AS text), ''), t.mode, t.status, t.effective_date, t.expires_at, t.created_at,
	t.confirmed_at, t.done_at, t.token_hash IS NOT NULL`

func scanTermination(row interface{ Scan(...any) error }) (Termination, error) {
	var t Termination
	var confirmed, done sql.NullTime
	if err := row.Scan(&t.ID, &t.OrganizationID, &t.ProductID, &t.ProductName, &t.ProductDue, &t.RequestedBy, &t.When, &t.Status,
		&t.EffectiveDate, &t.ExpiresAt, &t.CreatedAt, &confirmed, &done, &t.NeedsConfirmation); err != nil {
		return t, err
	}
	t.ExpiresAt, t.CreatedAt = t.ExpiresAt.UTC(), t.CreatedAt.UTC()
	if confirmed.Valid {
		c := confirmed.Time.UTC()
		t.ConfirmedAt = &c
	}
	if done.Valid {
		d := done.Time.UTC()
		t.DoneAt = &d
	}
	return t, nil
}

func loadTermination(ctx context.Context, q store.Querier, where string, args ...any) (Termination, error) {
	t, err := scanTermination(q.QueryRowContext(ctx, `SELECT `+terminationColumns+`
		FROM termination_requests t JOIN products p ON p.id = t.product_id WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFound
	}
	if err != nil {
		return t, fmt.Errorf("renewal: loading a termination request: %w", err)
	}
	return t, nil
}

// RequestTermination asks to terminate a product now or at its due date
// (PRD-4), for the organization's legal representatives and
// administrators (administrator_required; a product the user does not
// reach is object_not_found). For a type whose catalog entry asks for a
// confirmation (the default), a link valid 7 days is e-mailed to the user
// and nothing else happens until it is opened (ConfirmTermination); a newer
// request replaces a pending one. Other types are terminated (or
// scheduled) at once. Refusals: validation_failed on "when",
// product_not_terminable, termination_already_scheduled.
func (s *Service) RequestTermination(ctx context.Context, userID, orgID, productID, when string, meta audit.Meta) (Termination, error) {
	// The product rule of reach (ORG-8) first, outside the transaction
	// (SQLite has one connection).
	if _, err := product.New(s.db, s.clock).Get(ctx, userID, orgID, productID); err != nil {
		return Termination{}, err
	}
	var out Termination
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		actor, err := org.ActorOf(ctx, tx, userID, orgID)
		if err != nil {
			return err
		}
		p, err := lcLoad(ctx, tx, orgID, productID)
		if err != nil {
			return err
		}
		if err := authz.Allow(actor, authz.ViewAllProducts); err != nil {
			return err
		}
		if when != WhenNow && when != WhenDueDate {
			return apperr.Validation.With(`"when" must be "now" or "due_date".`).Field("when", when)
		}
		if p.Status != "active" && p.Status != "blocked" {
			return ErrNotTerminable
		}
		if when == WhenDueDate && p.Due == "" {
			return apperr.Validation.With(`This product has no due date: terminate it "now".`).Field("when", when)
		}
		var scheduled int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM termination_requests t WHERE t.product_id = $1 AND t.status = 'scheduled' AND `+standing,
			p.ID).Scan(&scheduled); err != nil {
			return fmt.Errorf("renewal: checking scheduled terminations: %w", err)
		}
		if scheduled > 0 {
			return ErrTerminationScheduled
		}
		if _, err := tx.ExecContext(ctx, `UPDATE termination_requests SET status = 'replaced' WHERE product_id = $1 AND status = 'pending'`,
			p.ID); err != nil {
			return fmt.Errorf("renewal: replacing earlier requests: %w", err)
		}
		cat, _, err := s.lcCatalog(ctx, tx)
		if err != nil {
			return err
		}
		confirm := NeedsConfirmation(cat, p.Type)
		now := s.clock.Now().UTC()
		reqID := id.New()
		var secret string
		var hash any
		if confirm {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return fmt.Errorf("renewal: reading random bytes: %w", err)
			}
			secret = base64.RawURLEncoding.EncodeToString(b)
			hash = hashTerminationToken(secret)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO termination_requests (id, organization_id, product_id, requested_by, mode,
			status, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8)`,
			reqID, orgID, p.ID, userID, when, hash, now.Add(TerminationLinkTTL), now); err != nil {
			return fmt.Errorf("renewal: recording the termination request: %w", err)
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "product.termination_requested",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
			Data: map[string]string{"product": p.ID, "name": p.Name, "when": when, "confirmation": fmt.Sprint(confirm)}}); err != nil {
			return err
		}
		if confirm {
			if err := s.mailTerminationLink(ctx, tx, userID, p, when, secret); err != nil {
				return err
			}
		} else {
			t, err := loadTermination(ctx, tx, `t.id = $1`, reqID)
			if err != nil {
				return err
			}
			if err := s.applyTermination(ctx, tx, t, meta); err != nil {
				return err
			}
		}
		out, err = loadTermination(ctx, tx, `t.id = $1`, reqID)
		return err
	})
	return out, err
}

func hashTerminationToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// TerminationByToken returns the pending request of a confirmation link,
// without using it (the page that asks to confirm);
// termination_link_invalid when it is unknown, used, replaced or expired,
// or when its requester may no longer terminate products (as
// ConfirmTermination would answer).
func (s *Service) TerminationByToken(ctx context.Context, token string) (Termination, error) {
	if token == "" {
		return Termination{}, ErrTerminationLinkInvalid
	}
	t, err := loadTermination(ctx, s.db, `t.token_hash = $1 AND t.status = 'pending' AND t.expires_at > $2`,
		hashTerminationToken(token), s.clock.Now().UTC())
	if errors.Is(err, apperr.NotFound) {
		return Termination{}, ErrTerminationLinkInvalid
	}
	if err != nil {
		return Termination{}, err
	}
	if !mayTerminate(ctx, s.db, t) {
		return Termination{}, ErrTerminationLinkInvalid
	}
	return t, nil
}

// mayTerminate reports whether the requester of t may still terminate the
// organization's products: a link carries its requester's rights of now.
func mayTerminate(ctx context.Context, q store.Querier, t Termination) bool {
	actor, err := org.ActorOf(ctx, q, t.RequestedBy, t.OrganizationID)
	return err == nil && authz.Allow(actor, authz.ViewAllProducts) == nil
}

// ConfirmTermination uses a confirmation link once (PRD-4): the product is
// terminated now (product.terminated is published, its data and backups
// marked for deletion, auto-renewal switched off), or its termination is
// scheduled for its due date (ApplyScheduledTerminations). Open fees stay
// due: no invoice is cancelled. The organization's other legal
// representatives and administrators are e-mailed. A link unknown, used,
// replaced or older than 7 days, or whose requester may no longer
// terminate products, is termination_link_invalid.
func (s *Service) ConfirmTermination(ctx context.Context, token string, meta audit.Meta) (Termination, error) {
	if token == "" {
		return Termination{}, ErrTerminationLinkInvalid
	}
	var out Termination
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now().UTC()
		var reqID string
		err := tx.QueryRowContext(ctx, `UPDATE termination_requests SET confirmed_at = $1 WHERE token_hash = $2
			AND status = 'pending' AND confirmed_at IS NULL AND expires_at > $1 RETURNING CAST(id AS text)`,
			now, hashTerminationToken(token)).Scan(&reqID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrTerminationLinkInvalid
		}
		if err != nil {
			return fmt.Errorf("renewal: using the termination link: %w", err)
		}
		t, err := loadTermination(ctx, tx, `t.id = $1`, reqID)
		if err != nil {
			return err
		}
		// The link carries the rights its requester has now, not those
		// they had when asking: removed or demoted since, it does nothing.
		if !mayTerminate(ctx, tx, t) {
			return ErrTerminationLinkInvalid
		}
		// The requester confirms; whoever opened the link is not an actor
		// of this organization's audit.
		meta.ActorID = t.RequestedBy
		if err := s.applyTermination(ctx, tx, t, meta); err != nil {
			return err
		}
		out, err = loadTermination(ctx, tx, `t.id = $1`, reqID)
		return err
	})
	return out, err
}

// applyTermination gives a confirmed (or confirmation-free) request its
// effect, in tx: terminated at once, or scheduled for the due date (at
// once when that date has come).
func (s *Service) applyTermination(ctx context.Context, tx *sql.Tx, t Termination, meta audit.Meta) error {
	now := s.clock.Now().UTC()
	p, err := lcLoad(ctx, tx, t.OrganizationID, t.ProductID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE termination_requests SET confirmed_at = COALESCE(confirmed_at, $1) WHERE id = $2`,
		now, t.ID); err != nil {
		return fmt.Errorf("renewal: confirming the termination request: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE products SET auto_renew = $1, updated_at = $2 WHERE id = $3`, false, now, p.ID); err != nil {
		return fmt.Errorf("renewal: switching auto-renewal off: %w", err)
	}
	if t.When == WhenDueDate {
		_, today, err := s.lcCatalog(ctx, tx)
		if err != nil {
			return err
		}
		if due, err := calendar.Parse(p.Due); err == nil && today.Before(due) {
			if _, err := tx.ExecContext(ctx, `UPDATE termination_requests SET status = 'scheduled', effective_date = $1 WHERE id = $2`,
				p.Due, t.ID); err != nil {
				return fmt.Errorf("renewal: scheduling the termination: %w", err)
			}
			if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: p.OrgID, Action: "product.termination_scheduled",
				IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: map[string]string{"product": p.ID, "name": p.Name, "date": p.Due}}); err != nil {
				return err
			}
			return s.mailTerminationNotice(ctx, tx, t.RequestedBy, p, p.Due)
		}
	}
	if err := s.terminateForCustomer(ctx, tx, t, p, meta); err != nil {
		return err
	}
	return s.mailTerminationNotice(ctx, tx, t.RequestedBy, p, "")
}

// terminateForCustomer terminates p for request t, in tx, and tells the
// requester it is done.
func (s *Service) terminateForCustomer(ctx context.Context, tx *sql.Tx, t Termination, p lcProduct, meta audit.Meta) error {
	now := s.clock.Now().UTC()
	moved, err := s.transition(ctx, tx, p.OrgID, p.ID, []string{"active", "blocked"}, "terminated", webhook.ProductTerminated,
		map[string]any{"reason": "customer", "delete_data": true})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE termination_requests SET status = 'done', done_at = $1 WHERE id = $2`, now, t.ID); err != nil {
		return fmt.Errorf("renewal: closing the termination request: %w", err)
	}
	if !moved {
		return nil // terminated meanwhile (BIL-7): nothing more to do
	}
	if _, err := tx.ExecContext(ctx, `UPDATE products SET auto_renew = $1 WHERE id = $2`, false, p.ID); err != nil {
		return fmt.Errorf("renewal: switching auto-renewal off: %w", err)
	}
	if err := MarkDataForDeletion(ctx, tx, p.OrgID, p.ID, "customer", now); err != nil {
		return err
	}
	if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: p.OrgID, Action: "product.terminated",
		IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: map[string]string{"product": p.ID, "name": p.Name, "reason": "customer"}}); err != nil {
		return err
	}
	return s.mailTerminationDone(ctx, tx, t.RequestedBy, p)
}

// MarkDataForDeletion records, in tx, that a terminated product's data and
// backups are to be deleted (PRD-4: they cannot be restored); reason is
// "customer" or "unpaid" (BIL-7). A second mark keeps the first.
func MarkDataForDeletion(ctx context.Context, tx *sql.Tx, orgID, productID, reason string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO product_data_deletions (product_id, organization_id, reason, marked_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (product_id) DO NOTHING`, productID, orgID, reason, now.UTC()); err != nil {
		return fmt.Errorf("renewal: marking the data of %s for deletion: %w", productID, err)
	}
	return nil
}

// standing is the SQL condition, on termination_requests t, of a
// scheduled termination that still stands: the product was not renewed
// past its date since (a renewal paid by hand after confirming keeps the
// product; renewalKeeps marks the request replaced in the renewal's
// transaction).
const standing = `t.effective_date >= COALESCE((SELECT p.due_date FROM products p WHERE p.id = t.product_id), '')`

// PendingTermination returns the product's termination request that is
// waiting for its link (and not expired) or scheduled, or apperr.NotFound.
func (s *Service) pendingTermination(ctx context.Context, q store.Querier, orgID, productID string) (Termination, error) {
	return loadTermination(ctx, q, `t.product_id = $1 AND t.organization_id = $2 AND ((t.status = 'scheduled' AND `+standing+`)
		OR (t.status = 'pending' AND t.expires_at > $3)) ORDER BY t.created_at DESC LIMIT 1`, productID, orgID, s.clock.Now().UTC())
}

// ApplyScheduledTerminations terminates the products whose confirmed
// termination at the due date has come (PRD-4), one transaction each. It
// is a sweep: run it periodically and by the test clock; a second run does
// nothing more.
func (s *Service) ApplyScheduledTerminations(ctx context.Context, now time.Time) error {
	cat, err := s.catalog.Current(ctx)
	if err != nil && !errors.Is(err, catalog.ErrEmpty) {
		return err
	}
	today := calendar.Today(now, cat.Catalog.Location()).String()
	after := ""
	for {
		rows, err := s.db.QueryContext(ctx, `SELECT CAST(id AS text) FROM termination_requests WHERE status = 'scheduled'
			AND effective_date <= $1 AND CAST(id AS text) > $2 ORDER BY CAST(id AS text) LIMIT 100`, today, after)
		if err != nil {
			return fmt.Errorf("renewal: finding scheduled terminations: %w", err)
		}
		var ids []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, reqID := range ids {
			if err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
				// Claim the request: a second sweep, or another instance, finds it done.
				res, err := tx.ExecContext(ctx, `UPDATE termination_requests SET status = 'done', done_at = $1
					WHERE id = $2 AND status = 'scheduled'`, now.UTC(), reqID)
				if err != nil {
					return fmt.Errorf("renewal: claiming termination %s: %w", reqID, err)
				}
				if n, err := res.RowsAffected(); err != nil || n == 0 {
					return err
				}
				t, err := loadTermination(ctx, tx, `t.id = $1`, reqID)
				if err != nil {
					return err
				}
				p, err := lcLoad(ctx, tx, t.OrganizationID, t.ProductID)
				if err != nil {
					return err
				}
				if p.Due > t.EffectiveDate {
					// Renewed by hand after the termination was confirmed:
					// the customer paid for the next period, which stands.
					_, err := tx.ExecContext(ctx, `UPDATE termination_requests SET status = 'replaced' WHERE id = $1`, reqID)
					return err
				}
				return s.terminateForCustomer(ctx, tx, t, p, audit.Meta{})
			}); err != nil {
				return err
			}
		}
		if len(ids) < 100 {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// renewalKeeps cancels, in the transaction of a paid renewal, the
// termination at the due date that the renewal overtakes (PRD-4): paying
// the next period after confirming the termination keeps the product. A
// confirmed termination is not dropped silently: the requester and the
// other administrators are told, and the provider's systems
// (product.termination_canceled); a request still waiting for its link
// ends with it (its link no longer works).
func (s *Service) renewalKeeps(ctx context.Context, tx *sql.Tx, r billing.Renewed) error {
	t, err := loadTermination(ctx, tx, `t.product_id = $1 AND t.organization_id = $2 AND t.mode = $3
		AND t.status IN ('pending', 'scheduled') AND t.effective_date <> '' AND t.effective_date < $4
		ORDER BY CASE WHEN t.status = 'scheduled' THEN 0 ELSE 1 END, t.created_at DESC LIMIT 1`,
		r.ProductID, r.OrgID, WhenDueDate, r.DueDate)
	if errors.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE termination_requests SET status = 'replaced'
		WHERE product_id = $1 AND organization_id = $2 AND mode = $3 AND status IN ('pending', 'scheduled')
		AND effective_date <> '' AND effective_date < $4`, r.ProductID, r.OrgID, WhenDueDate, r.DueDate); err != nil {
		return fmt.Errorf("renewal: canceling the termination a renewal overtook: %w", err)
	}
	if t.Status != "scheduled" {
		return nil
	}
	now := s.clock.Now().UTC()
	if err := audit.Record(ctx, tx, audit.Event{OrganizationID: r.OrgID, Action: "product.termination_canceled", CreatedAt: now,
		Data: map[string]string{"product": r.ProductID, "termination": t.ID, "date": t.EffectiveDate,
			"reason": "renewed", "invoice": r.InvoiceID}}); err != nil {
		return err
	}
	if s.webhooks != nil {
		if _, err := s.webhooks.Publish(ctx, tx, webhook.ProductTerminationCanceled, r.OrgID, map[string]any{
			"product_id": r.ProductID, "termination_date": t.EffectiveDate, "reason": "renewed",
			"due_date": r.DueDate, "invoice_id": r.InvoiceID}); err != nil {
			return err
		}
	}
	return s.mailTerminationCanceled(ctx, tx, t, r.DueDate)
}

// NeedsConfirmation reports whether terminating a product of type typ waits
// for the e-mailed link (PRD-4): yes unless the catalog's type says
// otherwise (confirm_termination: false).
func NeedsConfirmation(cat catalog.Catalog, typ string) bool {
	if t, ok := cat.Type(typ); ok {
		return t.ConfirmTermination
	}
	return true
}
