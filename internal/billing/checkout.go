package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/payment"
)

// CompleteCheckout finishes a payment attempt from the gateway's truth
// (never from the redirect alone): call it when the customer comes back
// from the payment page (ReturnURL or CancelURL, ?checkout={id}). A paid
// page settles the attempt like Pay does; a declined one fails it
// (payment_failed notice) and releases the prepaid part; a canceled or
// expired one cancels it; an open one stays requires_action. It acts once:
// a second call answers the same result. checkoutID is PayResult.CheckoutID.
func (s *Service) CompleteCheckout(ctx context.Context, checkoutID string) (PayResult, error) {
	a, err := s.loadAttempt(ctx, s.db, checkoutID, "", false)
	if err != nil {
		return PayResult{}, err
	}
	return s.resolveAttempt(ctx, a, false)
}

// abandonAfter is how long a charge of a saved method may stay unanswered
// before the sweep asks the gateway and, when it never got the call,
// cancels the attempt.
const abandonAfter = 5 * time.Minute

// resolveAttempt asks the gateway where an open attempt stands and finishes
// it when it can. abandon cancels a saved-method charge the gateway never
// received.
func (s *Service) resolveAttempt(ctx context.Context, a attempt, abandon bool) (PayResult, error) {
	if a.Status != "open" || a.Method == MethodIBAN {
		return s.result(ctx, a.ID)
	}
	canceled := &payment.Payment{Status: payment.StatusCanceled}
	if a.GatewayCheckoutID == "" {
		if a.Amount == 0 && a.Purpose != "save_method" {
			return s.finish(ctx, a.ID, nil, nil, "")
		}
		p, err := s.gateway.PaymentByKey(ctx, a.gatewayKey())
		switch {
		case err == nil:
			return s.finish(ctx, a.ID, &p, nil, "")
		case errors.Is(err, payment.ErrNotFound) && (abandon || a.Token == ""):
			return s.finish(ctx, a.ID, canceled, nil, "")
		case errors.Is(err, payment.ErrNotFound) && a.Token != "":
			return s.chargeSaved(ctx, a) // the gateway never got it: the same key is safe
		}
		return s.result(ctx, a.ID)
	}
	res, err := s.gateway.Checkout(ctx, a.GatewayCheckoutID)
	if err != nil {
		return PayResult{}, fmt.Errorf("billing: reading the payment page's outcome: %w", err)
	}
	switch res.Status {
	case payment.CheckoutSucceeded:
		return s.finish(ctx, a.ID, res.Payment, res.SavedMethod, "")
	case payment.CheckoutFailed:
		code := res.FailureCode
		if code == "" {
			code = payment.CodeCardDeclined
		}
		return s.finish(ctx, a.ID, res.Payment, nil, code)
	case payment.CheckoutCanceled, payment.CheckoutExpired:
		return s.finish(ctx, a.ID, canceled, nil, "")
	}
	r, err := s.result(ctx, a.ID)
	return r, err
}

// SweepPayments settles or cancels payment attempts left open: payment
// pages the customer never came back from (completed, failed or expired on
// the gateway), charges whose answer was lost (asked with PaymentByKey),
// and attempts interrupted by a crash. It is idempotent: run it as a
// jobs.Sweep (every few minutes) and from the test clock.
func (s *Service) SweepPayments(ctx context.Context, now time.Time) error {
	rows, err := s.db.QueryContext(ctx, `SELECT CAST(id AS text) FROM checkouts WHERE status = 'open' AND method <> 'iban'
		AND created_at <= $1 ORDER BY created_at`, now.Add(-abandonAfter))
	if err != nil {
		return fmt.Errorf("billing: listing open payment attempts: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		a, err := s.loadAttempt(ctx, s.db, id, "", false)
		if err == nil {
			_, err = s.resolveAttempt(ctx, a, true)
		}
		if err != nil && !isDecline(err) {
			errs = append(errs, fmt.Errorf("attempt %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// isDecline reports whether err is one of the decline refusals.
func isDecline(err error) bool {
	return errors.Is(err, ErrCardDeclined) || errors.Is(err, ErrInsufficientFunds) || errors.Is(err, ErrExpiredCard)
}
