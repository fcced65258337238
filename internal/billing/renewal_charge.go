package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/invoicepdf"
	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/store"
)

// RenewalCharge is an automatic renewal (REN-3, REN-5): the renewal sweep
// charges a product's saved method without the customer.
type RenewalCharge struct {
	OrgID     string
	ProductID string
	// DueDate is the due date being renewed (YYYY-MM-DD). Nothing is
	// charged once the product's due date moved (renewed by hand, by
	// another attempt) or the product is neither active nor blocked.
	DueDate string
	// Period is the period to renew for; empty keeps the product's.
	Period string
	// PaymentMethodID is the saved method to charge.
	PaymentMethodID string
	// Attempt names the attempt within the due date (the sweep gives the
	// attempt's day, "-14"). The product, the due date and Attempt make the
	// attempt's idempotency key, and the gateway's key is derived from it:
	// the same charge asked twice, by two sweeps, two instances or after a
	// crash, is made once and answers the same result.
	Attempt string
	// Brief answers, for a charge this call made, only the result's
	// Status, CheckoutID and FailureCode (no Invoice, no Payments): the
	// sweep needs no more, and reading them again costs a fifth of a
	// renewal. An attempt found already finished is answered whole.
	Brief bool
	// Settled, when set, runs in the transaction that settles the charge
	// this call made (the invoice issued, the due date moved), with the
	// attempt's id: the sweep records its step with the renewal, in one
	// commit. An error rolls the settlement back; the charge made stays
	// the attempt's, and the next call with the same Attempt settles it. It
	// does not run for an attempt found already finished.
	Settled func(ctx context.Context, tx *sql.Tx, checkoutID string) error
}

// ErrNotDue answers a charge of ChargeRenewals when the product no longer
// waits for the renewal of that due date: there is nothing to charge.
var ErrNotDue = errors.New("billing: the product is no longer due on that date")

// RenewalOutcome is what ChargeRenewals answers for one of its charges.
type RenewalOutcome struct {
	Result PayResult
	Err    error
}

// maxGatewayCalls bounds the gateway calls ChargeRenewals makes at once.
const maxGatewayCalls = 16

// ChargeRenewals renews products by charging their saved methods, through
// Pay's code path (for each, one invoice, one payment, the due date moved
// by the period, REN-6, a blocked product unblocked, the receipt sent) but
// without a user's rights: it is the system's entry point for the renewal
// sweep. A decline fails the attempt and answers its result with the
// decline error (card_declined, insufficient_funds, expired_card); the
// payment_failed e-mail is left to the caller, which knows when the next
// attempt is. Other refusals: ErrNotDue, payment_in_progress (another
// payment of the product is under way), item_not_payable,
// payment_outcome_unknown (asked again with the same Attempt, it resolves
// the charge before anything else). An attempt that ended canceled (the
// gateway never received it and SweepPayments gave it up) is followed by
// a new one under a derived key: nothing was charged.
//
// The attempts are recorded in one transaction, each in its own
// savepoint; the saved methods are charged concurrently, outside any
// transaction; the charges are settled in one transaction, each in its own
// savepoint. Each renewal is as whole as alone (its attempt, its
// settlement: all or nothing) and independent of the others: one that
// fails is undone and answered its error, the others go on. The batch
// shares its commits, which is most of what a renewal costs on SQLite
// (bench/README.md).
//
// Nothing is charged twice whatever happens between the steps: a crash
// after the attempts' commit leaves open attempts whose gateway keys the
// next call with the same Attempt charges (or finds charged) once.
func (s *Service) ChargeRenewals(ctx context.Context, ins []RenewalCharge) []RenewalOutcome {
	out := make([]RenewalOutcome, len(ins))
	attempts, errs := s.startRenewals(ctx, ins)
	type pending struct {
		i int
		c charged
	}
	var toFinish []pending
	var toCharge []int
	// The cases are drive's, taken apart so that the saved methods are
	// charged together: a change to drive's dispatch belongs here too.
	for i, a := range attempts {
		switch {
		case errs[i] != nil:
			out[i].Err = errs[i]
		case a.ID == "": // canceled three times: nothing charged
			out[i].Result = PayResult{Status: StatusCanceled}
		case a.Status != "open" || a.Method == MethodIBAN || (a.Amount > 0 && a.Token == ""):
			out[i].Result, out[i].Err = s.drive(ctx, a, "", "", false) // found finished, or nothing to charge here
		case a.Amount == 0:
			toFinish = append(toFinish, pending{i: i, c: charged{failure: ""}})
		default:
			toCharge = append(toCharge, i)
		}
	}
	results := make([]charged, len(toCharge))
	chargeErrs := make([]error, len(toCharge))
	var calls errgroup.Group
	calls.SetLimit(maxGatewayCalls)
	for k, i := range toCharge {
		calls.Go(func() error {
			results[k], chargeErrs[k] = s.chargeGateway(ctx, attempts[i])
			return nil
		})
	}
	_ = calls.Wait() // each call's error is its own
	for k, i := range toCharge {
		if chargeErrs[k] != nil {
			out[i].Err = chargeErrs[k]
			continue
		}
		toFinish = append(toFinish, pending{i: i, c: results[k]})
	}
	if len(toFinish) == 0 {
		return out
	}
	ended := make([]PayResult, len(toFinish))
	finishErrs := s.db.EachInTx(ctx, len(toFinish), func(tx *sql.Tx, k int) error {
		f := toFinish[k]
		a := attempts[f.i]
		var err error
		ended[k], err = s.finishTx(ctx, tx, a.ID, amountPayment(a, f.c), nil, f.c.failure, a.finishing)
		return err
	})
	for k, f := range toFinish {
		a, err := attempts[f.i], finishErrs[k]
		if err == nil {
			out[f.i].Result, err = s.finished(ctx, a.ID, ended[k], a.finishing)
		}
		out[f.i].Err = f.c.answer(out[f.i].Result, err)
	}
	return out
}

