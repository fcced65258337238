package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment"
)

// PayInput is a selection to pay and how (BIL-2, BIL-3, BIL-4).
type PayInput struct {
	Items []PayItem
	// Method is card, postfinance, paypal, twint, iban or prepaid. With
	// PaymentMethodID it may be empty: the saved method's type is used.
	Method string
	// PaymentMethodID is a saved method to charge now, without the customer.
	PaymentMethodID string
	// Prepaid is the part to take from the prepaid account (capped at what
	// is due); the rest goes to Method. Method prepaid takes everything.
	Prepaid money.Amount
	// SaveMethod keeps the card used on the payment page as a saved method
	// (a Twint profile is always kept, BIL-4).
	SaveMethod bool
	// IdempotencyKey makes a repeated request answer the first one's result
	// without paying twice; empty means a new payment every time.
	IdempotencyKey string
	// ReturnURL and CancelURL are where the payment page sends the customer
	// back (with ?checkout={id}); then call CompleteCheckout.
	ReturnURL, CancelURL string

	// renewal marks the automatic renewal ChargeRenewals makes (no user).
	renewal bool
}

// Pay pays a selection with one invoice and one payment (plus the prepaid
// part), BIL-2:
//
//   - with a saved method, or all from the prepaid account: charged now; the
//     invoice is issued, the products activated or renewed, the orders
//     marked paid and the e-mails enqueued in one transaction. A decline is
//     card_declined, insufficient_funds or expired_card (402) and changes
//     nothing (the prepaid part held is released);
//   - card, postfinance, paypal or twint without a saved method:
//     requires_action with the payment page's RedirectURL; CompleteCheckout
//     finishes it;
//   - iban: a pro-forma invoice with a QR reference (awaiting_transfer); the
//     items wait for the transfer (ImportBankFile).
//
// Refusals: validation_failed (items, method, prepaid), object_not_found,
// item_not_payable, payment_in_progress, currency_mismatch,
// invoice_pay_alone, prepaid_insufficient, payment_method_not_allowed
// (PostFinance outside CHF), payment_outcome_unknown (the gateway did not
// answer: a sweep settles it, never pay again).
func (s *Service) Pay(ctx context.Context, userID, orgID string, in PayInput, meta audit.Meta) (PayResult, error) {
	key := in.IdempotencyKey
	if key == "" {
		key = id.New()
	}
	var a attempt
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.canSee(ctx, tx, userID, orgID); err != nil {
			return err
		}
		var err error
		if a, err = s.loadAttempt(ctx, tx, "", derivedKey(orgID, key, "pay"), false); err == nil {
			return nil // the same request again: answer its result
		} else if !errors.Is(err, apperr.NotFound) {
			return err
		}
		a, err = s.startPay(ctx, tx, userID, orgID, key, in, meta)
		return err
	})
	if err != nil {
		return PayResult{}, err
	}
	// REN-1: paying products with a card keeps the card, so that they
	// renew automatically with it (a Twint profile is always kept).
	save := in.SaveMethod || (a.Method == MethodCard && a.Sel.paysProducts())
	return s.drive(ctx, a, in.ReturnURL, in.CancelURL, save)
}

// startPay resolves the selection and records the attempt, in tx.
func (s *Service) startPay(ctx context.Context, tx *sql.Tx, userID, orgID, key string, in PayInput, meta audit.Meta) (attempt, error) {
	cat, err := s.currentCatalog(ctx, tx)
	if err != nil {
		return attempt{}, err
	}
	var lang string
	if userID == "" { // the system: an automatic renewal
		lang, err = orgLanguage(ctx, tx, orgID)
	} else {
		lang, err = userLanguage(ctx, tx, userID)
	}
	if err != nil {
		return attempt{}, err
	}
	method, pm, err := s.chooseMethod(ctx, tx, orgID, in.Method, in.PaymentMethodID)
	if err != nil {
		return attempt{}, err
	}
	sel, err := s.resolve(ctx, tx, orgID, lang, cat, in.Items)
	if err != nil {
		return attempt{}, err
	}
	sel.Renewal = in.renewal
	if method == MethodPostFinance && sel.Currency != "CHF" {
		return attempt{}, ErrMethodNotAllowed.Field("method", method)
	}
	if in.Prepaid.Minor < 0 || (in.Prepaid.Currency != "" && in.Prepaid.Minor > 0 && in.Prepaid.Currency != sel.Currency) {
		return attempt{}, apperr.Validation.With("The prepaid part must be a positive amount in the currency of the items.").
			Field("prepaid_amount", in.Prepaid.String())
	}
	now := s.nowUTC()
	a := attempt{ID: id.New(), OrgID: orgID, Purpose: "pay", Method: method, Currency: sel.Currency, Status: "open",
		Sel: sel, Key: derivedKey(orgID, key, "pay"), CreatedBy: userID, CreatedAt: now, ExpiresAt: now.Add(s.checkoutTTL),
		PaymentMethodID: pm.ID, Token: pm.Token}
	if method == MethodIBAN {
		if in.Prepaid.Minor > 0 {
			return attempt{}, apperr.Validation.With("A bank transfer pays the whole amount: pay with the prepaid account and a card, or by transfer alone.").
				Field("prepaid_amount", in.Prepaid.String())
		}
		return a, s.startTransfer(ctx, tx, &a, cat, userID)
	}
	want := in.Prepaid.Minor
	if method == MethodPrepaid {
		want = sel.due()
	}
	a.Prepaid, a.Amount = SplitPayment(sel.due(), want)
	if a.Amount > 0 && method == MethodPrepaid {
		return attempt{}, ErrPrepaidInsufficient
	}
	if a.Prepaid > 0 {
		avail, err := s.available(ctx, tx, orgID, sel.Currency)
		if err != nil {
			return attempt{}, err
		}
		if avail < a.Prepaid {
			return attempt{}, ErrPrepaidInsufficient.Field("prepaid_amount", amt(max(avail, 0), sel.Currency).String())
		}
	}
	if a.Amount == 0 {
		a.Method = MethodPrepaid
	}
	if err := s.insertAttempt(ctx, tx, a, userID); err != nil {
		return attempt{}, err
	}
	return a, audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "payment.started",
		IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: map[string]string{"checkout": a.ID, "method": a.Method,
			"amount": amt(a.Amount, a.Currency).String(), "prepaid": amt(a.Prepaid, a.Currency).String(), "currency": a.Currency}})
}

