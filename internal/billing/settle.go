package billing

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/payment"
)

// finish ends an open attempt once, in one transaction: settled when the
// gateway part was paid (gp paid, or nothing to charge and no failure),
// failed or canceled otherwise. A finished attempt is left as it is, so
// finishing twice answers the same result.
func (s *Service) finish(ctx context.Context, attemptID string, gp *payment.Payment, saved *payment.SavedMethod, failure string) (PayResult, error) {
	return s.finishAs(ctx, attemptID, gp, saved, failure, finishOpts{})
}

// finishOpts are the renewal sweep's wishes for finishing its charges
// (RenewalCharge.Brief, RenewalCharge.Settled).
type finishOpts struct {
	// brief answers, when this call ended the attempt, only its status, id
	// and failure code, as decided in the transaction, instead of reading
	// the attempt again with its invoice and payments.
	brief bool
	// settled runs in the transaction that settles a renewal.
	settled func(ctx context.Context, tx *sql.Tx, checkoutID string) error
}

// finishAs is finish with opts.
func (s *Service) finishAs(ctx context.Context, attemptID string, gp *payment.Payment, saved *payment.SavedMethod, failure string, opts finishOpts) (PayResult, error) {
	var ended PayResult // set when this transaction ended the attempt
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		ended, err = s.finishTx(ctx, tx, attemptID, gp, saved, failure, opts)
		return err
	})
	if err != nil {
		return PayResult{}, err
	}
	return s.finished(ctx, attemptID, ended, opts)
}

// finished answers an attempt's result once its finishing transaction
// committed: as decided in it (ended) when opts is brief, else read again.
func (s *Service) finished(ctx context.Context, attemptID string, ended PayResult, opts finishOpts) (PayResult, error) {
	if opts.brief && ended.Status != "" {
		return ended, nil
	}
	return s.result(ctx, attemptID)
}

// finishTx is finishAs's work in tx; ended is the result when tx ends the
// attempt (its Status empty when the attempt was finished before or stays
// under way).
func (s *Service) finishTx(ctx context.Context, tx *sql.Tx, attemptID string, gp *payment.Payment, saved *payment.SavedMethod, failure string, opts finishOpts) (ended PayResult, err error) {
	code := failure
	a, err := s.loadAttempt(ctx, tx, attemptID, "", true)
	if err != nil {
		return PayResult{}, err
	}
	if a.Status != "open" {
		return PayResult{}, nil
	}
	switch {
	case code == "" && (gp == nil || gp.Paid()):
		if err := s.settle(ctx, tx, a, gp, saved); err != nil {
			return PayResult{}, err
		}
		if opts.settled != nil && a.Sel.Renewal {
			if err := opts.settled(ctx, tx, a.ID); err != nil {
				return PayResult{}, err
			}
		}
		return PayResult{Status: StatusSucceeded, CheckoutID: a.ID}, nil
	case gp != nil && gp.Status == payment.StatusCanceled:
		return PayResult{Status: StatusCanceled, CheckoutID: a.ID}, s.fail(ctx, tx, a, "canceled", "")
	case code == "" && gp != nil:
		code = gp.FailureCode
		if gp.Status == payment.StatusRequiresAction || gp.Status == payment.StatusAuthorized {
			return PayResult{}, nil // still under way
		}
	}
	if code == "" {
		code = payment.CodeCardDeclined
	}
	return PayResult{Status: StatusFailed, CheckoutID: a.ID, FailureCode: code}, s.fail(ctx, tx, a, "failed", code)
}