// amountPayment is the gateway payment an attempt finishes with: none when
// nothing was charged (all prepaid) or the gateway refused.
func amountPayment(a attempt, c charged) *payment.Payment {
	if a.Amount == 0 {
		return nil
	}
	return c.payment()
}

// startRenewals records the attempt of each charge, or finds it, in one
// transaction, each in its savepoint. An attempt with no ID is one
// canceled three times.
func (s *Service) startRenewals(ctx context.Context, ins []RenewalCharge) ([]attempt, []error) {
	attempts := make([]attempt, len(ins))
	start := func(todo []int) []error {
		return s.db.EachInTx(ctx, len(todo), func(tx *sql.Tx, k int) error {
			var err error
			attempts[todo[k]], err = s.startRenewalTx(ctx, tx, ins[todo[k]])
			return err
		})
	}
	all := make([]int, len(ins))
	for i := range all {
		all[i] = i
	}
	errs := start(all)
	// Another instance recorded the same attempt first: found by its key now.
	var raced []int
	for i, err := range errs {
		if store.IsUniqueViolation(err) {
			raced = append(raced, i)
		}
	}
	if len(raced) > 0 {
		for k, err := range start(raced) {
			errs[raced[k]] = err
		}
	}
	return attempts, errs
}

// startRenewalTx finds the attempt of in or records it, in tx, after
// checking that the product still waits for the renewal of DueDate. A
// canceled attempt is followed by one under a derived key (three at most;
// then the attempt answered has no ID). Another instance recording the
// same attempt meanwhile makes it fail with a unique violation: asked
// again, it finds that attempt.
func (s *Service) startRenewalTx(ctx context.Context, tx *sql.Tx, in RenewalCharge) (attempt, error) {
	base := "renewal\x00" + in.ProductID + "\x00" + in.DueDate + "\x00" + in.Attempt
	for gen := 1; gen <= 3; gen++ {
		key := base
		if gen > 1 {
			key = fmt.Sprintf("%s\x00%d", base, gen)
		}
		a, err := s.startRenewal(ctx, tx, in, key)
		if err != nil {
			return attempt{}, err
		}
		if a.Status == "canceled" {
			continue
		}
		a.finishing = finishOpts{brief: in.Brief, settled: in.Settled}
		return a, nil
	}
	return attempt{}, nil
}

