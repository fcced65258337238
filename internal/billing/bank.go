package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/camt"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// ImportResult counts what a bank file brought.
type ImportResult struct {
	Matched    int // credits booked to a pro-forma (or to the prepaid account)
	Unmatched  int // credits kept for staff: no pro-forma has their reference
	Duplicates int // entries already imported (same bank reference): booked once
	Ignored    int // debits and reversals
}

// ImportBankFile reads a camt.054 file (operator action: no user check) and
// books its credits by reference (BIL-4, BIL-6): a payment in full pays the
// pro-forma and issues its invoice (numbered as an invoice, the pro-forma
// pointing to it) with the products activated or renewed, or credits a
// deposit; a partial payment is recorded and the rest stays due; a surplus,
// or money for a pro-forma already paid or void, goes to the prepaid
// account ("overpayment"); a credit without a matching reference is kept as
// unmatched for staff. An entry imported twice (same bank reference) is a
// duplicate and booked once. Each entry is one transaction.
func (s *Service) ImportBankFile(ctx context.Context, r io.Reader, source string, meta audit.Meta) (ImportResult, error) {
	entries, err := camt.Parse(r)
	if err != nil {
		return ImportResult{}, ErrBankFileInvalid.Wrap(err)
	}
	var res ImportResult
	for _, e := range entries {
		outcome, err := s.importEntry(ctx, e, source)
		if store.IsUniqueViolation(err) {
			outcome, err = "duplicate", nil
		}
		if err != nil {
			return res, fmt.Errorf("billing: booking bank entry %s: %w", e.AccountServicerRef, err)
		}
		switch outcome {
		case "matched":
			res.Matched++
		case "unmatched":
			res.Unmatched++
		case "duplicate":
			res.Duplicates++
		default:
			res.Ignored++
		}
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, Action: "bank.file_imported", IP: meta.IP,
			UserAgent: meta.UserAgent, CreatedAt: s.nowUTC(), Data: map[string]string{"source": source,
				"matched": fmt.Sprint(res.Matched), "unmatched": fmt.Sprint(res.Unmatched),
				"duplicates": fmt.Sprint(res.Duplicates), "ignored": fmt.Sprint(res.Ignored)}})
	})
	return res, err
}

// importEntry books one entry in its own transaction and says how.
func (s *Service) importEntry(ctx context.Context, e camt.Entry, source string) (string, error) {
	var outcome string
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		outcome = ""
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bank_entries WHERE account_servicer_ref = $1`,
			e.AccountServicerRef).Scan(&n); err != nil {
			return fmt.Errorf("billing: checking for a duplicate entry: %w", err)
		}
		if n > 0 {
			outcome = "duplicate"
			return nil
		}
		entryID := id.New()
		status := "unmatched"
		if e.CreditDebit != camt.Credit || e.Reversal {
			status = "ignored"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bank_entries (id, account_servicer_ref, booking_date, amount_minor, currency,
			reference, debtor_name, details, status, source, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			entryID, e.AccountServicerRef, e.BookingDate.Format("2006-01-02"), e.Amount.Minor, e.Amount.Currency, e.Reference,
			e.DebtorName, e.Unstructured, status, source, s.nowUTC()); err != nil {
			return fmt.Errorf("billing: recording the bank entry: %w", err)
		}
		if status == "ignored" || e.Reference == "" {
			outcome = status
			return nil
		}
		pf, err := scanInvoice(tx.QueryRowContext(ctx, `SELECT `+invoiceColumns+` FROM invoices WHERE reference = $1
			AND kind = 'proforma'`+s.forUpdate(), strings.ToUpper(e.Reference)))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && pf.Currency != e.Amount.Currency) {
			outcome = "unmatched"
			return nil
		}
		if err != nil {
			return fmt.Errorf("billing: finding the pro-forma: %w", err)
		}
		paymentID, err := s.bookTransfer(ctx, tx, pf, entryID, e.Amount.Minor)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bank_entries SET status = 'matched', invoice_id = $1, payment_id = $2
			WHERE id = $3`, pf.ID, nullable(paymentID), entryID); err != nil {
			return fmt.Errorf("billing: matching the bank entry: %w", err)
		}
		outcome = "matched"
		return nil
	})
	return outcome, err
}

