package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/store"
)

const paymentColumns = `CAST(id AS text), status, amount_minor, currency, captured_minor, refunded_minor,
	failure_code, method, label, CAST(method_id AS text), CAST(checkout_id AS text), reference, created_at, expires_at`

// scanPayment reads a payment row; an open payment past its expiry reads as
// canceled (an expired checkout, an authorization not captured in time).
func scanPayment(row *sql.Row, now time.Time) (payment.Payment, error) {
	var p payment.Payment
	var status, currency, method string
	var amount, captured, refunded int64
	var token, checkout sql.NullString
	var expires sql.NullTime
	err := row.Scan(&p.ID, &status, &amount, &currency, &captured, &refunded, &p.FailureCode, &method,
		&p.MethodLabel, &token, &checkout, &p.Reference, &p.CreatedAt, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return payment.Payment{}, payment.Errorf(payment.ErrNotFound, "no such payment")
	}
	if err != nil {
		return payment.Payment{}, fmt.Errorf("sandbox: reading the payment: %w", err)
	}
	p.Status = payment.PaymentStatus(status)
	p.Amount = money.Amount{Minor: amount, Currency: currency}
	p.Captured = money.Amount{Minor: captured, Currency: currency}
	p.Refunded = money.Amount{Minor: refunded, Currency: currency}
	p.Method = payment.Method(method)
	p.Token, p.CheckoutID = token.String, checkout.String
	p.CreatedAt = p.CreatedAt.UTC()
	if (p.Status == payment.StatusRequiresAction || p.Status == payment.StatusAuthorized) &&
		expires.Valid && !now.Before(expires.Time) {
		p.Status = payment.StatusCanceled
	}
	return p, nil
}

func loadPayment(ctx context.Context, q store.Querier, paymentID string, now time.Time) (payment.Payment, error) {
	if !id.Valid(paymentID) {
		return payment.Payment{}, payment.Errorf(payment.ErrNotFound, "no such payment")
	}
	return scanPayment(q.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM sandbox_payments WHERE id = $1`, paymentID), now)
}

// Payment returns the gateway's record of a payment, or payment.ErrNotFound.
func (g *Gateway) Payment(ctx context.Context, paymentID string) (payment.Payment, error) {
	return loadPayment(ctx, g.db, paymentID, g.clock.Now())
}

// PaymentByKey returns the payment made or changed by the call sent with
// idempotencyKey, or payment.ErrNotFound when the sandbox never recorded
// that call (an outage from FailNext, a refusal) or it made no payment (a
// checkout that only saves a method).
func (g *Gateway) PaymentByKey(ctx context.Context, idempotencyKey string) (payment.Payment, error) {
	r, err := lookupKey(ctx, g.db, idempotencyKey)
	if err != nil {
		return payment.Payment{}, err
	}
	if r == nil || r.paymentID == "" {
		return payment.Payment{}, payment.Errorf(payment.ErrNotFound, "no payment was made with this idempotency key")
	}
	return g.Payment(ctx, r.paymentID)
}
