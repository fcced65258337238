package renewal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
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
)

// Refusals of the auto-renewal switch (REN-2, REN-4).
var (
	// ErrTooCloseToDueDate refuses switching auto-renewal on less than
	// FirstAttemptDays before the due date (REN-4); its values are the
	// products at fault.
	ErrTooCloseToDueDate = apperr.Register("auto_renew_too_close_to_due_date", http.StatusUnprocessableEntity,
		"Auto-renewal cannot be switched on less than 14 days before the due date: renew the product by hand first, then switch auto-renewal on for the next period.")
	// ErrPaymentMethodRequired refuses switching auto-renewal on for an
	// organization without a saved payment method (REN-2).
	ErrPaymentMethodRequired = apperr.Register("payment_method_required", http.StatusUnprocessableEntity,
		"Auto-renewal needs a saved payment method: add a card or a Twint profile to the organization first.")
	// ErrNotRenewable refuses switching auto-renewal on for a product that
	// is pending, terminated, or has no billing period; its values are the
	// products at fault.
	ErrNotRenewable = apperr.Register("product_not_renewable", http.StatusConflict,
		"This product cannot renew automatically: it is pending, terminated or has no billing period. Pay its order, or renew it from the list of items to pay.")
)

// MaxSelection is how many products one request may switch.
const MaxSelection = 100

// lcProduct is what the lifecycle functions read of a product.
type lcProduct struct {
	ID, OrgID, Type, Plan, Name, Status, Due, Period, Currency, MethodID string
	AutoRenew                                                            bool
	CreatedAt, UpdatedAt                                                 time.Time
	ActivatedAt                                                          sql.NullTime
}

const lcColumns = `CAST(id AS text), CAST(organization_id AS text), type, plan, name, status, COALESCE(due_date, ''),
	period, currency, COALESCE(CAST(payment_method_id AS text), ''), auto_renew, created_at, updated_at, activated_at`

