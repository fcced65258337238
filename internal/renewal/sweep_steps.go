package renewal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/invoicepdf"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/webhook"
)

// Outcomes of an attempt step (renewal_steps.outcome).
const (
	OutcomeSucceeded = "succeeded"
	OutcomeSkipped   = "skipped"
)

// remind sends a renewal notice (BIL-8) to the billing contacts; the one
// of an auto-renewing product says when its method will be charged.
func (s *Service) remind(ctx context.Context, tx *sql.Tx, cat catalog.Catalog, today calendar.Date, p dueProduct, st Step, steps []Step) error {
	dueDate, _ := calendar.Parse(p.Due)
	price, hasPrice := renewalPrice(cat, p, today)
	var charge calendar.Date
	for _, x := range steps {
		if x.Kind == StepAttempt && !x.Date.Before(today) {
			charge = x.Date
			break
		}
	}
	_, err := s.doStep(ctx, tx, p, st, "", "", []string{"active", "blocked"}, func() error {
		label, failed := "", false
		if !charge.IsZero() {
			label = billing.MethodLabel(ctx, tx, p.PaymentMethodID)
			var err error
			if failed, err = s.attemptsFailed(ctx, tx, p); err != nil {
				return err
			}
		}
		return s.tell(ctx, tx, p.OrgID, "renewal_reminder", func(lang string) map[string]any {
			d := map[string]any{"ProductName": p.Name, "DueDate": invoicepdf.FormatDate(dueDate, lang),
				"Amount": formatPrice(price, hasPrice, lang), "AutoRenew": !charge.IsZero(), "ChargeDate": "", "Method": label,
				"Failed": failed,
				// Advice to switch auto-renewal on only where it can be now
				// (REN-4; a product made by the operator has no period).
				"CanAutoRenew": p.Period != "" && CanSwitchOn(today, dueDate)}
			if !charge.IsZero() {
				d["ChargeDate"] = invoicepdf.FormatDate(charge, lang)
			}
			return d
		})
	})
	return err
}

