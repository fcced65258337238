package billing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// InvoiceFilter narrows ListInvoices; empty fields match everything.
type InvoiceFilter struct {
	Kind   string // invoice, proforma, credit_note
	Status string // unpaid, paid, void
	// ProductID keeps the invoices with a line for that product.
	ProductID string
}

const invoiceColumns = `CAST(id AS text), CAST(organization_id AS text), kind, number, status, currency, net_minor,
	vat_minor, total_minor, paid_minor, seller, buyer, language, issue_date, due_date, reference,
	COALESCE(CAST(invoice_id AS text), ''), COALESCE(CAST(credited_invoice_id AS text), ''), issued_at, paid_at`

func scanInvoice(row interface{ Scan(...any) error }) (Invoice, error) {
	var inv Invoice
	var seller, buyer string
	var paidAt sql.NullTime
	if err := row.Scan(&inv.ID, &inv.OrganizationID, &inv.Kind, &inv.Number, &inv.Status, &inv.Currency, &inv.Net.Minor,
		&inv.VAT.Minor, &inv.Total.Minor, &inv.Paid.Minor, &seller, &buyer, &inv.Language, &inv.IssueDate, &inv.DueDate,
		&inv.Reference, &inv.InvoiceID, &inv.CreditedInvoiceID, &inv.IssuedAt, &paidAt); err != nil {
		return Invoice{}, err
	}
	inv.Net.Currency, inv.VAT.Currency, inv.Total.Currency, inv.Paid.Currency = inv.Currency, inv.Currency, inv.Currency, inv.Currency
	var sj struct {
		Party
		IBAN   string `json:"iban"`
		QRIBAN string `json:"qr_iban"`
	}
	if err := json.Unmarshal([]byte(seller), &sj); err != nil {
		return Invoice{}, fmt.Errorf("billing: decoding the seller of %s: %w", inv.Number, err)
	}
	inv.Seller = sj.Party
	if inv.Kind == KindProforma {
		inv.SellerIBAN = sj.IBAN
		if len(inv.Reference) == 27 && sj.QRIBAN != "" {
			inv.SellerIBAN = sj.QRIBAN
		}
	}
	if err := json.Unmarshal([]byte(buyer), &inv.Buyer); err != nil {
		return Invoice{}, fmt.Errorf("billing: decoding the buyer of %s: %w", inv.Number, err)
	}
	inv.IssuedAt = inv.IssuedAt.UTC()
	inv.PaidAt = store.NullTime(paidAt)
	return inv, nil
}