// savedMethod is a row of payment_methods.
type savedMethod struct {
	ID, Type, Token string
}

// chooseMethod checks the method asked and loads the saved one.
func (s *Service) chooseMethod(ctx context.Context, tx *sql.Tx, orgID, method, pmID string) (string, savedMethod, error) {
	if pmID != "" {
		pm, err := s.loadMethod(ctx, tx, orgID, pmID)
		if err != nil {
			return "", savedMethod{}, err
		}
		if method != "" && method != pm.Type {
			return "", savedMethod{}, apperr.Validation.With("The method must be the saved method's type, or empty.").Field("method", method)
		}
		return pm.Type, pm, nil
	}
	if !contains([]string{MethodCard, MethodPostFinance, MethodPayPal, MethodTwint, MethodIBAN, MethodPrepaid}, method) {
		return "", savedMethod{}, apperr.Validation.With("The method must be card, postfinance, paypal, twint, iban or prepaid.").
			Field("method", method)
	}
	return method, savedMethod{}, nil
}

// loadMethod reads a saved method of orgID that was not removed.
func (s *Service) loadMethod(ctx context.Context, tx *sql.Tx, orgID, pmID string) (savedMethod, error) {
	notFound := apperr.NotFound.With("There is no such saved payment method.").Field("payment_method_id", pmID)
	if !id.Valid(pmID) {
		return savedMethod{}, notFound
	}
	var pm savedMethod
	err := tx.QueryRowContext(ctx, `SELECT CAST(id AS text), type, token FROM payment_methods WHERE id = $1
		AND organization_id = $2 AND removed_at IS NULL`, pmID, orgID).Scan(&pm.ID, &pm.Type, &pm.Token)
	if errors.Is(err, sql.ErrNoRows) {
		return savedMethod{}, notFound
	}
	if err != nil {
		return savedMethod{}, fmt.Errorf("billing: loading the payment method: %w", err)
	}
	return pm, nil
}

// userLanguage is the paying user's language, for the invoice.
func userLanguage(ctx context.Context, tx *sql.Tx, userID string) (string, error) {
	var lang string
	if err := tx.QueryRowContext(ctx, `SELECT language FROM users WHERE id = $1`, userID).Scan(&lang); err != nil {
		return "", fmt.Errorf("billing: reading the user's language: %w", err)
	}
	if lang == "" {
		lang = "en"
	}
	return lang, nil
}

// drive moves an attempt on after it was recorded: nothing to charge, a
// saved method to charge, or a payment page to open.
func (s *Service) drive(ctx context.Context, a attempt, returnURL, cancelURL string, save bool) (PayResult, error) {
	switch {
	case a.Status != "open" || a.Method == MethodIBAN:
		return s.result(ctx, a.ID)
	case a.Amount == 0:
		return s.finishAs(ctx, a.ID, nil, nil, "", a.finishing)
	case a.Token != "":
		return s.chargeSaved(ctx, a)
	}
	return s.openPage(ctx, a, returnURL, cancelURL, save)
}

// chargeSaved charges the attempt's saved method and finishes the attempt.
func (s *Service) chargeSaved(ctx context.Context, a attempt) (PayResult, error) {
	c, err := s.chargeGateway(ctx, a)
	if err != nil {
		return PayResult{}, err
	}
	r, err := s.finishAs(ctx, a.ID, c.payment(), nil, c.failure, a.finishing)
	return r, c.answer(r, err)
}

