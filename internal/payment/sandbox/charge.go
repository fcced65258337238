package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment"
)

// Authorize reserves an amount on a saved method, to Capture (within
// Options.AuthorizationTTL) or Cancel. See Charge for the outcomes.
func (g *Gateway) Authorize(ctx context.Context, req payment.ChargeRequest) (payment.Payment, error) {
	return g.charge(ctx, req, opAuthorize)
}

// Charge authorizes and captures an amount on a saved method in one call.
// The method's test card decides the outcome: a decline records a failed
// payment and returns it with a *payment.Error (card_declined,
// insufficient_funds, expired_card; also expired_card once the saved
// card's expiry has passed on the clock); the timeout card
// (CardTimeout) records a successful payment but returns
// payment.ErrUnknownOutcome. A replay of the same key returns the recorded
// payment (and its decline), without the timeout. PostFinance Card outside
// CHF is payment.ErrMethodNotAllowed, and nothing is recorded.
func (g *Gateway) Charge(ctx context.Context, req payment.ChargeRequest) (payment.Payment, error) {
	return g.charge(ctx, req, opCharge)
}

func (g *Gateway) charge(ctx context.Context, req payment.ChargeRequest, op string) (payment.Payment, error) {
	if err := req.Validate(); err != nil {
		return payment.Payment{}, err
	}
	if g.lost(true) {
		return payment.Payment{}, outage(op)
	}
	fp := fingerprint(req.Token, strconv.FormatInt(req.Amount.Minor, 10), req.Amount.Currency, req.Description, req.Reference)
	var behavior string
	rec, replay, err := g.mutate(ctx, req.IdempotencyKey, op, fp, func(tx *sql.Tx, now time.Time) (request, error) {
		m, err := loadMethod(ctx, tx, req.Token)
		if err != nil {
			return request{}, err
		}
		if err := payment.Allowed(m.Method, req.Amount.Currency); err != nil {
			return request{}, err
		}
		behavior = m.behavior
		if m.ExpYear > 0 && expired(m.ExpMonth, m.ExpYear, now) {
			behavior = payment.CodeExpiredCard
		}
		status, captured, failure := payment.StatusAuthorized, int64(0), ""
		var expires any
		switch code := chargeOutcome(behavior, req.Amount.Minor, false); {
		case code != "":
			status, failure = payment.StatusFailed, code
		case op == opCharge:
			status, captured = payment.StatusSucceeded, req.Amount.Minor
		default:
			expires = now.Add(g.opts.AuthorizationTTL)
		}
		pid := id.New()
		if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_payments (id, method_id, method, label, reference,
			description, amount_minor, currency, captured_minor, status, failure_code, created_at, updated_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)`,
			pid, m.Token, string(m.Method), m.Label, req.Reference, req.Description, req.Amount.Minor,
			req.Amount.Currency, captured, string(status), failure, now, expires); err != nil {
			return request{}, fmt.Errorf("sandbox: recording the payment: %w", err)
		}
		return request{objectID: pid, paymentID: pid}, nil
	})
	if err != nil {
		return payment.Payment{}, err
	}
	p, err := g.Payment(ctx, rec.paymentID)
	if err != nil {
		return payment.Payment{}, err
	}
	if (!replay && behavior == behaviorTimeout) || g.lost(false) {
		return payment.Payment{}, outage(op)
	}
	if p.Status == payment.StatusFailed {
		return p, declineError(p.FailureCode, p.ID)
	}
	return p, nil
}

// Capture takes amount (at most the authorized amount, in its currency) of
// an authorized payment; the rest of the authorization is released. An
// authorization past Options.AuthorizationTTL reads as canceled and cannot
// be captured (payment.ErrUnexpectedState).
func (g *Gateway) Capture(ctx context.Context, paymentID string, amount money.Amount, idempotencyKey string) (payment.Payment, error) {
	if err := payment.ValidateAmount(amount, idempotencyKey); err != nil {
		return payment.Payment{}, err
	}
	if g.lost(true) {
		return payment.Payment{}, outage(opCapture)
	}
	fp := fingerprint(paymentID, strconv.FormatInt(amount.Minor, 10), amount.Currency)
	rec, _, err := g.mutate(ctx, idempotencyKey, opCapture, fp, func(tx *sql.Tx, now time.Time) (request, error) {
		p, err := loadPayment(ctx, tx, paymentID, now)
		if err != nil {
			return request{}, err
		}
		if p.Status != payment.StatusAuthorized {
			return request{}, payment.Errorf(payment.ErrUnexpectedState, "only an authorized payment can be captured; this one is "+string(p.Status))
		}
		if amount.Currency != p.Amount.Currency {
			return request{}, payment.Errorf(payment.ErrInvalidRequest, "the capture's currency differs from the payment's")
		}
		if amount.Minor > p.Amount.Minor {
			return request{}, payment.Errorf(payment.ErrAmountTooLarge, "the capture is larger than the authorized amount")
		}
		return request{objectID: p.ID, paymentID: p.ID}, setStatus(ctx, tx, p.ID, payment.StatusAuthorized,
			payment.StatusSucceeded, amount.Minor, now)
	})
	if err != nil {
		return payment.Payment{}, err
	}
	if g.lost(false) {
		return payment.Payment{}, outage(opCapture)
	}
	return g.Payment(ctx, rec.paymentID)
}

// Cancel releases an authorization that was not captured.
func (g *Gateway) Cancel(ctx context.Context, paymentID, idempotencyKey string) (payment.Payment, error) {
	if err := payment.ValidateKey(idempotencyKey); err != nil {
		return payment.Payment{}, err
	}
	if g.lost(true) {
		return payment.Payment{}, outage(opCancel)
	}
	rec, _, err := g.mutate(ctx, idempotencyKey, opCancel, fingerprint(paymentID), func(tx *sql.Tx, now time.Time) (request, error) {
		p, err := loadPayment(ctx, tx, paymentID, now)
		if err != nil {
			return request{}, err
		}
		if p.Status != payment.StatusAuthorized {
			return request{}, payment.Errorf(payment.ErrUnexpectedState, "only an authorized payment can be canceled; this one is "+string(p.Status))
		}
		return request{objectID: p.ID, paymentID: p.ID}, setStatus(ctx, tx, p.ID, payment.StatusAuthorized,
			payment.StatusCanceled, 0, now)
	})
	if err != nil {
		return payment.Payment{}, err
	}
	if g.lost(false) {
		return payment.Payment{}, outage(opCancel)
	}
	return g.Payment(ctx, rec.paymentID)
}

// setStatus moves a payment from one status to another, refusing when a
// concurrent call moved it first.
func setStatus(ctx context.Context, tx *sql.Tx, paymentID string, from, to payment.PaymentStatus, captured int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE sandbox_payments SET status = $1, captured_minor = $2, updated_at = $3
		WHERE id = $4 AND status = $5`, string(to), captured, now, paymentID, string(from))
	if err != nil {
		return fmt.Errorf("sandbox: updating the payment: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return payment.Errorf(payment.ErrUnexpectedState, "the payment changed meanwhile")
	}
	return nil
}
