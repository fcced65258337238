package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment"
)

// RefundResult is a refund and the credit note it issued.
type RefundResult struct {
	ID         string
	PaymentID  string
	Amount     money.Amount
	Status     string // succeeded, failed or pending (the gateway did not answer yet)
	CreditNote *Invoice
}

// Refund gives back amount of a payment to the method that paid it
// (BIL-9), an operator action (the CLI calls it; no user check): a card,
// PostFinance, PayPal or Twint payment through the gateway, with an
// idempotency key made from the payment, what it had refunded before and
// the amount (running the same refund again after a lost answer never
// refunds twice); a prepaid part back to the prepaid account ("refund"
// entry). A credit note (C numbering) is issued for the amount, VAT
// included at the invoice's rate. Refusals: refund_exceeds_payment (more
// than what is left), refund_not_supported (bank transfers, deposits),
// object_not_found, validation_failed (amount).
func (s *Service) Refund(ctx context.Context, paymentID string, amount money.Amount, reason string, meta audit.Meta) (RefundResult, error) {
	if !id.Valid(paymentID) {
		return RefundResult{}, apperr.NotFound
	}
	if amount.Minor <= 0 {
		return RefundResult{}, apperr.Validation.With("The amount to refund must be above zero.").Field("amount", amount.String())
	}
	var p Payment
	var orgID, gatewayPaymentID string
	var r RefundResult
	done := false
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		p, orgID, gatewayPaymentID, err = s.lockPayment(ctx, tx, paymentID)
		if err != nil {
			return err
		}
		if p.Status != "succeeded" || p.InvoiceID == "" {
			return apperr.StateConflict.With("Only a payment that succeeded can be refunded.")
		}
		if p.Method == MethodIBAN || p.Purpose != "invoice" {
			return ErrRefundNotSupported
		}
		if amount.Currency != p.Amount.Currency {
			return apperr.Validation.With("The refund must be in the payment's currency.").Field("currency", amount.Currency)
		}
		left := p.Amount.Minor - p.Refunded.Minor
		key := fmt.Sprintf("refund-%s-%d-%d", p.ID, p.Refunded.Minor, amount.Minor)
		// The same refund after a lost answer: carry on with it.
		var pendingID string
		err = tx.QueryRowContext(ctx, `SELECT CAST(id AS text) FROM refunds WHERE idempotency_key = $1`,
			fmt.Sprintf("refund-%s-%d-%d", p.ID, p.Refunded.Minor-amount.Minor, amount.Minor)).Scan(&pendingID)
		if err == nil {
			var status string
			if err := tx.QueryRowContext(ctx, `SELECT status, idempotency_key FROM refunds WHERE id = $1`, pendingID).
				Scan(&status, &key); err != nil {
				return err
			}
			if status == "pending" {
				r = RefundResult{ID: pendingID, PaymentID: p.ID, Amount: amount, Status: "pending"}
				return nil
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("billing: looking for the refund: %w", err)
		}
		if amount.Minor > left {
			return ErrRefundTooLarge.Field("amount", amt(left, p.Amount.Currency).String())
		}
		r = RefundResult{ID: id.New(), PaymentID: p.ID, Amount: amount, Status: "pending"}
		if _, err := tx.ExecContext(ctx, `INSERT INTO refunds (id, payment_id, amount_minor, status, idempotency_key, created_by, created_at)
			VALUES ($1, $2, $3, 'pending', $4, $5, $6)`, r.ID, p.ID, amount.Minor, key, nullable(meta.ActorID), s.nowUTC()); err != nil {
			return fmt.Errorf("billing: recording the refund: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET refunded_minor = refunded_minor + $1 WHERE id = $2`,
			amount.Minor, p.ID); err != nil {
			return fmt.Errorf("billing: reserving the refund: %w", err)
		}
		if p.Method != MethodPrepaid {
			return nil
		}
		if _, err := s.book(ctx, tx, orgID, p.Amount.Currency, "refund", amount.Minor, p.ID, p.InvoiceID); err != nil {
			return err
		}
		done = true
		return s.refundSucceeded(ctx, tx, &r, orgID, p, "", reason, meta)
	})
	if err != nil || done {
		return r, err
	}
	var key string
	if err := s.db.QueryRowContext(ctx, `SELECT idempotency_key FROM refunds WHERE id = $1`, r.ID).Scan(&key); err != nil {
		return r, fmt.Errorf("billing: reading the refund: %w", err)
	}
	gr, gerr := s.gateway.Refund(ctx, gatewayPaymentID, amount, key)
	if errors.Is(gerr, payment.ErrUnknownOutcome) {
		gr, gerr = s.gateway.Refund(ctx, gatewayPaymentID, amount, key) // idempotent with the same key
	}
	if errors.Is(gerr, payment.ErrUnknownOutcome) {
		return r, ErrOutcomeUnknown.With("The payment service did not confirm the refund: run the same refund again later; it will not refund twice.").Wrap(gerr)
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if gerr != nil || gr.Status != payment.RefundSucceeded {
			r.Status = "failed"
			if _, err := tx.ExecContext(ctx, `UPDATE refunds SET status = 'failed' WHERE id = $1 AND status = 'pending'`, r.ID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE payments SET refunded_minor = refunded_minor - $1 WHERE id = $2`, amount.Minor, p.ID)
			return err
		}
		return s.refundSucceeded(ctx, tx, &r, orgID, p, gr.ID, reason, meta)
	})
	if err == nil && gerr != nil {
		err = fmt.Errorf("billing: the payment service refused the refund: %w", gerr)
	}
	return r, err
}

// lockPayment reads and locks a payment.
func (s *Service) lockPayment(ctx context.Context, tx *sql.Tx, paymentID string) (Payment, string, string, error) {
	var orgID, gwID string
	row := tx.QueryRowContext(ctx, `SELECT `+paymentColumns+`, CAST(organization_id AS text), gateway_payment_id
		FROM payments WHERE id = $1`+s.forUpdate(), paymentID)
	var p Payment
	var settled sql.NullTime
	err := row.Scan(&p.ID, &p.InvoiceID, &p.Purpose, &p.Method, &p.PaymentMethodID, &p.Amount.Minor, &p.Amount.Currency,
		&p.Refunded.Minor, &p.Status, &p.FailureCode, &p.CreatedAt, &settled, &orgID, &gwID)
	if errors.Is(err, sql.ErrNoRows) {
		return Payment{}, "", "", apperr.NotFound
	}
	if err != nil {
		return Payment{}, "", "", fmt.Errorf("billing: loading the payment: %w", err)
	}
	p.Refunded.Currency = p.Amount.Currency
	return p, orgID, gwID, nil
}

// refundSucceeded marks the refund done and issues its credit note, in tx.
func (s *Service) refundSucceeded(ctx context.Context, tx *sql.Tx, r *RefundResult, orgID string, p Payment, gatewayRefundID, reason string, meta audit.Meta) error {
	inv, err := loadInvoice(ctx, tx, orgID, p.InvoiceID)
	if err != nil {
		return err
	}
	rate := 0
	if len(inv.Lines) > 0 {
		rate = inv.Lines[0].VATRate
	}
	cat, err := s.currentCatalog(ctx, tx)
	if err != nil {
		return err
	}
	net, vat := VATIncluded(r.Amount.Minor, rate)
	desc := i18n.T(inv.Language, "billing.refund_line", inv.Number)
	if reason = strings.TrimSpace(reason); reason != "" {
		desc += " – " + reason
	}
	note, err := s.issue(ctx, tx, issueSpec{orgID: orgID, userID: meta.ActorID, kind: KindCreditNote, status: "paid",
		currency: inv.Currency, language: inv.Language, paid: r.Amount.Minor, creditedInvoiceID: inv.ID, cat: cat, today: s.today(cat),
		lines: []draft{{Type: "refund", Description: desc, Unit: net, Quantity: 1, VATRate: rate, FixedVAT: &vat}}})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE refunds SET status = 'succeeded', gateway_refund_id = $1, credit_note_id = $2
		WHERE id = $3`, gatewayRefundID, note.ID, r.ID); err != nil {
		return fmt.Errorf("billing: recording the refund: %w", err)
	}
	r.Status, r.CreditNote = "succeeded", &note.Invoice
	return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "payment.refunded",
		IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: s.nowUTC(), Data: map[string]string{"payment": p.ID,
			"amount": r.Amount.String(), "currency": r.Amount.Currency, "credit_note": note.Number, "reason": reason}})
}