// charged is the gateway's answer to the charge of a saved method: a
// payment (paid, declined, …) or a refusal with its code.
type charged struct {
	p       payment.Payment
	failure string // the refusal's code; the attempt fails with it
	refusal error
}

// payment is the gateway's payment to finish the attempt with (nil after a
// refusal).
func (c charged) payment() *payment.Payment {
	if c.refusal != nil {
		return nil
	}
	return &c.p
}

// answer is the error the payer gets once the attempt is finished as r.
func (c charged) answer(r PayResult, err error) error {
	switch {
	case err != nil:
		return err
	case c.refusal != nil:
		return gatewayError(c.refusal)
	case r.Status == StatusFailed:
		return declineError(r.FailureCode)
	}
	return nil
}

// chargeGateway charges the attempt's saved method with the attempt's key;
// an unknown outcome is resolved with PaymentByKey before anything else,
// and ErrOutcomeUnknown answers when it stays unknown (the attempt stays
// open: the same key asks again later).
func (s *Service) chargeGateway(ctx context.Context, a attempt) (charged, error) {
	req := payment.ChargeRequest{Token: a.Token, Amount: amt(a.Amount, a.Currency), IdempotencyKey: a.gatewayKey(),
		Description: "alpage " + a.Purpose, Reference: a.ID}
	p, err := s.gateway.Charge(ctx, req)
	if errors.Is(err, payment.ErrUnknownOutcome) {
		p, err = s.gateway.PaymentByKey(ctx, a.gatewayKey())
		if errors.Is(err, payment.ErrNotFound) { // never reached the gateway: the same key is safe
			p, err = s.gateway.Charge(ctx, req)
		}
		if errors.Is(err, payment.ErrUnknownOutcome) || (err != nil && payment.Code(err) == "") {
			return charged{}, ErrOutcomeUnknown.Wrap(err)
		}
	}
	if err != nil && p.ID == "" {
		if payment.Code(err) == "" {
			return charged{}, ErrOutcomeUnknown.Wrap(err)
		}
		return charged{failure: payment.Code(err), refusal: err}, nil
	}
	return charged{p: p}, nil
}

// openPage opens the gateway's payment page for the attempt.
func (s *Service) openPage(ctx context.Context, a attempt, returnURL, cancelURL string, save bool) (PayResult, error) {
	lang := a.Sel.Language
	if lang == "" {
		lang = "en"
	}
	req := payment.CheckoutRequest{Reference: a.ID, Amount: amt(a.Amount, a.Currency), Method: payment.Method(a.Method),
		SaveMethod: save || a.Method == MethodTwint, ReturnURL: returnURL, CancelURL: cancelURL, Language: lang,
		IdempotencyKey: a.gatewayKey()}
	co, err := s.gateway.CreateCheckout(ctx, req)
	if errors.Is(err, payment.ErrUnknownOutcome) {
		co, err = s.gateway.CreateCheckout(ctx, req) // a replay with the same key answers the same page
	}
	if err != nil {
		if payment.Code(err) == payment.CodeUnknownOutcome {
			return PayResult{}, ErrOutcomeUnknown.Wrap(err)
		}
		if _, ferr := s.finish(ctx, a.ID, nil, nil, payment.CodeInvalidRequest); ferr != nil {
			return PayResult{}, ferr
		}
		return PayResult{}, gatewayError(err)
	}
	if err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE checkouts SET gateway_checkout_id = $1, expires_at = $2
			WHERE id = $3 AND status = 'open'`, co.ID, co.ExpiresAt.UTC(), a.ID); err != nil {
			return fmt.Errorf("billing: recording the payment page: %w", err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE payments SET status = 'requires_action' WHERE checkout_id = $1
			AND method <> 'prepaid' AND status = 'pending'`, a.ID)
		return err
	}); err != nil {
		return PayResult{}, err
	}
	r, err := s.result(ctx, a.ID)
	r.RedirectURL = co.RedirectURL
	return r, err
}

// declineError maps a decline code to its apperr.
func declineError(code string) *apperr.Error {
	switch code {
	case payment.CodeInsufficientFunds:
		return ErrInsufficientFunds
	case payment.CodeExpiredCard:
		return ErrExpiredCard
	}
	return ErrCardDeclined
}

// gatewayError maps a gateway refusal to an apperr.
func gatewayError(err error) error {
	switch {
	case payment.IsDecline(err):
		return declineError(payment.Code(err)).Wrap(err)
	case payment.Code(err) == payment.CodeMethodNotAllowed:
		return ErrMethodNotAllowed.Wrap(err)
	case payment.Code(err) == payment.CodeNotFound:
		return apperr.NotFound.With("The payment service no longer knows this payment method: remove it and add it again.").
			Field("payment_method_id").Wrap(err)
	case payment.Code(err) == payment.CodeUnknownOutcome:
		return ErrOutcomeUnknown.Wrap(err)
	}
	return fmt.Errorf("billing: the payment service refused: %w", err)
}
