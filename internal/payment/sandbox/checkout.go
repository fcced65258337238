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
	"github.com/alpage/alpage/internal/store"
)

// CreateCheckout opens a hosted page (served by Handler) where the customer
// pays req.Amount with req.Method, or saves a method when the amount is
// zero. With an amount, the checkout's payment is recorded at once in
// status requires_action, and PaymentByKey(req.IdempotencyKey) finds it.
// PostFinance Card outside CHF is payment.ErrMethodNotAllowed.
func (g *Gateway) CreateCheckout(ctx context.Context, req payment.CheckoutRequest) (payment.Checkout, error) {
	if err := req.Validate(); err != nil {
		return payment.Checkout{}, err
	}
	if req.Language == "" {
		req.Language = "en"
	}
	if g.lost(true) {
		return payment.Checkout{}, outage(opCheckout)
	}
	fp := fingerprint(req.Reference, strconv.FormatInt(req.Amount.Minor, 10), req.Amount.Currency, string(req.Method),
		strconv.FormatBool(req.SaveMethod), req.ReturnURL, req.CancelURL, req.Language)
	rec, _, err := g.mutate(ctx, req.IdempotencyKey, opCheckout, fp, func(tx *sql.Tx, now time.Time) (request, error) {
		cid, expires := id.New(), now.Add(g.opts.CheckoutTTL)
		if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_checkouts (id, reference, method, amount_minor, currency,
			save_method, return_url, cancel_url, language, status, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11)`,
			cid, req.Reference, string(req.Method), req.Amount.Minor, req.Amount.Currency, req.SaveMethod,
			req.ReturnURL, req.CancelURL, req.Language, now, expires); err != nil {
			return request{}, fmt.Errorf("sandbox: recording the checkout: %w", err)
		}
		r := request{objectID: cid}
		if req.Amount.Minor > 0 {
			r.paymentID = id.New()
			if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_payments (id, checkout_id, method, reference,
				amount_minor, currency, status, created_at, updated_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6, 'requires_action', $7, $7, $8)`,
				r.paymentID, cid, string(req.Method), req.Reference, req.Amount.Minor, req.Amount.Currency, now, expires); err != nil {
				return request{}, fmt.Errorf("sandbox: recording the checkout's payment: %w", err)
			}
		}
		return r, nil
	})
	if err != nil {
		return payment.Checkout{}, err
	}
	c, err := loadCheckout(ctx, g.db, rec.objectID, g.clock.Now())
	if err != nil {
		return payment.Checkout{}, err
	}
	if g.lost(false) {
		return payment.Checkout{}, outage(opCheckout)
	}
	return payment.Checkout{ID: c.ID, RedirectURL: g.checkoutURL(c.ID), ExpiresAt: c.ExpiresAt}, nil
}

// checkout is a row of sandbox_checkouts.
type checkout struct {
	payment.CheckoutResult
	saveMethod bool
	returnURL  string
	cancelURL  string
	language   string
	methodID   string
}

func loadCheckout(ctx context.Context, q store.Querier, checkoutID string, now time.Time) (checkout, error) {
	if !id.Valid(checkoutID) {
		return checkout{}, payment.Errorf(payment.ErrNotFound, "no such checkout")
	}
	var c checkout
	var method, status string
	var methodID sql.NullString
	err := q.QueryRowContext(ctx, `SELECT CAST(id AS text), reference, method, amount_minor, currency, save_method,
		return_url, cancel_url, language, status, failure_code, CAST(method_id AS text), expires_at
		FROM sandbox_checkouts WHERE id = $1`, checkoutID).
		Scan(&c.ID, &c.Reference, &method, &c.Amount.Minor, &c.Amount.Currency, &c.saveMethod, &c.returnURL,
			&c.cancelURL, &c.language, &status, &c.FailureCode, &methodID, &c.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return checkout{}, payment.Errorf(payment.ErrNotFound, "no such checkout")
	}
	if err != nil {
		return checkout{}, fmt.Errorf("sandbox: reading the checkout: %w", err)
	}
	c.Method, c.Status, c.methodID = payment.Method(method), payment.CheckoutStatus(status), methodID.String
	c.ExpiresAt = c.ExpiresAt.UTC()
	if c.Status == payment.CheckoutOpen && !now.Before(c.ExpiresAt) {
		c.Status = payment.CheckoutExpired
	}
	return c, nil
}

