package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
)

// prepaidJSON is the organization's prepaid account: one balance and
// ledger per currency (BIL-4, BIL-5).
type prepaidJSON struct {
	Accounts []prepaidAccountJSON `json:"accounts" doc:"One per currency the organization has used; none before the first deposit."`
}

type prepaidAccountJSON struct {
	Currency  string             `json:"currency" enum:"CHF,EUR"`
	Balance   MoneyJSON          `json:"balance"`
	Reserved  MoneyJSON          `json:"reserved" doc:"Held by payments under way: released if they fail."`
	Available MoneyJSON          `json:"available" doc:"Balance minus reserved: what a payment may take now."`
	Entries   []prepaidEntryJSON `json:"entries" doc:"The ledger, newest first."`
}

type prepaidEntryJSON struct {
	ID        string    `json:"id" format:"uuid"`
	Kind      string    `json:"kind" enum:"deposit,payment,refund,overpayment"`
	Amount    MoneyJSON `json:"amount" doc:"Positive when credited, negative when debited."`
	Balance   MoneyJSON `json:"balance" doc:"After this entry."`
	PaymentID *string   `json:"payment_id" format:"uuid"`
	InvoiceID *string   `json:"invoice_id" format:"uuid"`
	CreatedAt time.Time `json:"created_at"`
}

func toPrepaidAccountJSON(a billing.PrepaidAccount) prepaidAccountJSON {
	avail := a.Balance
	avail.Minor -= a.Reserved.Minor
	j := prepaidAccountJSON{Currency: a.Currency, Balance: toMoneyJSON(a.Balance), Reserved: toMoneyJSON(a.Reserved),
		Available: toMoneyJSON(avail), Entries: []prepaidEntryJSON{}}
	for _, e := range a.Entries {
		j.Entries = append(j.Entries, prepaidEntryJSON{ID: e.ID, Kind: e.Kind, Amount: toMoneyJSON(e.Amount),
			Balance: toMoneyJSON(e.Balance), PaymentID: strPtr(e.PaymentID), InvoiceID: strPtr(e.InvoiceID),
			CreatedAt: e.CreatedAt.UTC()})
	}
	return j
}

type depositInput struct {
	OrgPath
	IdempotencyHeader
	Body struct {
		Amount          string `json:"amount" pattern:"^[0-9]+(\\.[0-9]{1,2})?$" example:"50.00" doc:"Between 0.10 and 9999.00 (BIL-5)."`
		Currency        string `json:"currency,omitempty" enum:"CHF,EUR" doc:"The account's currency; CHF when absent."`
		Method          string `json:"method,omitempty" enum:"card,postfinance,iban" doc:"Not needed with payment_method_id."`
		PaymentMethodID string `json:"payment_method_id,omitempty" doc:"A saved card, charged now."`
		ReturnURL       string `json:"return_url,omitempty" format:"uri" doc:"Where the payment page sends the customer back: a page of the console."`
	}
}

func (s *server) declarePrepaid() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/organizations/{org}/prepaid", ID: "get-prepaid", Tag: "Billing",
		Summary:     "Show the prepaid account",
		Description: "The balance of the prepaid account per currency, what payments under way hold, and the ledger (BIL-4, BIL-5).",
		Codes:       billingCodes(),
	}, func(ctx context.Context, in *OrgPath) (*Out[prepaidJSON], error) {
		as, err := s.d.Billing.Prepaid(ctx, caller(ctx).UserID, in.Org)
		if err != nil {
			return nil, err
		}
		return ok(prepaidJSON{Accounts: mapSlice(as, toPrepaidAccountJSON)}), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/organizations/{org}/prepaid/deposits", ID: "deposit", Tag: "Billing",
		Summary: "Credit the prepaid account",
		Description: "A deposit between 0.10 and 9999.00 (else 422 deposit_out_of_range) by card, PostFinance Card (CHF) or " +
			"bank transfer (BIL-5). Answers as a payment does: 201 `succeeded` with a saved card, 202 `requires_action` with a " +
			"payment page, 201 `awaiting_transfer` with the pro-forma to pay by transfer; a decline is 402. Send an " +
			"Idempotency-Key: the same key never deposits twice.",
		Status: http.StatusCreated,
		Codes: billingCodes(append([]*apperr.Error{apperr.Validation, catalog.ErrEmpty, billing.ErrDepositOutOfRange,
			billing.ErrMethodNotAllowed}, declineCodes...)...),
	}, func(ctx context.Context, in *depositInput) (*payOut, error) {
		p := caller(ctx)
		b := in.Body
		currency := b.Currency
		if currency == "" {
			currency = "CHF"
		}
		amount, err := parseAmount(b.Amount, currency, "amount")
		if err != nil {
			return nil, err
		}
		ret, err := s.returnURL(b.ReturnURL)
		if err != nil {
			return nil, err
		}
		r, err := s.d.Billing.Deposit(ctx, p.UserID, in.Org, billing.DepositInput{Amount: amount, Method: b.Method,
			PaymentMethodID: b.PaymentMethodID, IdempotencyKey: in.IdempotencyKey, ReturnURL: ret, CancelURL: ret}, p.Meta)
		if err != nil {
			return nil, outcomeError(err)
		}
		return payAnswer(r)
	})
	alsoAnswers[Envelope[payResultJSON]](s, http.StatusAccepted, "requires_action: send the customer to redirect_url.")
	alsoAnswers[Envelope[payResultJSON]](s, http.StatusOK,
		"canceled: the attempt made with this Idempotency-Key was canceled on its payment page or expired; send a new key to pay again.")
}
