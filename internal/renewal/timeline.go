package renewal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
)

// Kinds of the timeline besides the schedule's steps.
const (
	// StepDue is the due date itself.
	StepDue = "due"
	// StepCustomerTermination is a termination the customer confirmed for
	// the due date (PRD-4).
	StepCustomerTermination = "customer_termination"
	// StepConfirmationExpires is the end of a termination link not opened yet.
	StepConfirmationExpires = "confirmation_expires"
)

// Kinds of past events that do not come from the audit or webhook records
// as they are (those keep their action or event type: "product.blocked",
// "product.auto_renew_on", …).
const (
	EventCreated     = "created"      // ordered, or made by the operator
	EventActivated   = "activated"    // its order was paid (PRD-3)
	EventInvoicePaid = "invoice_paid" // an invoice covering it was paid (order or renewal)
	// Notices the sweep sent (renewal_steps): Data "days" from the due
	// date and "due_date".
	EventRenewalNotice   = "renewal_notice"   // BIL-8
	EventBlockNotice     = "block_notice"     // BIL-7
	EventTerminateNotice = "terminate_notice" // BIL-7
)

// TimelineEvent is something that happened to a product.
type TimelineEvent struct {
	Kind string // EventCreated…, an audit action or a webhook event type
	At   time.Time
	// Data: "number", "amount" and "until" for an invoice; "due_date",
	// "reason", "payment_method"… as recorded.
	Data map[string]string
}

// Timeline is a product's past and what comes next, with dates (the
// product page, GET …/products/{product}/timeline).
type Timeline struct {
	ProductID string
	Status    string
	DueDate   string
	AutoRenew bool
	Today     calendar.Date
	// Past is oldest first.
	Past []TimelineEvent
	// Next are the steps from today on, in date order: the schedule's
	// (reminders, automatic charges when auto-renewal is on, notices, block,
	// termination if unpaid) around the due date (StepDue); only the
	// customer's termination when one is confirmed for the due date.
	Next []Step
	// Termination is the request waiting for its link, or scheduled; nil
	// when there is none.
	Termination *Termination
}

// Timeline returns productID's timeline for a user who reaches it (ORG-8;
// any other product is object_not_found). Without the billing right, the
// past leaves out invoices and payments and their amounts and methods.
func (s *Service) Timeline(ctx context.Context, userID, orgID, productID string) (Timeline, error) {
	if _, err := product.New(s.db, s.clock).Get(ctx, userID, orgID, productID); err != nil {
		return Timeline{}, err
	}
	actor, err := org.ActorOf(ctx, s.db, userID, orgID)
	if err != nil {
		return Timeline{}, err
	}
	seesBilling := authz.Allow(actor, authz.ViewBilling) == nil
	p, err := lcLoad(ctx, s.db, orgID, productID)
	if err != nil {
		return Timeline{}, err
	}
	cat, today, err := s.lcCatalog(ctx, nil)
	if err != nil {
		return Timeline{}, err
	}
	tl := Timeline{ProductID: p.ID, Status: p.Status, DueDate: p.Due, AutoRenew: p.AutoRenew, Today: today}
	done, err := s.stepsOf(ctx, p)
	if err != nil {
		return Timeline{}, err
	}
	if tl.Past, err = s.pastEvents(ctx, p, done); err != nil {
		return Timeline{}, err
	}
	if !seesBilling {
		tl.Past = withoutBilling(tl.Past)
	}
	if p.Status != "active" && p.Status != "blocked" {
		return tl, nil
	}
	if t, err := s.pendingTermination(ctx, s.db, orgID, productID); err == nil {
		tl.Termination = &t
	} else if !errors.Is(err, apperr.NotFound) {
		return Timeline{}, err
	}
	if t := tl.Termination; t != nil && t.Status == "scheduled" {
		if d, err := calendar.Parse(t.EffectiveDate); err == nil {
			tl.Next = []Step{{Kind: StepCustomerTermination, Date: d, Days: 0}}
		}
		return tl, nil
	}
	if due, err := calendar.Parse(p.Due); err == nil {
		l := Lifecycle{Due: due, AutoRenew: p.AutoRenew}
		if typ, ok := cat.Type(p.Type); ok {
			l.BlockAfterDays, l.TerminateAfterDays = typ.BlockAfterDays, typ.TerminateAfterDays
		}
		steps := s.schedule.Steps(l)
		steps = append(steps, Step{Kind: StepDue, Date: due, Days: 0})
		order := map[string]int{StepReminder: 0, StepAttempt: 1, StepDue: 2}
		slices.SortStableFunc(steps, func(a, b Step) int {
			if c := a.Date.Compare(b.Date); c != 0 {
				return c
			}
			oa, ok := order[a.Kind]
			if !ok {
				oa = 3
			}
			ob, ok := order[b.Kind]
			if !ok {
				ob = 3
			}
			return oa - ob
		})
		doneNow := map[string]bool{} // the current due date's steps done
		for _, d := range done {
			if d.Due == p.Due {
				doneNow[stepKey(p.ID, d.Due, d.Kind, d.Days)] = true
			}
		}
		for _, st := range steps {
			if st.Kind == StepBlock && p.Status == "blocked" {
				continue
			}
			if !st.Date.Before(today) && !doneNow[stepKey(p.ID, p.Due, st.Kind, st.Days)] {
				tl.Next = append(tl.Next, st)
			}
		}
	}
	if t := tl.Termination; t != nil && t.Status == "pending" {
		d := calendar.Today(t.ExpiresAt, cat.Location())
		st := Step{Kind: StepConfirmationExpires, Date: d}
		if due, err := calendar.Parse(p.Due); err == nil {
			st.Days = due.DaysUntil(d) // relative to the due date, as every step
		}
		tl.Next = append(tl.Next, st)
		slices.SortStableFunc(tl.Next, func(a, b Step) int { return a.Date.Compare(b.Date) })
	}
	return tl, nil
}

