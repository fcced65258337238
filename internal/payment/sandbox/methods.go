package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/store"
)

// savedMethod is a row of sandbox_methods.
type savedMethod struct {
	payment.SavedMethod
	behavior string
	saves    bool // TestCard.Saves, while the card is being saved (not stored)
}

// insertMethod saves a method under a new token.
func insertMethod(ctx context.Context, q store.Querier, m savedMethod, now time.Time) (savedMethod, error) {
	m.Token = id.New()
	_, err := q.ExecContext(ctx, `INSERT INTO sandbox_methods
		(id, method, brand, last4, exp_month, exp_year, label, behavior, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		m.Token, string(m.Method), m.Brand, m.Last4, m.ExpMonth, m.ExpYear, m.Label, m.behavior, now)
	if err != nil {
		return savedMethod{}, fmt.Errorf("sandbox: saving the payment method: %w", err)
	}
	return m, nil
}

// loadMethod returns a saved method that was not deleted, or ErrNotFound.
func loadMethod(ctx context.Context, q store.Querier, token string) (savedMethod, error) {
	if !id.Valid(token) {
		return savedMethod{}, payment.Errorf(payment.ErrNotFound, "no such payment method token")
	}
	var m savedMethod
	var method string
	err := q.QueryRowContext(ctx, `SELECT CAST(id AS text), method, brand, last4, exp_month, exp_year, label, behavior
		FROM sandbox_methods WHERE id = $1 AND deleted_at IS NULL`, token).
		Scan(&m.Token, &method, &m.Brand, &m.Last4, &m.ExpMonth, &m.ExpYear, &m.Label, &m.behavior)
	if errors.Is(err, sql.ErrNoRows) {
		return savedMethod{}, payment.Errorf(payment.ErrNotFound, "no such payment method token (or it was deleted)")
	}
	if err != nil {
		return savedMethod{}, fmt.Errorf("sandbox: reading the payment method: %w", err)
	}
	m.Method = payment.Method(method)
	return m, nil
}

// SaveTestCard saves a test card without a hosted page and returns its
// token, as the API does in sandbox mode ("add a card with a test number").
// number must be one of TestCards (payment.ErrInvalidNumber otherwise, also
// when it fails the Luhn check); an expiry in the past is
// payment.ErrExpiredCard. Saving never charges: a declining test card is
// saved, and declines at each charge. Only the brand, the last four digits
// and the expiry are kept.
func (g *Gateway) SaveTestCard(ctx context.Context, number string, expMonth, expYear int) (payment.SavedMethod, error) {
	card, problem := checkNumber(number)
	if problem == "" && !validExpiry(expMonth, expYear) {
		problem = problemExpiry
	}
	if problem == "" && expired(expMonth, expYear, g.clock.Now()) {
		problem = problemExpired
	}
	if problem != "" {
		return payment.SavedMethod{}, problemError(problem)
	}
	m := cardMethod(payment.MethodCard, card, expMonth, expYear)
	m, err := insertMethod(ctx, g.db, m, g.clock.Now())
	if err != nil {
		return payment.SavedMethod{}, err
	}
	return m.SavedMethod, nil
}

// cardMethod describes a card paid or saved with method (card or
// postfinance).
func cardMethod(method payment.Method, card TestCard, expMonth, expYear int) savedMethod {
	brand := card.Brand
	if method == payment.MethodPostFinance {
		brand = "postfinance"
	}
	last4 := card.Number[len(card.Number)-4:]
	return savedMethod{SavedMethod: payment.SavedMethod{Method: method, Brand: brand, Last4: last4,
		ExpMonth: expMonth, ExpYear: expYear, Label: cardLabel(brand, last4)}, behavior: card.Behavior, saves: card.Saves}
}

// DeleteMethod forgets a saved method; later charges with its token fail
// with payment.ErrNotFound. Deleting an unknown or deleted token is not an
// error.
func (g *Gateway) DeleteMethod(ctx context.Context, token string) error {
	if !id.Valid(token) {
		return nil
	}
	if _, err := g.db.ExecContext(ctx, `UPDATE sandbox_methods SET deleted_at = $1
		WHERE id = $2 AND deleted_at IS NULL`, g.clock.Now(), token); err != nil {
		return fmt.Errorf("sandbox: deleting the payment method: %w", err)
	}
	return nil
}
