package billing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// attempt is one payment under way or done: a checkouts row. Every Pay and
// Deposit makes one, whatever the method, so that what it pays (the
// selection), its prepaid part and its gateway part survive a crash and a
// repeated request finds it by its idempotency key.
type attempt struct {
	ID                string
	OrgID             string
	Purpose           string // pay, deposit, save_method
	Method            string
	Currency          string
	Status            string // open, completed, failed, canceled, expired
	Sel               selection
	Amount            int64 // the gateway's (or the transfer's) part
	Prepaid           int64
	InvoiceID         string
	GatewayCheckoutID string
	Key               string
	CreatedBy         string
	CreatedAt         time.Time
	ExpiresAt         time.Time
	// The saved method charged, if any.
	PaymentMethodID string
	Token           string
	// finishing is how ChargeRenewals wants the attempt finished (not
	// stored; RenewalCharge.Brief and Settled).
	finishing finishOpts
}

// gatewayKey is the idempotency key of the attempt's gateway call.
func (a attempt) gatewayKey() string { return a.Key + "-gw" }

// prepaidKey is the idempotency key of the attempt's prepaid part.
func (a attempt) prepaidKey() string { return a.Key + "-prepaid" }

const attemptColumns = `CAST(c.id AS text), CAST(c.organization_id AS text), c.purpose, c.method, c.currency, c.status,
	c.selection, c.amount_minor, c.prepaid_minor, COALESCE(CAST(c.invoice_id AS text), ''), c.gateway_checkout_id,
	COALESCE(c.idempotency_key, ''), COALESCE(CAST(c.created_by AS text), ''), c.created_at, c.expires_at`

func scanAttempt(row interface{ Scan(...any) error }) (attempt, error) {
	var a attempt
	var sel string
	if err := row.Scan(&a.ID, &a.OrgID, &a.Purpose, &a.Method, &a.Currency, &a.Status, &sel, &a.Amount, &a.Prepaid,
		&a.InvoiceID, &a.GatewayCheckoutID, &a.Key, &a.CreatedBy, &a.CreatedAt, &a.ExpiresAt); err != nil {
		return attempt{}, err
	}
	if sel != "" {
		if err := json.Unmarshal([]byte(sel), &a.Sel); err != nil {
			return attempt{}, fmt.Errorf("billing: decoding the selection of attempt %s: %w", a.ID, err)
		}
	}
	a.CreatedAt, a.ExpiresAt = a.CreatedAt.UTC(), a.ExpiresAt.UTC()
	return a, nil
}