// settle records a paid attempt in tx: the invoice issued (or the issued
// invoice marked paid), its payments succeeded with the prepaid part taken
// from the ledger, the pro-formas it settles paid, the products activated
// or renewed, the orders paid, other pro-formas of the same items voided,
// the method saved when asked, and the e-mails enqueued.
func (s *Service) settle(ctx context.Context, tx *sql.Tx, a attempt, gp *payment.Payment, saved *payment.SavedMethod) error {
	now := s.nowUTC()
	cat, err := s.currentCatalog(ctx, tx)
	if err != nil {
		return err
	}
	gatewayPaymentID := ""
	if gp != nil {
		gatewayPaymentID = gp.ID
	}
	var pmID string
	if saved != nil {
		if pmID, err = s.saveMethodTx(ctx, tx, a.OrgID, a.CreatedBy, *saved); err != nil {
			return err
		}
	}
	if a.Purpose == "save_method" {
		if err := s.completeAttempt(ctx, tx, a.ID, "completed", ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.CreatedBy, OrganizationID: a.OrgID, Action: "payment_method.added",
			CreatedAt: now, Data: map[string]string{"payment_method": pmID}})
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = 'succeeded', gateway_payment_id = $1, settled_at = $2,
		payment_method_id = COALESCE(payment_method_id, $3) WHERE checkout_id = $4 AND method <> 'prepaid'`,
		gatewayPaymentID, now, nullable(pmID), a.ID); err != nil {
		return fmt.Errorf("billing: recording the payment: %w", err)
	}
	if a.Sel.Deposit {
		if _, err := s.book(ctx, tx, a.OrgID, a.Currency, "deposit", a.Amount, s.attemptPaymentID(ctx, tx, a.ID), ""); err != nil {
			return err
		}
		if err := s.completeAttempt(ctx, tx, a.ID, "completed", ""); err != nil {
			return err
		}
		if err := s.noticePayment(ctx, tx, a.OrgID, "payment_received", amt(a.Amount, a.Currency), a.Method, "", ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: a.CreatedBy, OrganizationID: a.OrgID, Action: "prepaid.deposited",
			CreatedAt: now, Data: map[string]string{"amount": amt(a.Amount, a.Currency).String(), "currency": a.Currency}})
	}
	inv, err := s.invoiceFor(ctx, tx, a, cat)
	if err != nil {
		return err
	}
	if a.Prepaid > 0 {
		holdID := ""
		if err := tx.QueryRowContext(ctx, `SELECT CAST(id AS text) FROM payments WHERE checkout_id = $1 AND method = 'prepaid'`,
			a.ID).Scan(&holdID); err != nil {
			return fmt.Errorf("billing: finding the prepaid part: %w", err)
		}
		if _, err := s.book(ctx, tx, a.OrgID, a.Currency, "payment", -a.Prepaid, holdID, inv.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = 'succeeded', settled_at = $1 WHERE id = $2`, now, holdID); err != nil {
			return fmt.Errorf("billing: settling the prepaid part: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payments SET invoice_id = $1 WHERE checkout_id = $2`, inv.ID, a.ID); err != nil {
		return fmt.Errorf("billing: linking the payments to the invoice: %w", err)
	}
	if err := s.applyInvoice(ctx, tx, a.OrgID, inv, a.Sel, s.today(cat)); err != nil {
		return err
	}
	if err := s.completeAttempt(ctx, tx, a.ID, "completed", inv.ID); err != nil {
		return err
	}
	if err := s.autoRenewWith(ctx, tx, a, inv, pmID); err != nil {
		return err
	}
	var paidFor []string
	for _, l := range inv.Lines {
		if l.ProductID != "" && !contains(paidFor, l.ProductID) {
			paidFor = append(paidFor, l.ProductID)
		}
	}
	if err := s.publish(ctx, tx, EventInvoicePaid, a.OrgID, map[string]any{"invoice_id": inv.ID, "number": inv.Number,
		"total": inv.Total.String(), "currency": inv.Currency, "method": a.Method, "renewal": a.Sel.Renewal,
		"product_ids": paidFor}); err != nil {
		return err
	}
	if a.Sel.Renewal {
		// The receipt of an automatic renewal is its invoice's e-mail too
		// (number, PDF link): one message, not two saying the same (REN-3).
		if err := s.noticeRenewed(ctx, tx, a, inv); err != nil {
			return err
		}
	} else {
		if err := s.noticeInvoice(ctx, tx, inv.Invoice); err != nil {
			return err
		}
		if err := s.noticePayment(ctx, tx, a.OrgID, "payment_received", amt(a.Sel.due(), a.Currency), a.Method, inv.Number, inv.ID); err != nil {
			return err
		}
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: a.CreatedBy, OrganizationID: a.OrgID, Action: "invoice.paid",
		CreatedAt: now, Data: map[string]string{"invoice": inv.ID, "number": inv.Number, "total": inv.Total.String(),
			"currency": inv.Currency, "method": a.Method, "prepaid": amt(a.Prepaid, a.Currency).String()}})
}

