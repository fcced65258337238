package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/payment"
)

// PaymentMethod is a saved payment method of an organization (BIL-4):
// alpage keeps the gateway's token and what people read, never a card number.
type PaymentMethod struct {
	ID        string
	Type      string // card, postfinance, paypal, twint
	Brand     string
	Last4     string
	ExpMonth  int
	ExpYear   int
	Label     string // "Visa •••• 4242"
	Default   bool
	CreatedAt time.Time
}

// ListPaymentMethods lists orgID's saved methods, the default first.
func (s *Service) ListPaymentMethods(ctx context.Context, userID, orgID string) ([]PaymentMethod, error) {
	if err := s.canSee(ctx, s.db, userID, orgID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT CAST(id AS text), type, brand, last4, exp_month, exp_year, label, is_default,
		created_at FROM payment_methods WHERE organization_id = $1 AND removed_at IS NULL
		ORDER BY is_default DESC, created_at, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("billing: listing payment methods: %w", err)
	}
	defer rows.Close()
	out := []PaymentMethod{}
	for rows.Next() {
		var m PaymentMethod
		if err := rows.Scan(&m.ID, &m.Type, &m.Brand, &m.Last4, &m.ExpMonth, &m.ExpYear, &m.Label, &m.Default, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("billing: reading a payment method: %w", err)
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddPaymentMethod opens the gateway's page where the customer saves a card,
// a PostFinance Card (currency CHF), PayPal or Twint without paying:
// requires_action with the RedirectURL; CompleteCheckout saves it.
func (s *Service) AddPaymentMethod(ctx context.Context, userID, orgID, method, currency, idempotencyKey, returnURL, cancelURL string, meta audit.Meta) (PayResult, error) {
	if !contains([]string{MethodCard, MethodPostFinance, MethodPayPal, MethodTwint}, method) {
		return PayResult{}, apperr.Validation.With("The method must be card, postfinance, paypal or twint.").Field("method", method)
	}
	if currency == "" {
		currency = "CHF"
	}
	if method == MethodPostFinance && currency != "CHF" {
		return PayResult{}, ErrMethodNotAllowed.Field("method", method)
	}
	if idempotencyKey == "" {
		idempotencyKey = id.New()
	}
	var a attempt
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.canSee(ctx, tx, userID, orgID); err != nil {
			return err
		}
		var err error
		key := derivedKey(orgID, idempotencyKey, "save")
		if a, err = s.loadAttempt(ctx, tx, "", key, false); err == nil {
			return nil
		} else if !errors.Is(err, apperr.NotFound) {
			return err
		}
		lang, err := userLanguage(ctx, tx, userID)
		if err != nil {
			return err
		}
		now := s.nowUTC()
		a = attempt{ID: id.New(), OrgID: orgID, Purpose: "save_method", Method: method, Currency: currency, Status: "open",
			Sel: selection{Currency: currency, Language: lang}, Key: key, CreatedBy: userID, CreatedAt: now,
			ExpiresAt: now.Add(s.checkoutTTL)}
		if err := s.insertAttempt(ctx, tx, a, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "payment_method.add_started",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: map[string]string{"method": method}})
	})
	if err != nil {
		return PayResult{}, err
	}
	if a.Status != "open" {
		return s.result(ctx, a.ID)
	}
	return s.openPage(ctx, a, returnURL, cancelURL, true)
}

// TestCardSaver is the part of the sandbox gateway that saves a test card
// without a payment page.
type TestCardSaver interface {
	SaveTestCard(ctx context.Context, number string, expMonth, expYear int) (payment.SavedMethod, error)
}

// AddTestCard saves a sandbox test card (4242424242424242, …) as a payment
// method, without a payment page; only when the gateway is the sandbox
// (sandbox_only otherwise). A number that is not a test card is
// validation_failed on card_number. The card expires in December three
// years ahead.
func (s *Service) AddTestCard(ctx context.Context, userID, orgID, number string, meta audit.Meta) (PaymentMethod, error) {
	saver, ok := s.gateway.(TestCardSaver)
	if !ok {
		return PaymentMethod{}, ErrSandboxOnly
	}
	if err := s.canSee(ctx, s.db, userID, orgID); err != nil {
		return PaymentMethod{}, err
	}
	sm, err := saver.SaveTestCard(ctx, number, 12, s.clock.Now().UTC().Year()+3)
	if err != nil {
		if code := payment.Code(err); code == payment.CodeInvalidNumber || code == payment.CodeInvalidRequest || code == payment.CodeExpiredCard {
			return PaymentMethod{}, apperr.Validation.With("Use a test card number of the sandbox, such as 4242424242424242.").
				Field("card_number").Wrap(err)
		}
		return PaymentMethod{}, fmt.Errorf("billing: saving the test card: %w", err)
	}
	var pmID string
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if pmID, err = s.saveMethodTx(ctx, tx, orgID, userID, sm); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "payment_method.added",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: s.nowUTC(), Data: map[string]string{"payment_method": pmID, "label": sm.Label}})
	})
	if err != nil {
		return PaymentMethod{}, err
	}
	return s.paymentMethod(ctx, orgID, pmID)
}