// loadLines reads an invoice's lines in order.
func loadLines(ctx context.Context, q store.Querier, invoiceID, currency string) ([]InvoiceLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT position, description, detail, type, COALESCE(CAST(product_id AS text), ''),
		COALESCE(CAST(order_id AS text), ''), period, period_start, period_end, quantity, unit_minor, net_minor, vat_rate,
		vat_minor, total_minor FROM invoice_lines WHERE invoice_id = $1 ORDER BY position`, invoiceID)
	if err != nil {
		return nil, fmt.Errorf("billing: loading invoice lines: %w", err)
	}
	defer rows.Close()
	var out []InvoiceLine
	for rows.Next() {
		var l InvoiceLine
		if err := rows.Scan(&l.Position, &l.Description, &l.Detail, &l.Type, &l.ProductID, &l.OrderID, &l.Period,
			&l.PeriodStart, &l.PeriodEnd, &l.Quantity, &l.Unit.Minor, &l.Net.Minor, &l.VATRate, &l.VAT.Minor, &l.Total.Minor); err != nil {
			return nil, fmt.Errorf("billing: reading an invoice line: %w", err)
		}
		l.Unit.Currency, l.Net.Currency, l.VAT.Currency, l.Total.Currency = currency, currency, currency, currency
		out = append(out, l)
	}
	return out, rows.Err()
}

const paymentColumns = `CAST(id AS text), COALESCE(CAST(invoice_id AS text), ''), purpose, method,
	COALESCE(CAST(payment_method_id AS text), ''), amount_minor, currency, refunded_minor, status, failure_code,
	created_at, settled_at`

func scanPayment(row interface{ Scan(...any) error }) (Payment, error) {
	var p Payment
	var settled sql.NullTime
	if err := row.Scan(&p.ID, &p.InvoiceID, &p.Purpose, &p.Method, &p.PaymentMethodID, &p.Amount.Minor, &p.Amount.Currency,
		&p.Refunded.Minor, &p.Status, &p.FailureCode, &p.CreatedAt, &settled); err != nil {
		return Payment{}, err
	}
	p.Refunded.Currency = p.Amount.Currency
	p.CreatedAt = p.CreatedAt.UTC()
	p.SettledAt = store.NullTime(settled)
	return p, nil
}

// queryPayments lists payments by a WHERE clause, oldest first.
func queryPayments(ctx context.Context, q store.Querier, where string, args ...any) ([]Payment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+paymentColumns+` FROM payments WHERE `+where+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("billing: loading payments: %w", err)
	}
	defer rows.Close()
	out := []Payment{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, fmt.Errorf("billing: reading a payment: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// loadInvoice reads one invoice of orgID with its lines and the payments
// received for it (for an invoice, also those received on its pro-forma).
func loadInvoice(ctx context.Context, q store.Querier, orgID, invoiceID string) (Invoice, error) {
	if !id.Valid(invoiceID) {
		return Invoice{}, apperr.NotFound
	}
	inv, err := scanInvoice(q.QueryRowContext(ctx, `SELECT `+invoiceColumns+` FROM invoices WHERE id = $1 AND organization_id = $2`,
		invoiceID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return Invoice{}, apperr.NotFound
	}
	if err != nil {
		return Invoice{}, fmt.Errorf("billing: loading the invoice: %w", err)
	}
	if inv.Lines, err = loadLines(ctx, q, inv.ID, inv.Currency); err != nil {
		return Invoice{}, err
	}
	inv.Payments, err = queryPayments(ctx, q, `status IN ('succeeded','pending','requires_action') AND (invoice_id = $1
		OR invoice_id IN (SELECT id FROM invoices WHERE invoice_id = $1))`, inv.ID)
	return inv, err
}

// ListInvoices lists orgID's invoices, pro-formas and credit notes, newest
// first, without lines (GetInvoice has them).
func (s *Service) ListInvoices(ctx context.Context, userID, orgID string, f InvoiceFilter) ([]Invoice, error) {
	if err := s.canSee(ctx, s.db, userID, orgID); err != nil {
		return nil, err
	}
	if f.Kind != "" && !contains([]string{KindInvoice, KindProforma, KindCreditNote}, f.Kind) {
		return nil, apperr.Validation.With("The kind filter must be invoice, proforma or credit_note.").Field("kind", f.Kind)
	}
	if f.Status != "" && !contains([]string{"unpaid", "paid", "void"}, f.Status) {
		return nil, apperr.Validation.With("The status filter must be unpaid, paid or void.").Field("status", f.Status)
	}
	q := `SELECT ` + invoiceColumns + ` FROM invoices WHERE organization_id = $1`
	args := []any{orgID}
	if f.Kind != "" {
		args = append(args, f.Kind)
		q += fmt.Sprintf(` AND kind = $%d`, len(args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		q += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	if f.ProductID != "" {
		if !id.Valid(f.ProductID) {
			return []Invoice{}, nil
		}
		args = append(args, f.ProductID)
		q += fmt.Sprintf(` AND EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = invoices.id AND l.product_id = $%d)`, len(args))
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY issued_at DESC, number DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("billing: listing invoices: %w", err)
	}
	defer rows.Close()
	out := []Invoice{}
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, fmt.Errorf("billing: reading an invoice: %w", err)
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// GetInvoice returns one invoice of orgID with its lines and payments;
// object_not_found when it is not there or the user has no billing right.
func (s *Service) GetInvoice(ctx context.Context, userID, orgID, invoiceID string) (Invoice, error) {
	if err := s.canSeeObject(ctx, s.db, userID, orgID); err != nil {
		return Invoice{}, err
	}
	return loadInvoice(ctx, s.db, orgID, invoiceID)
}
