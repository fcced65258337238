package billing

import (
	"context"
	"database/sql"
	"errors"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
)

// Deposit limits (BIL-5), in minor units of the account's currency.
const (
	MinDepositMinor = 10     // 0.10
	MaxDepositMinor = 999900 // 9999.00
)

// DepositInput is a deposit to the prepaid account (BIL-5).
type DepositInput struct {
	Amount          money.Amount // 0.10 to 9999.00, CHF or EUR
	Method          string       // card, postfinance (CHF) or iban; empty with PaymentMethodID
	PaymentMethodID string       // a saved card to charge now
	IdempotencyKey  string
	ReturnURL       string // where the payment page sends the customer back
	CancelURL       string // empty: ReturnURL
}

// Deposit credits orgID's prepaid account once paid: a saved card is
// charged now (succeeded), a card or PostFinance Card without a saved one
// goes through the payment page (requires_action, then CompleteCheckout),
// iban issues a pro-forma for the deposit (awaiting_transfer, credited by
// ImportBankFile). Deposits carry no VAT: it is due on the invoices the
// balance pays. Refusals: deposit_out_of_range (attribute amount, values
// the limits), payment_method_not_allowed (PayPal, Twint, PostFinance
// outside CHF), validation_failed, and the declines of Pay.
func (s *Service) Deposit(ctx context.Context, userID, orgID string, in DepositInput, meta audit.Meta) (PayResult, error) {
	if !money.Supported(in.Amount.Currency) {
		return PayResult{}, apperr.Validation.With("The currency must be CHF or EUR.").Field("currency", in.Amount.Currency)
	}
	if in.Amount.Minor < MinDepositMinor || in.Amount.Minor > MaxDepositMinor {
		return PayResult{}, ErrDepositOutOfRange.Field("amount", amt(MinDepositMinor, in.Amount.Currency).String(),
			amt(MaxDepositMinor, in.Amount.Currency).String())
	}
	key := in.IdempotencyKey
	if key == "" {
		key = id.New()
	}
	if in.CancelURL == "" {
		in.CancelURL = in.ReturnURL
	}
	var a attempt
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.canSee(ctx, tx, userID, orgID); err != nil {
			return err
		}
		var err error
		ak := derivedKey(orgID, key, "deposit")
		if a, err = s.loadAttempt(ctx, tx, "", ak, false); err == nil {
			return nil
		} else if !errors.Is(err, apperr.NotFound) {
			return err
		}
		method, pm, err := s.chooseMethod(ctx, tx, orgID, in.Method, in.PaymentMethodID)
		if err != nil {
			return err
		}
		if !contains([]string{MethodCard, MethodPostFinance, MethodIBAN}, method) ||
			(method == MethodPostFinance && in.Amount.Currency != "CHF") {
			return ErrMethodNotAllowed.With("A deposit is paid by card, PostFinance Card (CHF only) or bank transfer.").Field("method", method)
		}
		lang, err := userLanguage(ctx, tx, userID)
		if err != nil {
			return err
		}
		now := s.nowUTC()
		a = attempt{ID: id.New(), OrgID: orgID, Purpose: "deposit", Method: method, Currency: in.Amount.Currency, Status: "open",
			Sel: selection{Currency: in.Amount.Currency, Language: lang, Deposit: true, Total: in.Amount.Minor,
				Lines: []draft{depositLine(lang, in.Amount.Minor)}},
			Amount: in.Amount.Minor, Key: ak, CreatedBy: userID, CreatedAt: now, ExpiresAt: now.Add(s.checkoutTTL),
			PaymentMethodID: pm.ID, Token: pm.Token}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "prepaid.deposit_started",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: map[string]string{"amount": in.Amount.String(),
				"currency": in.Amount.Currency, "method": method}}); err != nil {
			return err
		}
		if method == MethodIBAN {
			cat, err := s.currentCatalog(ctx, tx)
			if err != nil {
				return err
			}
			return s.startTransfer(ctx, tx, &a, cat, userID)
		}
		return s.insertAttempt(ctx, tx, a, userID)
	})
	if err != nil {
		return PayResult{}, err
	}
	return s.drive(ctx, a, in.ReturnURL, in.CancelURL, false)
}