func (s *Service) paymentMethod(ctx context.Context, orgID, pmID string) (PaymentMethod, error) {
	var m PaymentMethod
	err := s.db.QueryRowContext(ctx, `SELECT CAST(id AS text), type, brand, last4, exp_month, exp_year, label, is_default,
		created_at FROM payment_methods WHERE id = $1 AND organization_id = $2 AND removed_at IS NULL`, pmID, orgID).
		Scan(&m.ID, &m.Type, &m.Brand, &m.Last4, &m.ExpMonth, &m.ExpYear, &m.Label, &m.Default, &m.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return PaymentMethod{}, apperr.NotFound
	}
	if err != nil {
		return PaymentMethod{}, fmt.Errorf("billing: loading the payment method: %w", err)
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return m, nil
}

// RemovePaymentMethod removes a saved method and asks the gateway to forget
// it. While products renew automatically with it, it is refused with
// payment_method_in_use (409) naming them: choose another method for them
// first (REN-2). When the default is removed, the oldest other method
// becomes the default.
func (s *Service) RemovePaymentMethod(ctx context.Context, userID, orgID, pmID string, meta audit.Meta) error {
	var token string
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.canSee(ctx, tx, userID, orgID); err != nil {
			return err
		}
		pm, err := s.loadMethod(ctx, tx, orgID, pmID)
		if err != nil {
			return err
		}
		token = pm.Token
		rows, err := tx.QueryContext(ctx, `SELECT name FROM products WHERE organization_id = $1 AND payment_method_id = $2
			AND auto_renew = $3 AND status <> 'terminated' ORDER BY name`, orgID, pmID, true)
		if err != nil {
			return fmt.Errorf("billing: finding products renewing with the method: %w", err)
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		if len(names) > 0 {
			return ErrMethodInUse.Field("products", names...)
		}
		now := s.nowUTC()
		if _, err := tx.ExecContext(ctx, `UPDATE payment_methods SET removed_at = $1, is_default = $2 WHERE id = $3`,
			now, false, pmID); err != nil {
			return fmt.Errorf("billing: removing the payment method: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE products SET payment_method_id = NULL WHERE organization_id = $1
			AND payment_method_id = $2`, orgID, pmID); err != nil {
			return fmt.Errorf("billing: detaching the payment method: %w", err)
		}
		if err := s.ensureDefault(ctx, tx, orgID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "payment_method.removed",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: map[string]string{"payment_method": pmID}})
	})
	if err != nil {
		return err
	}
	if err := s.gateway.DeleteMethod(ctx, token); err != nil {
		return fmt.Errorf("billing: the method is removed, but the gateway did not forget it: %w", err)
	}
	return nil
}

// ensureDefault makes the oldest method the default when none is.
func (s *Service) ensureDefault(ctx context.Context, tx *sql.Tx, orgID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payment_methods WHERE organization_id = $1 AND removed_at IS NULL
		AND is_default = $2`, orgID, true).Scan(&n); err != nil {
		return fmt.Errorf("billing: counting default methods: %w", err)
	}
	if n > 0 {
		return nil
	}
	var first string
	err := tx.QueryRowContext(ctx, `SELECT CAST(id AS text) FROM payment_methods WHERE organization_id = $1 AND removed_at IS NULL
		ORDER BY created_at, id LIMIT 1`, orgID).Scan(&first)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("billing: finding a new default method: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE payment_methods SET is_default = $1 WHERE id = $2`, true, first)
	return err
}

// SetDefaultPaymentMethod makes pmID orgID's default method (the one
// offered first and used by renewals unless a product names another).
func (s *Service) SetDefaultPaymentMethod(ctx context.Context, userID, orgID, pmID string, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.canSee(ctx, tx, userID, orgID); err != nil {
			return err
		}
		if _, err := s.loadMethod(ctx, tx, orgID, pmID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payment_methods SET is_default = (id = $1) WHERE organization_id = $2
			AND removed_at IS NULL`, pmID, orgID); err != nil {
			return fmt.Errorf("billing: setting the default method: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "payment_method.default_set",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: s.nowUTC(), Data: map[string]string{"payment_method": pmID}})
	})
}