// Checkout reports a checkout's outcome: its status, its payment (when it
// has an amount) and the saved method (when it saved one).
func (g *Gateway) Checkout(ctx context.Context, checkoutID string) (payment.CheckoutResult, error) {
	now := g.clock.Now()
	c, err := loadCheckout(ctx, g.db, checkoutID, now)
	if err != nil {
		return payment.CheckoutResult{}, err
	}
	res := c.CheckoutResult
	if c.Amount.Minor > 0 {
		p, err := scanPayment(g.db.QueryRowContext(ctx, `SELECT `+paymentColumns+`
			FROM sandbox_payments WHERE checkout_id = $1`, c.ID), now)
		if err != nil {
			return payment.CheckoutResult{}, err
		}
		res.Payment = &p
	}
	if c.methodID != "" {
		m, err := loadMethod(ctx, g.db, c.methodID)
		if err == nil {
			res.SavedMethod = &m.SavedMethod
		} else if payment.Code(err) != payment.CodeNotFound { // deleted since: not shown
			return payment.CheckoutResult{}, err
		}
	}
	return res, nil
}

// outcome is what the customer did on a hosted page.
type outcome struct {
	cancel  bool
	method  savedMethod // what paid: its behavior decides success or decline
	payerID string      // PayPal e-mail, for the label
}

// errFinished means the checkout was no longer open.
var errFinished = errors.New("sandbox: the checkout is no longer open")

// complete records the customer's action on an open checkout: cancel, a
// decline, or a success (with the method saved when asked).
func (g *Gateway) complete(ctx context.Context, checkoutID string, o outcome) error {
	return g.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := g.clock.Now()
		c, err := loadCheckout(ctx, tx, checkoutID, now)
		if err != nil {
			return err
		}
		if c.Status != payment.CheckoutOpen {
			return errFinished
		}
		status, paymentStatus, failure := payment.CheckoutSucceeded, payment.StatusSucceeded, ""
		switch code := chargeOutcome(o.method.behavior, c.Amount.Minor, o.method.saves); {
		case o.cancel:
			status, paymentStatus = payment.CheckoutCanceled, payment.StatusCanceled
		case code != "":
			status, paymentStatus, failure = payment.CheckoutFailed, payment.StatusFailed, code
		}
		var token any
		if status == payment.CheckoutSucceeded && c.saveMethod {
			m, err := insertMethod(ctx, tx, o.method, now)
			if err != nil {
				return err
			}
			token = m.Token
		}
		res, err := tx.ExecContext(ctx, `UPDATE sandbox_checkouts SET status = $1, failure_code = $2, method_id = $3,
			completed_at = $4 WHERE id = $5 AND status = 'open'`, string(status), failure, token, now, c.ID)
		if err != nil {
			return fmt.Errorf("sandbox: completing the checkout: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errFinished
		}
		if c.Amount.Minor == 0 {
			return nil
		}
		captured := int64(0)
		if paymentStatus == payment.StatusSucceeded {
			captured = c.Amount.Minor
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sandbox_payments SET status = $1, captured_minor = $2, failure_code = $3,
			method_id = $4, label = $5, expires_at = NULL, updated_at = $6 WHERE checkout_id = $7`,
			string(paymentStatus), captured, failure, token, o.method.Label, now, c.ID); err != nil {
			return fmt.Errorf("sandbox: completing the checkout's payment: %w", err)
		}
		return nil
	})
}

// amountText is "CHF 12.50".
func amountText(a money.Amount) string { return a.Currency + " " + a.String() }
