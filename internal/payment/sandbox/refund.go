package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment"
)

// Refund gives back amount of a captured payment to the method that paid.
// The refunds of a payment never add up to more than was captured
// (payment.ErrAmountTooLarge, checked in the same statement that counts the
// refund, so concurrent refunds cannot overshoot either); a payment not
// captured is payment.ErrUnexpectedState.
func (g *Gateway) Refund(ctx context.Context, paymentID string, amount money.Amount, idempotencyKey string) (payment.Refund, error) {
	if err := payment.ValidateAmount(amount, idempotencyKey); err != nil {
		return payment.Refund{}, err
	}
	if g.lost(true) {
		return payment.Refund{}, outage(opRefund)
	}
	fp := fingerprint(paymentID, strconv.FormatInt(amount.Minor, 10), amount.Currency)
	rec, _, err := g.mutate(ctx, idempotencyKey, opRefund, fp, func(tx *sql.Tx, now time.Time) (request, error) {
		p, err := loadPayment(ctx, tx, paymentID, now)
		if err != nil {
			return request{}, err
		}
		if !p.Paid() {
			return request{}, payment.Errorf(payment.ErrUnexpectedState, "only a captured payment can be refunded; this one is "+string(p.Status))
		}
		if amount.Currency != p.Amount.Currency {
			return request{}, payment.Errorf(payment.ErrInvalidRequest, "the refund's currency differs from the payment's")
		}
		res, err := tx.ExecContext(ctx, `UPDATE sandbox_payments
			SET refunded_minor = refunded_minor + $1,
			    status = CASE WHEN refunded_minor + $1 = captured_minor THEN 'refunded' ELSE 'partially_refunded' END,
			    updated_at = $2
			WHERE id = $3 AND status IN ('succeeded', 'partially_refunded') AND refunded_minor + $1 <= captured_minor`,
			amount.Minor, now, p.ID)
		if err != nil {
			return request{}, fmt.Errorf("sandbox: counting the refund: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return request{}, payment.Errorf(payment.ErrAmountTooLarge, fmt.Sprintf(
				"the refunds would exceed the captured %s %s", p.Captured.String(), p.Captured.Currency))
		}
		rid := id.New()
		if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_refunds (id, payment_id, amount_minor, currency, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, rid, p.ID, amount.Minor, amount.Currency, string(payment.RefundSucceeded), now); err != nil {
			return request{}, fmt.Errorf("sandbox: recording the refund: %w", err)
		}
		return request{objectID: rid, paymentID: p.ID}, nil
	})
	if err != nil {
		return payment.Refund{}, err
	}
	if g.lost(false) {
		return payment.Refund{}, outage(opRefund)
	}
	return g.refund(ctx, rec.objectID)
}

func (g *Gateway) refund(ctx context.Context, refundID string) (payment.Refund, error) {
	var r payment.Refund
	var status string
	err := g.db.QueryRowContext(ctx, `SELECT CAST(id AS text), CAST(payment_id AS text), amount_minor, currency, status, created_at
		FROM sandbox_refunds WHERE id = $1`, refundID).
		Scan(&r.ID, &r.PaymentID, &r.Amount.Minor, &r.Amount.Currency, &status, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return payment.Refund{}, payment.Errorf(payment.ErrNotFound, "no such refund")
	}
	if err != nil {
		return payment.Refund{}, fmt.Errorf("sandbox: reading the refund: %w", err)
	}
	r.Status = payment.RefundStatus(status)
	r.CreatedAt = r.CreatedAt.UTC()
	return r, nil
}