// stepDone is a row of renewal_steps: a step the sweep did (or skipped)
// for one of the product's due dates.
type stepDone struct {
	Kind, Due, Outcome string
	Days               int
	At                 time.Time
}

// stepsOf reads the steps done for p, every due date, oldest first: the
// timeline's past (the notices sent) and what is no longer next.
func (s *Service) stepsOf(ctx context.Context, p lcProduct) ([]stepDone, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, days, due_date, outcome, created_at FROM renewal_steps
		WHERE product_id = $1 ORDER BY created_at`, p.ID)
	if err != nil {
		return nil, fmt.Errorf("renewal: reading the steps done: %w", err)
	}
	defer rows.Close()
	var out []stepDone
	for rows.Next() {
		var st stepDone
		if err := rows.Scan(&st.Kind, &st.Days, &st.Due, &st.Outcome, &st.At); err != nil {
			return nil, fmt.Errorf("renewal: reading a step done: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// pastEvents gathers what happened to p: its creation and activation, the
// invoices that paid it, the events published about it (PRD-5) and the
// changes audited about it, oldest first.
func (s *Service) pastEvents(ctx context.Context, p lcProduct, done []stepDone) ([]TimelineEvent, error) {
	out := []TimelineEvent{{Kind: EventCreated, At: p.CreatedAt}}
	if p.ActivatedAt.Valid {
		out = append(out, TimelineEvent{Kind: EventActivated, At: p.ActivatedAt.Time.UTC()})
	}
	rows, err := s.db.QueryContext(ctx, `SELECT i.number, i.total_minor, i.currency, i.paid_at, i.issued_at, l.period_end
		FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
		WHERE l.product_id = $1 AND i.organization_id = $2 AND i.kind = 'invoice' AND i.status = 'paid'
		ORDER BY i.issued_at, i.number`, p.ID, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("renewal: reading the product's invoices: %w", err)
	}
	for rows.Next() {
		var number, currency, until string
		var total int64
		var paid sql.NullTime
		var at time.Time
		if err := rows.Scan(&number, &total, &currency, &paid, &at, &until); err != nil {
			rows.Close()
			return nil, fmt.Errorf("renewal: reading an invoice: %w", err)
		}
		if paid.Valid {
			at = paid.Time
		}
		out = append(out, TimelineEvent{Kind: EventInvoicePaid, At: at.UTC(), Data: map[string]string{"number": number,
			"amount": money.Amount{Minor: total, Currency: currency}.String(), "currency": currency, "until": until}})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	like := "%" + p.ID + "%"
	// Events published for the provider's systems (PRD-5); the activation
	// and the invoices are read above.
	rows, err = s.db.QueryContext(ctx, `SELECT type, payload, created_at FROM webhook_events
		WHERE organization_id = $1 AND type NOT IN ('product.activated', 'invoice.paid', 'invoice.issued')
		AND payload LIKE $2 ORDER BY created_at, id`, p.OrgID, like)
	if err != nil {
		return nil, fmt.Errorf("renewal: reading the product's events: %w", err)
	}
	for rows.Next() {
		var typ, payload string
		var at time.Time
		if err := rows.Scan(&typ, &payload, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("renewal: reading an event: %w", err)
		}
		var body struct {
			Data map[string]any `json:"data"`
		}
		dec := json.NewDecoder(strings.NewReader(payload))
		dec.UseNumber() // numbers stay decimal text, never floats
		_ = dec.Decode(&body)
		if pid, _ := body.Data["product_id"].(string); pid != "" && pid != p.ID {
			continue
		}
		out = append(out, TimelineEvent{Kind: typ, At: at.UTC(), Data: lcFlatten(body.Data)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The notices the sweep sent (a notice skipped is not one sent).
	notices := map[string]string{StepReminder: EventRenewalNotice, StepBlockNotice: EventBlockNotice, StepTerminateNotice: EventTerminateNotice}
	for _, d := range done {
		if ev, ok := notices[d.Kind]; ok && d.Outcome == "" {
			out = append(out, TimelineEvent{Kind: ev, At: d.At.UTC(), Data: map[string]string{"days": strconv.Itoa(d.Days), "due_date": d.Due}})
		}
	}
	// Changes audited about the product (auto-renewal switched, termination
	// asked and scheduled); state changes are the events above.
	rows, err = s.db.QueryContext(ctx, `SELECT action, data, created_at FROM audit_events
		WHERE organization_id = $1 AND action LIKE 'product.%'
		AND action NOT IN ('product.terminated', 'product.blocked', 'product.unblocked', 'product.renewed', 'product.activated',
			'product.termination_canceled')
		AND data LIKE $2
		ORDER BY created_at, id`, p.OrgID, like)
	if err != nil {
		return nil, fmt.Errorf("renewal: reading the product's activity: %w", err)
	}
	for rows.Next() {
		var action, data string
		var at time.Time
		if err := rows.Scan(&action, &data, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("renewal: reading an activity: %w", err)
		}
		var d map[string]string
		_ = json.Unmarshal([]byte(data), &d)
		out = append(out, TimelineEvent{Kind: action, At: at.UTC(), Data: d})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b TimelineEvent) int { return a.At.Compare(b.At) })
	return out, nil
}

// lcFlatten keeps the scalar values of an event's data, as strings.
func lcFlatten(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		case json.Number:
			out[k] = x.String()
		}
	}
	return out
}

// withoutBilling is the past for a user without the billing right (ORG-8):
// no invoice or payment events, no amounts, no payment method.
func withoutBilling(past []TimelineEvent) []TimelineEvent {
	out := past[:0:0]
	for _, e := range past {
		if e.Kind == EventInvoicePaid || strings.HasPrefix(e.Kind, "payment.") || strings.HasPrefix(e.Kind, "invoice.") {
			continue
		}
		data := map[string]string{}
		for k, v := range e.Data {
			switch k {
			case "amount", "currency", "payment_method", "payment_method_id", "number", "invoice", "invoice_id", "reason":
			default:
				data[k] = v
			}
		}
		e.Data = data
		out = append(out, e)
	}
	return out
}