// bookTransfer books amount received for pro-forma pf, in tx, and returns
// the payment recorded ("" when all of it went to the prepaid account).
func (s *Service) bookTransfer(ctx context.Context, tx *sql.Tx, pf Invoice, entryID string, amount int64) (string, error) {
	now := s.nowUTC()
	if pf.Status != "unpaid" { // paid another way, or void: keep the money for the customer
		_, err := s.book(ctx, tx, pf.OrganizationID, pf.Currency, "overpayment", amount, "", pf.ID)
		return "", err
	}
	part := min(amount, pf.Total.Minor-pf.Paid.Minor)
	surplus := amount - part
	lines, err := loadLines(ctx, tx, pf.ID, pf.Currency)
	if err != nil {
		return "", err
	}
	deposit := len(lines) == 1 && lines[0].Type == lineDeposit
	purpose := "invoice"
	if deposit {
		purpose = "deposit"
	}
	paymentID := id.New()
	if _, err := tx.ExecContext(ctx, `INSERT INTO payments (id, organization_id, invoice_id, purpose, method, amount_minor,
		currency, status, idempotency_key, created_at, settled_at) VALUES ($1, $2, $3, $4, 'iban', $5, $6, 'succeeded', $7, $8, $8)`,
		paymentID, pf.OrganizationID, pf.ID, purpose, part, pf.Currency, "bank-"+entryID, now); err != nil {
		return "", fmt.Errorf("billing: recording the transfer: %w", err)
	}
	paid := pf.Paid.Minor + part
	if _, err := tx.ExecContext(ctx, `UPDATE invoices SET paid_minor = $1 WHERE id = $2`, paid, pf.ID); err != nil {
		return "", fmt.Errorf("billing: recording the amount received: %w", err)
	}
	if surplus > 0 {
		if _, err := s.book(ctx, tx, pf.OrganizationID, pf.Currency, "overpayment", surplus, paymentID, pf.ID); err != nil {
			return "", err
		}
	}
	number, invID := "", ""
	switch {
	case paid < pf.Total.Minor: // partial: the rest stays due
	case deposit:
		if _, err := tx.ExecContext(ctx, `UPDATE invoices SET status = 'paid', paid_at = $1 WHERE id = $2`, now, pf.ID); err != nil {
			return "", fmt.Errorf("billing: marking the deposit paid: %w", err)
		}
		if _, err := s.book(ctx, tx, pf.OrganizationID, pf.Currency, "deposit", pf.Total.Minor, paymentID, pf.ID); err != nil {
			return "", err
		}
	default:
		inv, err := s.settleProforma(ctx, tx, pf, lines)
		if err != nil {
			return "", err
		}
		number, invID = inv.Number, inv.ID
	}
	return paymentID, s.noticePayment(ctx, tx, pf.OrganizationID, "payment_received", amt(amount, pf.Currency), MethodIBAN, number, invID)
}

// settleProforma issues the invoice of a pro-forma paid in full and gives it
// its effects (products, orders), in tx.
func (s *Service) settleProforma(ctx context.Context, tx *sql.Tx, pf Invoice, lines []InvoiceLine) (issued, error) {
	cat, err := s.currentCatalog(ctx, tx)
	if err != nil {
		return issued{}, err
	}
	sel := selection{Currency: pf.Currency, Language: pf.Language, Proformas: []string{pf.ID}, Total: pf.Total.Minor}
	for _, l := range lines {
		months, _ := catalog.ParsePeriod(l.Period)
		sel.Lines = append(sel.Lines, draft{Type: l.Type, Period: l.Period, Months: months, Description: l.Description,
			Unit: l.Unit.Minor, Quantity: l.Quantity, VATRate: l.VATRate, ProductID: l.ProductID, OrderID: l.OrderID})
		if l.OrderID != "" && !contains(sel.Orders, l.OrderID) {
			sel.Orders = append(sel.Orders, l.OrderID)
		}
	}
	var createdBy string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(CAST(created_by AS text), '') FROM invoices WHERE id = $1`, pf.ID).
		Scan(&createdBy); err != nil {
		return issued{}, fmt.Errorf("billing: reading the pro-forma: %w", err)
	}
	today := s.today(cat)
	inv, err := s.issue(ctx, tx, issueSpec{orgID: pf.OrganizationID, userID: createdBy, kind: KindInvoice, status: "paid",
		currency: pf.Currency, language: pf.Language, lines: sel.Lines, paid: pf.Total.Minor, cat: cat, today: today})
	if err != nil {
		return issued{}, err
	}
	if err := s.applyInvoice(ctx, tx, pf.OrganizationID, inv, sel, today); err != nil {
		return issued{}, err
	}
	var paidFor []string
	for _, l := range inv.Lines {
		if l.ProductID != "" && !contains(paidFor, l.ProductID) {
			paidFor = append(paidFor, l.ProductID)
		}
	}
	if err := s.publish(ctx, tx, EventInvoicePaid, pf.OrganizationID, map[string]any{"invoice_id": inv.ID, "number": inv.Number,
		"total": inv.Total.String(), "currency": inv.Currency, "method": MethodIBAN, "proforma": pf.Number,
		"product_ids": paidFor}); err != nil {
		return issued{}, err
	}
	if err := s.noticeInvoice(ctx, tx, inv.Invoice); err != nil {
		return issued{}, err
	}
	return inv, audit.Record(ctx, tx, audit.Event{OrganizationID: pf.OrganizationID, Action: "invoice.paid",
		CreatedAt: s.nowUTC(), Data: map[string]string{"invoice": inv.ID, "number": inv.Number, "proforma": pf.Number,
			"total": inv.Total.String(), "currency": inv.Currency, "method": MethodIBAN}})
}
