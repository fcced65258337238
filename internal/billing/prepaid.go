package billing

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/store"
)

// PrepaidEntry is one movement of the prepaid account: a credit (deposit,
// refund, overpayment) is positive, a payment negative.
type PrepaidEntry struct {
	ID        string
	Kind      string // deposit, payment, refund, overpayment
	Amount    money.Amount
	Balance   money.Amount // after this entry
	PaymentID string
	InvoiceID string
	CreatedAt time.Time
}

// PrepaidAccount is the balance of one currency and its entries, newest first.
type PrepaidAccount struct {
	Currency string
	Balance  money.Amount
	// Reserved is held by payments under way (the prepaid part of a
	// payment whose other part is not confirmed yet).
	Reserved money.Amount
	Entries  []PrepaidEntry
}

// Prepaid returns orgID's prepaid accounts, one per currency with a
// movement, with their entries (BIL-4, BIL-5).
func (s *Service) Prepaid(ctx context.Context, userID, orgID string) ([]PrepaidAccount, error) {
	if err := s.canSee(ctx, s.db, userID, orgID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT currency, balance_minor FROM prepaid_accounts WHERE organization_id = $1
		ORDER BY currency`, orgID)
	if err != nil {
		return nil, fmt.Errorf("billing: listing prepaid accounts: %w", err)
	}
	out := []PrepaidAccount{}
	for rows.Next() {
		var a PrepaidAccount
		if err := rows.Scan(&a.Currency, &a.Balance.Minor); err != nil {
			rows.Close()
			return nil, fmt.Errorf("billing: reading a prepaid account: %w", err)
		}
		a.Balance.Currency = a.Currency
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		a := &out[i]
		held, err := reserved(ctx, s.db, orgID, a.Currency)
		if err != nil {
			return nil, err
		}
		a.Reserved = money.Amount{Minor: held, Currency: a.Currency}
		if a.Entries, err = entries(ctx, s.db, orgID, a.Currency); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func entries(ctx context.Context, q store.Querier, orgID, currency string) ([]PrepaidEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT CAST(id AS text), kind, amount_minor, balance_minor,
		COALESCE(CAST(payment_id AS text), ''), COALESCE(CAST(invoice_id AS text), ''), created_at
		FROM prepaid_entries WHERE organization_id = $1 AND currency = $2 ORDER BY created_at DESC, id DESC`, orgID, currency)
	if err != nil {
		return nil, fmt.Errorf("billing: listing prepaid entries: %w", err)
	}
	defer rows.Close()
	out := []PrepaidEntry{}
	for rows.Next() {
		var e PrepaidEntry
		if err := rows.Scan(&e.ID, &e.Kind, &e.Amount.Minor, &e.Balance.Minor, &e.PaymentID, &e.InvoiceID, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("billing: reading a prepaid entry: %w", err)
		}
		e.Amount.Currency, e.Balance.Currency, e.CreatedAt = currency, currency, e.CreatedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// reserved sums the prepaid parts held by payments under way.
func reserved(ctx context.Context, q store.Querier, orgID, currency string) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_minor), 0) FROM payments WHERE organization_id = $1
		AND currency = $2 AND method = 'prepaid' AND status = 'pending'`, orgID, currency).Scan(&n); err != nil {
		return 0, fmt.Errorf("billing: summing prepaid reservations: %w", err)
	}
	return n, nil
}

// lockAccount creates orgID's prepaid account in currency if needed, locks
// it until tx ends, and returns its balance.
func (s *Service) lockAccount(ctx context.Context, tx *sql.Tx, orgID, currency string) (int64, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO prepaid_accounts (organization_id, currency, balance_minor)
		VALUES ($1, $2, 0) ON CONFLICT (organization_id, currency) DO NOTHING`, orgID, currency); err != nil {
		return 0, fmt.Errorf("billing: opening the prepaid account: %w", err)
	}
	var bal int64
	if err := tx.QueryRowContext(ctx, `SELECT balance_minor FROM prepaid_accounts WHERE organization_id = $1
		AND currency = $2`+s.forUpdate(), orgID, currency).Scan(&bal); err != nil {
		return 0, fmt.Errorf("billing: locking the prepaid account: %w", err)
	}
	return bal, nil
}

// available locks the account and returns its balance minus the parts held
// by payments under way.
func (s *Service) available(ctx context.Context, tx *sql.Tx, orgID, currency string) (int64, error) {
	bal, err := s.lockAccount(ctx, tx, orgID, currency)
	if err != nil {
		return 0, err
	}
	held, err := reserved(ctx, tx, orgID, currency)
	if err != nil {
		return 0, err
	}
	return bal - held, nil
}

// book appends a ledger entry and moves the balance, in tx: amount > 0
// credits, amount < 0 debits (never below zero: the CHECK refuses it).
func (s *Service) book(ctx context.Context, tx *sql.Tx, orgID, currency, kind string, amount int64, paymentID, invoiceID string) (int64, error) {
	if _, err := s.lockAccount(ctx, tx, orgID, currency); err != nil {
		return 0, err
	}
	var bal int64
	if err := tx.QueryRowContext(ctx, `UPDATE prepaid_accounts SET balance_minor = balance_minor + $1
		WHERE organization_id = $2 AND currency = $3 RETURNING balance_minor`, amount, orgID, currency).Scan(&bal); err != nil {
		return 0, fmt.Errorf("billing: moving the prepaid balance: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO prepaid_entries (id, organization_id, currency, kind, amount_minor,
		balance_minor, payment_id, invoice_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id.New(), orgID, currency, kind, amount, bal, nullable(paymentID), nullable(invoiceID), s.nowUTC()); err != nil {
		return 0, fmt.Errorf("billing: recording the prepaid entry: %w", err)
	}
	return bal, nil
}