// invoiceFor issues the attempt's invoice, or marks the issued invoice it
// pays as paid.
func (s *Service) invoiceFor(ctx context.Context, tx *sql.Tx, a attempt, cat catalog.Catalog) (issued, error) {
	today := s.today(cat)
	if a.Sel.InvoiceID == "" {
		return s.issue(ctx, tx, issueSpec{orgID: a.OrgID, userID: a.CreatedBy, kind: KindInvoice, status: "paid",
			currency: a.Currency, language: a.Sel.Language, lines: a.Sel.Lines, paid: a.Sel.Total, cat: cat, today: today})
	}
	inv, err := loadInvoice(ctx, tx, a.OrgID, a.Sel.InvoiceID)
	if err != nil {
		return issued{}, err
	}
	now := s.nowUTC()
	if _, err := tx.ExecContext(ctx, `UPDATE invoices SET status = 'paid', paid_minor = total_minor, paid_at = $1
		WHERE id = $2`, now, inv.ID); err != nil {
		return issued{}, fmt.Errorf("billing: marking the invoice paid: %w", err)
	}
	out := issued{Invoice: inv}
	for _, l := range inv.Lines {
		months, _ := catalog.ParsePeriod(l.Period)
		p, err := periodOf(ctx, tx, draft{Months: months, ProductID: l.ProductID, OrderID: l.OrderID}, today)
		if err != nil {
			return issued{}, err
		}
		out.periods = append(out.periods, p)
	}
	return out, nil
}

