package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
)

// CompleteCheckoutFor is CompleteCheckout for a customer coming back from
// the payment page: checkoutID is the attempt's own id (PayResult.CheckoutID)
// or the payment page's (the ?checkout= the gateway sends the customer back
// with). An attempt of another organization, or a caller without the billing
// right, is object_not_found (ORG-8, ORG-9). It also answers what the
// attempt was for: pay, deposit or save_method.
func (s *Service) CompleteCheckoutFor(ctx context.Context, userID, orgID, checkoutID string) (PayResult, string, error) {
	if err := s.canSeeObject(ctx, s.db, userID, orgID); err != nil {
		return PayResult{}, "", err
	}
	if checkoutID == "" || len(checkoutID) > 100 {
		return PayResult{}, "", apperr.NotFound
	}
	var attemptID, purpose string
	err := s.db.QueryRowContext(ctx, `SELECT CAST(id AS text), purpose FROM checkouts WHERE organization_id = $1
		AND (CAST(id AS text) = $2 OR gateway_checkout_id = $2) ORDER BY created_at LIMIT 1`, orgID, checkoutID).Scan(&attemptID, &purpose)
	if errors.Is(err, sql.ErrNoRows) {
		return PayResult{}, "", apperr.NotFound
	}
	if err != nil {
		return PayResult{}, "", fmt.Errorf("billing: finding the payment attempt: %w", err)
	}
	r, err := s.CompleteCheckout(ctx, attemptID)
	return r, purpose, err
}