func scanLC(row interface{ Scan(...any) error }, p *lcProduct) error {
	err := row.Scan(&p.ID, &p.OrgID, &p.Type, &p.Plan, &p.Name, &p.Status, &p.Due, &p.Period, &p.Currency,
		&p.MethodID, &p.AutoRenew, &p.CreatedAt, &p.UpdatedAt, &p.ActivatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return err
}

// lcLoad loads product productID of orgID (apperr.NotFound otherwise).
func lcLoad(ctx context.Context, q store.Querier, orgID, productID string) (lcProduct, error) {
	var p lcProduct
	if !id.Valid(productID) {
		return p, apperr.NotFound
	}
	err := scanLC(q.QueryRowContext(ctx, `SELECT `+lcColumns+` FROM products WHERE id = $1 AND organization_id = $2`,
		productID, orgID), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound
	}
	if err != nil {
		return p, fmt.Errorf("renewal: loading product %s: %w", productID, err)
	}
	return p, nil
}

// toProduct is p as the product package shows it.
func (p lcProduct) toProduct(updated time.Time) product.Product {
	return product.Product{ID: p.ID, OrganizationID: p.OrgID, Type: p.Type, Name: p.Name, Status: p.Status, DueDate: p.Due,
		Plan: p.Plan, Period: p.Period, Currency: p.Currency, AutoRenew: p.AutoRenew, PaymentMethodID: p.MethodID,
		CreatedAt: p.CreatedAt, UpdatedAt: updated}
}

// lcCatalog is the current catalog (inside tx when tx is not nil: SQLite
// has one connection; empty before the first import) and today in its
// time zone.
func (s *Service) lcCatalog(ctx context.Context, tx *sql.Tx) (catalog.Catalog, calendar.Date, error) {
	var v catalog.Version
	var err error
	if tx != nil {
		v, err = s.catalog.CurrentTx(ctx, tx)
	} else {
		v, err = s.catalog.Current(ctx)
	}
	if err != nil && !errors.Is(err, catalog.ErrEmpty) {
		return catalog.Catalog{}, calendar.Date{}, err
	}
	return v.Catalog, calendar.Today(s.clock.Now(), v.Catalog.Location()), nil
}

// SetAutoRenew switches auto-renewal on or off for one product or a
// selection (REN-2), all or none, and returns the products as they are
// now. For the organization's billing (ORG-8): a stranger gets
// object_not_found, a member without the billing right
// billing_right_required.
//
// Switching on needs a saved payment method of the organization:
// paymentMethodID, or the default method when it is empty
// (payment_method_required when there is none). It is refused less than
// 14 days before a product's due date (REN-4,
// auto_renew_too_close_to_due_date, naming the products: renew them by hand
// first), and for products that are pending, terminated or have no billing
// period (product_not_renewable). Switching off is always allowed. Each
// change is audited ("product.auto_renew_on", "product.auto_renew_off").
func (s *Service) SetAutoRenew(ctx context.Context, userID, orgID string, productIDs []string, enabled bool, paymentMethodID string, meta audit.Meta) ([]product.Product, error) {
	actor, err := org.ActorOf(ctx, s.db, userID, orgID)
	if err != nil {
		return nil, err
	}
	if err := authz.Allow(actor, authz.ViewBilling); err != nil {
		return nil, err
	}
	// Only products the user reaches (ORG-8): a collaborator with the
	// billing right switches the products granted to them, not the others.
	reached, err := product.New(s.db, s.clock).ListForUser(ctx, userID, orgID, product.Filter{})
	if err != nil {
		return nil, err
	}
	reach := make(map[string]bool, len(reached))
	for _, p := range reached {
		reach[p.ID] = true
	}
	for _, pid := range lcDedupe(productIDs) {
		if !reach[pid] {
			return nil, apperr.NotFound
		}
	}
	var out []product.Product
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		actor, err := org.ActorOf(ctx, tx, userID, orgID)
		if err != nil {
			return err
		}
		if err := authz.Allow(actor, authz.ViewBilling); err != nil {
			return err
		}
		ids := lcDedupe(productIDs)
		if len(ids) == 0 || len(ids) > MaxSelection {
			return apperr.Validation.With(fmt.Sprintf("Select 1 to %d products.", MaxSelection)).Field("product_ids")
		}
		products := make([]lcProduct, 0, len(ids))
		for _, pid := range ids {
			p, err := lcLoad(ctx, tx, orgID, pid)
			if err != nil {
				return err
			}
			products = append(products, p)
		}
		now := s.clock.Now().UTC()
		method := ""
		if enabled {
			var methodType string
			if method, methodType, err = s.autoRenewMethod(ctx, tx, orgID, paymentMethodID); err != nil {
				return err
			}
			for _, p := range products {
				// BIL-4: PostFinance Card pays in CHF only; it would fail
				// every attempt and the product would be blocked.
				if methodType == "postfinance" && p.Currency != "" && p.Currency != "CHF" {
					return billing.ErrMethodNotAllowed.With("PostFinance Card pays in CHF only, and "+p.Name+
						" is billed in "+p.Currency+": choose a card or a Twint profile for its renewals.").Field("payment_method_id", method)
				}
				var scheduled int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM termination_requests t WHERE t.product_id = $1
					AND t.status = 'scheduled' AND `+standing, p.ID).Scan(&scheduled); err != nil {
					return fmt.Errorf("renewal: checking terminations: %w", err)
				}
				if scheduled > 0 {
					return ErrTerminationScheduled.With(p.Name+" is to be terminated at its due date: it does not renew. "+
						"Ask the provider to cancel the termination first.").Field("product_ids", p.ID)
				}
			}
			_, today, err := s.lcCatalog(ctx, tx)
			if err != nil {
				return err
			}
			var notRenewable, tooClose, notRenewableNames, tooCloseNames []string
			for _, p := range products {
				due, derr := calendar.Parse(p.Due)
				switch {
				case p.Status != "active" && p.Status != "blocked", derr != nil, p.Period == "":
					notRenewable = append(notRenewable, p.ID)
					notRenewableNames = append(notRenewableNames, p.Name)
				case !p.AutoRenew && !CanSwitchOn(today, due):
					// REN-4 is about switching on: a product renewing already
					// may change its method up to the last attempt.
					tooClose = append(tooClose, p.ID)
					tooCloseNames = append(tooCloseNames, p.Name)
				}
			}
			if len(notRenewable) > 0 {
				msg := "These products cannot renew automatically: " + strings.Join(notRenewableNames, ", ") +
					". They are pending, terminated or have no billing period; pay or renew them by hand."
				if len(notRenewable) == 1 {
					msg = notRenewableNames[0] + " cannot renew automatically: it is pending, terminated or has no billing period; pay or renew it by hand."
				}
				return ErrNotRenewable.With(msg).Field("product_ids", notRenewable...)
			}
			if len(tooClose) > 0 {
				them := "them"
				if len(tooClose) == 1 {
					them = "it"
				}
				return ErrTooCloseToDueDate.With(fmt.Sprintf("Auto-renewal cannot be switched on less than %d days before the due date of: %s. "+
					"Renew %s by hand first, then switch auto-renewal on for the next period.", FirstAttemptDays, strings.Join(tooCloseNames, ", "), them)).
					Field("product_ids", tooClose...)
			}
		}
		for _, p := range products {
			changed := p.AutoRenew != enabled || (enabled && p.MethodID != method)
			if !changed { // nothing to write, nothing to record
				out = append(out, p.toProduct(p.UpdatedAt))
				continue
			}
			if enabled {
				_, err = tx.ExecContext(ctx, `UPDATE products SET auto_renew = $1, payment_method_id = $2, updated_at = $3
					WHERE id = $4 AND organization_id = $5`, true, method, now, p.ID, orgID)
				p.MethodID = method
			} else {
				_, err = tx.ExecContext(ctx, `UPDATE products SET auto_renew = $1, updated_at = $2
					WHERE id = $3 AND organization_id = $4`, false, now, p.ID, orgID)
			}
			if err != nil {
				return fmt.Errorf("renewal: switching auto-renewal of %s: %w", p.ID, err)
			}
			p.AutoRenew = enabled
			out = append(out, p.toProduct(now))
			action, data := "product.auto_renew_off", map[string]string{"product": p.ID, "name": p.Name}
			if enabled {
				action, data["payment_method"] = "product.auto_renew_on", method
			}
			if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: action,
				IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: data}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// autoRenewMethod is the saved method auto-renewal will charge, and its
// type: pmID when it is one of orgID's, else the default one.
func (s *Service) autoRenewMethod(ctx context.Context, tx *sql.Tx, orgID, pmID string) (string, string, error) {
	if pmID != "" {
		var typ string
		err := sql.ErrNoRows
		if id.Valid(pmID) {
			err = tx.QueryRowContext(ctx, `SELECT type FROM payment_methods WHERE id = $1 AND organization_id = $2
				AND removed_at IS NULL`, pmID, orgID).Scan(&typ)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return "", "", apperr.Validation.With("Choose one of the organization's saved payment methods.").Field("payment_method_id", pmID)
		}
		if err != nil {
			return "", "", fmt.Errorf("renewal: checking the payment method: %w", err)
		}
		return pmID, typ, nil
	}
	var def, typ string
	err := tx.QueryRowContext(ctx, `SELECT CAST(id AS text), type FROM payment_methods WHERE organization_id = $1 AND removed_at IS NULL
		ORDER BY is_default DESC, created_at, id LIMIT 1`, orgID).Scan(&def, &typ)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrPaymentMethodRequired
	}
	if err != nil {
		return "", "", fmt.Errorf("renewal: finding the default payment method: %w", err)
	}
	return def, typ, nil
}

func lcDedupe(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, v := range ids {
		v = strings.TrimSpace(v)
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