// attemptsFailed reports whether an automatic charge of p's due date was
// declined: a notice after one says so (REN-5), not "nothing to do".
// Before the first attempt (the 14-day notice, every renewal's) there is
// nothing to read.
func (s *Service) attemptsFailed(ctx context.Context, tx *sql.Tx, p dueProduct) (bool, error) {
	if !p.Attempted {
		return false, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM renewal_steps WHERE product_id = $1 AND due_date = $2
		AND kind = $3 AND outcome NOT IN ($4, $5, '')`, p.ID, p.Due, StepAttempt, OutcomeSucceeded, OutcomeSkipped).Scan(&n); err != nil {
		return false, fmt.Errorf("renewal: reading the attempts made: %w", err)
	}
	return n > 0, nil
}

// charge makes the automatic charges of the chunk's plans (REN-3, REN-5)
// through billing.ChargeRenewals, whose keys (product, due date, attempt's
// day) make each charge once whatever happens. A renewal it settles
// records its step in the settlement's transaction (one commit less);
// attemptDone handles the rest.
func (s *Service) charge(ctx context.Context, plans []*plan) {
	var ins []billing.RenewalCharge
	var charged []*plan
	for _, pl := range plans {
		if pl.attempt == nil || pl.err != nil {
			continue
		}
		st, p := *pl.attempt, pl.p
		ins = append(ins, billing.RenewalCharge{OrgID: p.OrgID, ProductID: p.ID, DueDate: p.Due,
			PaymentMethodID: p.PaymentMethodID, Attempt: strconv.Itoa(st.Days), Brief: true,
			Settled: func(ctx context.Context, tx *sql.Tx, checkoutID string) error {
				_, err := s.recordStep(ctx, tx, p, st, OutcomeSucceeded, checkoutID)
				pl.recorded = err == nil
				return err
			}})
		charged = append(charged, pl)
	}
	if len(ins) == 0 {
		return
	}
	for i, o := range s.billing.ChargeRenewals(ctx, ins) {
		charged[i].result, charged[i].chargeErr = o.Result, o.Err
	}
}

// attemptDone records what the plan's charge came to, in tx. It sets stop
// when the product's other steps must wait: renewed (the due date moved),
// or a payment under way whose outcome a later sweep reads. A decline is
// recorded with a notice telling the next attempt.
func (s *Service) attemptDone(ctx context.Context, tx *sql.Tx, cat catalog.Catalog, today calendar.Date, pl *plan) error {
	p, st, steps := pl.p, *pl.attempt, pl.steps
	r, err := pl.result, pl.chargeErr
	code := ""
	pl.stop = true
	switch {
	case errors.Is(err, billing.ErrNotDue):
		return nil // renewed meanwhile, or no longer renewable: nothing more for this due date
	case r.Status == billing.StatusSucceeded:
		if pl.settledHere() {
			return nil
		}
		// settled before (by another sweep, before a crash): recorded now
		_, err := s.doStep(ctx, tx, p, st, OutcomeSucceeded, r.CheckoutID, nil, nil)
		return err
	case r.Status == billing.StatusFailed:
		code = r.FailureCode
		if code == "" {
			code = "card_declined"
		}
	case r.Status == billing.StatusCanceled && err == nil:
		code = "canceled"
	case err != nil:
		e := apperr.As(err)
		if e == nil || e.Code == "payment_in_progress" || e.Code == "payment_outcome_unknown" {
			return nilIfBusy(err) // a later sweep reads the outcome with the same key
		}
		code = e.Code // item_not_payable, object_not_found (method removed), …
	default:
		return nil // pending: a later sweep resolves it
	}
	pl.stop = false
	dueDate, _ := calendar.Parse(p.Due)
	var next, blockDate calendar.Date
	for _, x := range steps {
		if x.Kind == StepAttempt && x.Date.After(today) && next.IsZero() {
			next = x.Date
		}
		if x.Kind == StepBlock {
			blockDate = x.Date
		}
	}
	price, hasPrice := renewalPrice(cat, p, today)
	_, err = s.doStep(ctx, tx, p, st, code, r.CheckoutID, []string{"active", "blocked"}, func() error {
		if err := audit.Record(ctx, tx, audit.Event{OrganizationID: p.OrgID, Action: "renewal.attempt_failed",
			CreatedAt: s.clock.Now().UTC(), Data: map[string]string{"product": p.ID, "due_date": p.Due, "code": code,
				"days": strconv.Itoa(st.Days)}}); err != nil {
			return err
		}
		return s.tell(ctx, tx, p.OrgID, "renewal_charge_failed", func(lang string) map[string]any {
			d := map[string]any{"ProductName": p.Name, "DueDate": invoicepdf.FormatDate(dueDate, lang),
				"Amount": formatPrice(price, hasPrice, lang), "Reason": failureReason(lang, code),
				"NextAttempt": "", "BlockDate": invoicepdf.FormatDate(blockDate, lang)}
			if !next.IsZero() {
				d["NextAttempt"] = invoicepdf.FormatDate(next, lang)
			}
			return d
		})
	})
	return err
}

// nilIfBusy turns the refusals that only mean "later" into nil.
func nilIfBusy(err error) error {
	if e := apperr.As(err); e != nil && (e.Code == "payment_in_progress" || e.Code == "payment_outcome_unknown") {
		return nil
	}
	return err
}

// failureReason is the sentence explaining a failed attempt in lang: the
// decline's message for a decline, else one per refusal.
func failureReason(lang, code string) string {
	switch code {
	case "card_declined", "insufficient_funds", "expired_card":
		return i18n.T(lang, "error."+code)
	case "object_not_found", "item_not_payable", "canceled":
		return i18n.T(lang, "renewal.failed."+code)
	}
	return i18n.T(lang, "renewal.failed.other")
}

// block blocks a product unpaid after its grace period (BIL-7), with the
// product.blocked event and the e-mail, in one transaction.
func (s *Service) block(ctx context.Context, tx *sql.Tx, cat catalog.Catalog, today calendar.Date, p dueProduct, st Step, steps []Step) error {
	dueDate, _ := calendar.Parse(p.Due)
	var terminate calendar.Date
	for _, x := range steps {
		if x.Kind == StepTerminate {
			terminate = x.Date
		}
	}
	price, hasPrice := renewalPrice(cat, p, today)
	_, err := s.doStep(ctx, tx, p, st, "", "", []string{"active", "blocked"}, func() error {
		ok, err := s.transition(ctx, tx, p.OrgID, p.ID, []string{"active"}, "blocked", webhook.ProductBlocked,
			map[string]any{"due_date": p.Due, "reason": "unpaid"})
		if err != nil || !ok {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{OrganizationID: p.OrgID, Action: "product.blocked",
			CreatedAt: s.clock.Now().UTC(), Data: map[string]string{"product": p.ID, "due_date": p.Due, "reason": "unpaid"}}); err != nil {
			return err
		}
		return s.tell(ctx, tx, p.OrgID, "renewal_blocked", func(lang string) map[string]any {
			return map[string]any{"ProductName": p.Name, "DueDate": invoicepdf.FormatDate(dueDate, lang),
				"Amount": formatPrice(price, hasPrice, lang), "TerminateDate": invoicepdf.FormatDate(terminate, lang)}
		})
	})
	return err
}

// terminate ends a product unpaid until the end (BIL-7): terminated, the
// product.terminated event telling the provider's systems to delete its
// data and backups, the e-mail, in one transaction.
func (s *Service) terminate(ctx context.Context, tx *sql.Tx, p dueProduct, st Step) error {
	dueDate, _ := calendar.Parse(p.Due)
	_, err := s.doStep(ctx, tx, p, st, "", "", []string{"active", "blocked"}, func() error {
		ok, err := s.transition(ctx, tx, p.OrgID, p.ID, []string{"active", "blocked"}, "terminated", webhook.ProductTerminated,
			map[string]any{"due_date": p.Due, "reason": "unpaid", "delete_data": true})
		if err != nil || !ok {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE products SET auto_renew = $1 WHERE id = $2`, false, p.ID); err != nil {
			return fmt.Errorf("renewal: switching auto-renewal off: %w", err)
		}
		if err := MarkDataForDeletion(ctx, tx, p.OrgID, p.ID, "unpaid", s.clock.Now()); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{OrganizationID: p.OrgID, Action: "product.terminated",
			CreatedAt: s.clock.Now().UTC(), Data: map[string]string{"product": p.ID, "due_date": p.Due, "reason": "unpaid"}}); err != nil {
			return err
		}
		return s.tell(ctx, tx, p.OrgID, "renewal_terminated", func(lang string) map[string]any {
			return map[string]any{"ProductName": p.Name, "DueDate": invoicepdf.FormatDate(dueDate, lang)}
		})
	})
	return err
}