// applyInvoice gives a paid invoice its effects, in tx: the pro-formas of
// the selection paid and pointing to it, pending products active with a due
// date one period ahead, renewed products moved by the period from their
// due date (REN-6) and unblocked, orders paid, other pro-formas for the
// same items voided.
func (s *Service) applyInvoice(ctx context.Context, tx *sql.Tx, orgID string, inv issued, sel selection, today calendar.Date) error {
	now := s.nowUTC()
	for _, pid := range sel.Proformas {
		if _, err := tx.ExecContext(ctx, `UPDATE invoices SET status = 'paid', paid_minor = total_minor, invoice_id = $1,
			paid_at = $2 WHERE id = $3 AND organization_id = $4`, inv.ID, now, pid, orgID); err != nil {
			return fmt.Errorf("billing: marking the pro-forma paid: %w", err)
		}
	}
	var products []string
	for i, l := range inv.Lines {
		if l.ProductID == "" || i >= len(inv.periods) || inv.periods[i].start.IsZero() {
			continue
		}
		products = append(products, l.ProductID)
		due := inv.periods[i].end.AddDays(1).String()
		if l.OrderID != "" {
			res, err := tx.ExecContext(ctx, `UPDATE products SET status = 'active', due_date = $1, period = $2,
				activated_at = $3, updated_at = $3 WHERE id = $4 AND status = 'pending'`, due, l.Period, now, l.ProductID)
			if err != nil {
				return fmt.Errorf("billing: activating a product: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				if err := s.publish(ctx, tx, EventProductActivated, orgID, map[string]any{"product_id": l.ProductID,
					"status": "active", "due_date": due, "period": l.Period, "order_id": l.OrderID, "invoice_id": inv.ID}); err != nil {
					return err
				}
				if s.renewed != nil {
					if err := s.renewed(ctx, tx, Renewed{OrgID: orgID, ProductID: l.ProductID, DueDate: due, InvoiceID: inv.ID, Today: today}); err != nil {
						return err
					}
				}
			}
			continue
		}
		var before string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM products WHERE id = $1`, l.ProductID).Scan(&before); err != nil {
			return fmt.Errorf("billing: reading a renewed product: %w", err)
		}
		if before != "active" && before != "blocked" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE products SET status = 'active', due_date = $1, period = $2, updated_at = $3
			WHERE id = $4`, due, l.Period, now, l.ProductID); err != nil {
			return fmt.Errorf("billing: renewing a product: %w", err)
		}
		if err := s.publish(ctx, tx, EventProductRenewed, orgID, map[string]any{"product_id": l.ProductID, "status": "active",
			"due_date": due, "previous_due_date": inv.periods[i].start.String(), "period": l.Period, "invoice_id": inv.ID}); err != nil {
			return err
		}
		if before == "blocked" {
			if err := s.publish(ctx, tx, EventProductUnblocked, orgID, map[string]any{"product_id": l.ProductID,
				"status": "active", "due_date": due, "invoice_id": inv.ID}); err != nil {
				return err
			}
		}
		if s.renewed != nil {
			if err := s.renewed(ctx, tx, Renewed{OrgID: orgID, ProductID: l.ProductID, DueDate: due,
				PreviousDueDate: inv.periods[i].start.String(), InvoiceID: inv.ID, Today: today}); err != nil {
				return err
			}
		}
	}
	for _, oid := range sel.Orders {
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'paid', paid_at = $1, invoice_id = $2
			WHERE id = $3 AND status = 'pending'`, now, inv.ID, oid); err != nil {
			return fmt.Errorf("billing: marking the order paid: %w", err)
		}
	}
	return s.voidProformasFor(ctx, tx, orgID, sel.Orders, products, sel.Proformas)
}

// voidProformasFor voids the unpaid pro-formas (but those in keep) that
// include one of the orders or products: they were paid another way or
// cancelled. What a voided pro-forma had already received goes to the
// prepaid account.
func (s *Service) voidProformasFor(ctx context.Context, tx *sql.Tx, orgID string, orders, products, keep []string) error {
	var ids []string
	for _, obj := range append(append([]string{}, orders...), products...) {
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT CAST(i.id AS text) FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id
			WHERE i.organization_id = $1 AND i.kind = 'proforma' AND i.status = 'unpaid'
			AND (CAST(l.order_id AS text) = $2 OR CAST(l.product_id AS text) = $2)`, orgID, obj)
		if err != nil {
			return fmt.Errorf("billing: finding pro-formas to void: %w", err)
		}
		for rows.Next() {
			var pid string
			if err := rows.Scan(&pid); err != nil {
				rows.Close()
				return err
			}
			if !contains(keep, pid) && !contains(ids, pid) {
				ids = append(ids, pid)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, pid := range ids {
		var paid int64
		var currency string
		if err := tx.QueryRowContext(ctx, `UPDATE invoices SET status = 'void' WHERE id = $1 RETURNING paid_minor, currency`,
			pid).Scan(&paid, &currency); err != nil {
			return fmt.Errorf("billing: voiding a pro-forma: %w", err)
		}
		if paid > 0 {
			if _, err := s.book(ctx, tx, orgID, currency, "overpayment", paid, "", pid); err != nil {
				return err
			}
		}
	}
	return nil
}

// fail ends an attempt without payment: its payments failed (or canceled)
// with the failure code, the prepaid part released, and, for a failure, the
// payment_failed notice.
func (s *Service) fail(ctx context.Context, tx *sql.Tx, a attempt, status, code string) error {
	payStatus := "failed"
	if status != "failed" {
		payStatus = "canceled"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payments SET status = $1, failure_code = $2 WHERE checkout_id = $3
		AND status IN ('pending','requires_action')`, payStatus, code, a.ID); err != nil {
		return fmt.Errorf("billing: recording the failed payment: %w", err)
	}
	if err := s.completeAttempt(ctx, tx, a.ID, status, ""); err != nil {
		return err
	}
	if status != "failed" {
		return nil
	}
	if a.Purpose == "save_method" {
		// Saving a card that the gateway refused: nothing was owed, the
		// page that asked says so; no payment failed (no e-mail, no event).
		return audit.Record(ctx, tx, audit.Event{ActorID: a.CreatedBy, OrganizationID: a.OrgID, Action: "payment_method.refused",
			CreatedAt: s.nowUTC(), Data: map[string]string{"checkout": a.ID, "code": code, "method": a.Method}})
	}
	var products []string
	for _, l := range a.Sel.Lines {
		if l.ProductID != "" {
			products = append(products, l.ProductID)
		}
	}
	if err := s.publish(ctx, tx, EventPaymentFailed, a.OrgID, map[string]any{"checkout_id": a.ID, "code": code,
		"amount": amt(a.Amount, a.Currency).String(), "currency": a.Currency, "product_ids": products,
		"renewal": a.Sel.Renewal}); err != nil {
		return err
	}
	if !a.Sel.Renewal { // an automatic renewal's notice tells the next attempt: the renewal engine sends it
		if err := s.noticeFailed(ctx, tx, a.OrgID, amt(a.Amount, a.Currency), code); err != nil {
			return err
		}
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: a.CreatedBy, OrganizationID: a.OrgID, Action: "payment.failed",
		CreatedAt: s.nowUTC(), Data: map[string]string{"checkout": a.ID, "code": code, "amount": amt(a.Amount, a.Currency).String()}})
}

// completeAttempt closes an attempt with status (and the invoice it issued).
func (s *Service) completeAttempt(ctx context.Context, tx *sql.Tx, attemptID, status, invoiceID string) error {
	q := `UPDATE checkouts SET status = $1, completed_at = $2 WHERE id = $3`
	args := []any{status, s.nowUTC(), attemptID}
	if invoiceID != "" {
		q = `UPDATE checkouts SET status = $1, completed_at = $2, invoice_id = $4 WHERE id = $3`
		args = append(args, invoiceID)
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("billing: closing the payment attempt: %w", err)
	}
	return nil
}

// attemptPaymentID is the id of the attempt's gateway payment.
func (s *Service) attemptPaymentID(ctx context.Context, tx *sql.Tx, attemptID string) string {
	var pid string
	_ = tx.QueryRowContext(ctx, `SELECT CAST(id AS text) FROM payments WHERE checkout_id = $1 AND method <> 'prepaid'`,
		attemptID).Scan(&pid)
	return pid
}

// saveMethodTx keeps a method the gateway saved (once per token); the first
// method of an organization is its default.
func (s *Service) saveMethodTx(ctx context.Context, tx *sql.Tx, orgID, userID string, m payment.SavedMethod) (string, error) {
	var existing string
	err := tx.QueryRowContext(ctx, `SELECT CAST(id AS text) FROM payment_methods WHERE organization_id = $1 AND token = $2
		AND removed_at IS NULL`, orgID, m.Token).Scan(&existing)
	if err == nil {
		return existing, nil
	}
	if err != sql.ErrNoRows {
		return "", fmt.Errorf("billing: looking for the saved method: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM payment_methods WHERE organization_id = $1 AND removed_at IS NULL
		AND is_default = $2`, orgID, true).Scan(&n); err != nil {
		return "", fmt.Errorf("billing: counting saved methods: %w", err)
	}
	pmID := id.New()
	if _, err := tx.ExecContext(ctx, `INSERT INTO payment_methods (id, organization_id, type, gateway, token, brand, last4,
		exp_month, exp_year, label, is_default, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		pmID, orgID, string(m.Method), s.gateway.Name(), m.Token, m.Brand, m.Last4, m.ExpMonth, m.ExpYear, m.Label, n == 0,
		nullable(userID), s.nowUTC()); err != nil {
		return "", fmt.Errorf("billing: saving the payment method: %w", err)
	}
	return pmID, nil
}