// loadAttempt reads an attempt by id or by key (one of them empty), locked
// when lock, with the saved method its gateway part charges.
func (s *Service) loadAttempt(ctx context.Context, q store.Querier, attemptID, key string, lock bool) (attempt, error) {
	where, arg := `c.id = $1`, any(attemptID)
	if key != "" {
		where, arg = `c.idempotency_key = $1`, key
	} else if !id.Valid(attemptID) {
		return attempt{}, apperr.NotFound
	}
	l := ""
	if lock {
		l = s.forUpdate()
	}
	a, err := scanAttempt(q.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM checkouts c WHERE `+where+l, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return attempt{}, apperr.NotFound
	}
	if err != nil {
		return attempt{}, fmt.Errorf("billing: loading the payment attempt: %w", err)
	}
	err = q.QueryRowContext(ctx, `SELECT COALESCE(CAST(m.id AS text), ''), COALESCE(m.token, '') FROM payments p
		LEFT JOIN payment_methods m ON m.id = p.payment_method_id WHERE p.checkout_id = $1 AND p.method <> 'prepaid'`,
		a.ID).Scan(&a.PaymentMethodID, &a.Token)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return attempt{}, fmt.Errorf("billing: loading the attempt's method: %w", err)
	}
	return a, nil
}

// insertAttempt stores a new attempt with its payment rows: the prepaid
// part held (status pending) and the gateway part (pending).
func (s *Service) insertAttempt(ctx context.Context, tx *sql.Tx, a attempt, userID string) error {
	sel, err := json.Marshal(a.Sel)
	if err != nil {
		return fmt.Errorf("billing: encoding the selection: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO checkouts (id, organization_id, purpose, selection, method, amount_minor,
		currency, prepaid_minor, invoice_id, status, created_by, created_at, expires_at, idempotency_key, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		a.ID, a.OrgID, a.Purpose, string(sel), a.Method, a.Amount, a.Currency, a.Prepaid, nullable(a.InvoiceID), a.Status,
		nullable(userID), a.CreatedAt, a.ExpiresAt, a.Key, completedAt(a)); err != nil {
		return fmt.Errorf("billing: recording the payment attempt: %w", err)
	}
	for _, obj := range a.Sel.objects() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO checkout_items (object_id, checkout_id) VALUES ($1, $2)`,
			obj, a.ID); err != nil {
			return fmt.Errorf("billing: recording what the payment attempt pays: %w", err)
		}
	}
	purpose := "invoice"
	if a.Purpose == "deposit" {
		purpose = "deposit"
	}
	if a.Prepaid > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO payments (id, organization_id, purpose, method, amount_minor, currency,
			status, checkout_id, idempotency_key, created_by, created_at) VALUES ($1, $2, $3, 'prepaid', $4, $5, 'pending', $6, $7, $8, $9)`,
			id.New(), a.OrgID, purpose, a.Prepaid, a.Currency, a.ID, a.prepaidKey(), nullable(userID), a.CreatedAt); err != nil {
			return fmt.Errorf("billing: holding the prepaid part: %w", err)
		}
	}
	if a.Amount > 0 && a.Method != MethodIBAN {
		if _, err := tx.ExecContext(ctx, `INSERT INTO payments (id, organization_id, purpose, method, payment_method_id,
			amount_minor, currency, status, gateway, checkout_id, idempotency_key, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12)`,
			id.New(), a.OrgID, purpose, a.Method, nullable(a.PaymentMethodID), a.Amount, a.Currency, s.gateway.Name(), a.ID,
			a.gatewayKey(), nullable(userID), a.CreatedAt); err != nil {
			return fmt.Errorf("billing: recording the payment: %w", err)
		}
	}
	return nil
}

func completedAt(a attempt) any {
	if a.Status == "open" {
		return nil
	}
	return a.CreatedAt
}

// PayResult is where a payment stands.
type PayResult struct {
	// Status is succeeded, requires_action (send the customer to
	// RedirectURL), awaiting_transfer (Invoice is the pro-forma to pay by
	// bank transfer), failed or canceled; "pending" while the gateway's
	// answer is unknown.
	Status      string
	CheckoutID  string
	Invoice     *Invoice // the invoice issued, or the pro-forma to pay
	Payments    []Payment
	RedirectURL string
	FailureCode string // card_declined, insufficient_funds, … when failed
}

// result reads an attempt's outcome.
func (s *Service) result(ctx context.Context, attemptID string) (PayResult, error) {
	a, err := s.loadAttempt(ctx, s.db, attemptID, "", false)
	if err != nil {
		return PayResult{}, err
	}
	r := PayResult{CheckoutID: a.ID}
	if r.Payments, err = queryPayments(ctx, s.db, `checkout_id = $1`, a.ID); err != nil {
		return PayResult{}, err
	}
	switch a.Status {
	case "open":
		r.Status = "pending"
		if a.GatewayCheckoutID != "" {
			r.Status = StatusRequiresAction
		}
	case "completed":
		r.Status = StatusSucceeded
		if a.Method == MethodIBAN {
			r.Status = StatusAwaitingTransfer
		}
	case "failed":
		r.Status = StatusFailed
	default:
		r.Status = StatusCanceled
	}
	for _, p := range r.Payments {
		if p.FailureCode != "" {
			r.FailureCode = p.FailureCode
		}
	}
	if a.InvoiceID != "" {
		inv, err := loadInvoice(ctx, s.db, a.OrgID, a.InvoiceID)
		if err != nil {
			return PayResult{}, err
		}
		if a.Method == MethodIBAN && inv.Status == "paid" && inv.InvoiceID != "" {
			r.Status = StatusSucceeded
		}
		r.Invoice = &inv
	}
	return r, nil
}