// startRenewal finds the attempt of key or records it, in tx, after
// checking that the product still waits for the renewal of DueDate.
func (s *Service) startRenewal(ctx context.Context, tx *sql.Tx, in RenewalCharge, key string) (attempt, error) {
	a, err := s.loadAttempt(ctx, tx, "", derivedKey(in.OrgID, key, "pay"), false)
	if err == nil {
		return a, nil
	} else if !errors.Is(err, apperr.NotFound) {
		return attempt{}, err
	}
	var status string
	var due sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT status, due_date FROM products WHERE id = $1 AND organization_id = $2`+s.forUpdate(),
		in.ProductID, in.OrgID).Scan(&status, &due)
	if errors.Is(err, sql.ErrNoRows) {
		return attempt{}, ErrNotDue
	}
	if err != nil {
		return attempt{}, fmt.Errorf("billing: loading the product to renew: %w", err)
	}
	if (status != "active" && status != "blocked") || due.String != in.DueDate {
		return attempt{}, ErrNotDue
	}
	return s.startPay(ctx, tx, "", in.OrgID, key, PayInput{Items: []PayItem{{ProductID: in.ProductID, Period: in.Period}},
		PaymentMethodID: in.PaymentMethodID, renewal: true}, audit.Meta{})
}

// orgLanguage is the language of a payment the system makes for orgID: the
// first billing contact's, else the first legal representative's or
// administrator's, else English.
func orgLanguage(ctx context.Context, tx *sql.Tx, orgID string) (string, error) {
	return store.Remember(ctx, "billing.language\x00"+orgID, func() (string, error) {
		var lang string
		err := tx.QueryRowContext(ctx, `SELECT u.language FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.organization_id = $1 AND m.role <> 'external'
			ORDER BY CASE WHEN m.contact_preferences LIKE '%billing%' THEN 0 WHEN m.role = 'legal_representative' THEN 1 ELSE 2 END,
			m.created_at, u.id LIMIT 1`, orgID).Scan(&lang)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && lang == "") {
			return "en", nil
		}
		if err != nil {
			return "", fmt.Errorf("billing: reading the organization's language: %w", err)
		}
		return lang, nil
	})
}

// autoRenewWith switches auto-renewal on with the method that paid, for the
// products an invoice activated or renewed (REN-1): a card (saved on the
// payment page or charged as a saved method) or a Twint profile.
func (s *Service) autoRenewWith(ctx context.Context, tx *sql.Tx, a attempt, inv issued, savedID string) error {
	if a.Method != MethodCard && a.Method != MethodTwint {
		return nil
	}
	pmID := savedID
	if pmID == "" {
		pmID = a.PaymentMethodID
	}
	if pmID == "" {
		return nil
	}
	var switched []string
	for _, l := range inv.Lines {
		if l.ProductID == "" || contains(switched, l.ProductID) {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE products SET auto_renew = $1, payment_method_id = $2, updated_at = $3
			WHERE id = $4 AND organization_id = $5 AND status IN ('active','blocked')
			AND (auto_renew = $6 OR payment_method_id IS NULL OR payment_method_id <> $2)`,
			true, pmID, s.nowUTC(), l.ProductID, a.OrgID, false)
		if err != nil {
			return fmt.Errorf("billing: switching auto-renewal on: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		switched = append(switched, l.ProductID)
		// The same action as a switch by hand (renewal.SetAutoRenew), with why.
		if err := audit.Record(ctx, tx, audit.Event{ActorID: a.CreatedBy, OrganizationID: a.OrgID, Action: "product.auto_renew_on",
			CreatedAt: s.nowUTC(), Data: map[string]string{"product": l.ProductID, "payment_method": pmID, "invoice": inv.ID,
				"reason": "paid_with_" + a.Method}}); err != nil {
			return err
		}
	}
	return nil
}

// noticeRenewed is the receipt of an automatic renewal: what was renewed,
// until when, what was charged and the invoice.
func (s *Service) noticeRenewed(ctx context.Context, tx *sql.Tx, a attempt, inv issued) error {
	var name, due, label string
	for _, l := range inv.Lines {
		if l.ProductID == "" {
			continue
		}
		if err := tx.QueryRowContext(ctx, `SELECT name, COALESCE(due_date, '') FROM products WHERE id = $1`, l.ProductID).
			Scan(&name, &due); err != nil {
			return fmt.Errorf("billing: reading the renewed product: %w", err)
		}
		break
	}
	if a.PaymentMethodID != "" {
		label = MethodLabel(ctx, tx, a.PaymentMethodID)
	}
	dueDate, _ := calendar.Parse(due)
	return s.notice(ctx, tx, a.OrgID, "renewal_renewed", func(lang string) map[string]any {
		method := label
		if method == "" {
			method = i18n.T(lang, "billing.method."+a.Method)
		}
		return map[string]any{"ProductName": name, "DueDate": invoicepdf.FormatDate(dueDate, lang),
			"Amount": formatMoney(amt(a.Sel.due(), a.Currency), lang), "Method": method, "Number": inv.Number,
			"PDFPath": InvoicePDFPath(a.OrgID, inv.ID)}
	})
}

// MethodLabel is a saved method's label ("Visa •••• 4242"), "" when it has
// none (read once per batch of changes, store.Remember).
func MethodLabel(ctx context.Context, q store.Querier, pmID string) string {
	label, _ := store.Remember(ctx, "billing.method_label\x00"+pmID, func() (string, error) {
		var label string
		err := q.QueryRowContext(ctx, `SELECT label FROM payment_methods WHERE id = $1`, pmID).Scan(&label)
		return label, err
	})
	return label
}