// announce tells the billing contacts a block or a termination is coming
// (BIL-7: each step announced beforehand).
func (s *Service) announce(ctx context.Context, tx *sql.Tx, cat catalog.Catalog, today calendar.Date, p dueProduct, st Step, steps []Step) error {
	dueDate, _ := calendar.Parse(p.Due)
	target, template, states := StepBlock, "renewal_block_notice", []string{"active"}
	if st.Kind == StepTerminateNotice {
		target, template, states = StepTerminate, "renewal_terminate_notice", []string{"active", "blocked"}
	}
	var when calendar.Date
	for _, x := range steps {
		if x.Kind == target {
			when = x.Date
		}
	}
	if !today.Before(when) {
		when = today.AddDays(s.schedule.NoticeDays) // sent late, after a downtime: the step waits (announcedFirst)
	}
	price, hasPrice := renewalPrice(cat, p, today)
	_, err := s.doStep(ctx, tx, p, st, "", "", states, func() error {
		return s.tell(ctx, tx, p.OrgID, template, func(lang string) map[string]any {
			return map[string]any{"ProductName": p.Name, "DueDate": invoicepdf.FormatDate(dueDate, lang),
				"Amount": formatPrice(price, hasPrice, lang), "BlockDate": invoicepdf.FormatDate(when, lang),
				"TerminateDate": invoicepdf.FormatDate(when, lang)}
		})
	})
	return err
}

// renewalPrice is what renewing p for its period costs today, VAT included.
func renewalPrice(cat catalog.Catalog, p dueProduct, today calendar.Date) (money.Amount, bool) {
	_, offer, err := cat.Offer(p.Type, p.Name, p.Plan)
	if err != nil || len(offer.Periods) == 0 {
		return money.Amount{}, false
	}
	currency := p.Currency
	if currency == "" && len(cat.Currencies) > 0 {
		currency = cat.Currencies[0]
	}
	period := p.Period
	if period == "" {
		period = offer.Periods[0].Period
	}
	_, net, err := offer.Price(period, currency)
	if err != nil {
		if _, net, err = offer.Price(offer.Periods[0].Period, currency); err != nil {
			return money.Amount{}, false
		}
	}
	return money.Amount{Minor: net.Minor + billing.LineVAT(net.Minor, cat.VATRate(today.String())), Currency: currency}, true
}

// formatPrice is "CHF 16.22" as a reader of lang expects, or a dash when
// the catalog has no price.
func formatPrice(a money.Amount, ok bool, lang string) string {
	if !ok {
		return "–"
	}
	return a.Currency + " " + invoicepdf.FormatAmount(a, lang)
}

// renewed runs in the transaction of a paid invoice that renewed or
// activated a product (billing.OnRenewed): the renewal notices of its new
// due date whose day is already past are not owed (BIL-8: the day after a
// monthly product renews at D−14, its 60-day notice would otherwise come
// 44 days before), and a termination the renewal overtakes is canceled
// (renewalKeeps).
func (s *Service) renewed(ctx context.Context, tx *sql.Tx, r billing.Renewed) error {
	due, err := calendar.Parse(r.DueDate)
	if err != nil {
		return fmt.Errorf("renewal: the new due date %q: %w", r.DueDate, err)
	}
	p := dueProduct{ID: r.ProductID, OrgID: r.OrgID, Due: r.DueDate}
	for _, d := range s.schedule.Reminders {
		if !due.AddDays(-d).Before(r.Today) {
			continue
		}
		if _, err := s.recordStep(ctx, tx, p, Step{Kind: StepReminder, Days: -d}, OutcomeSkipped, ""); err != nil {
			return err
		}
	}
	if r.PreviousDueDate == "" {
		return nil
	}
	return s.renewalKeeps(ctx, tx, r)
}
