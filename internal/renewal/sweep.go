package renewal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/store"
)

// DefaultBatch is how many products the sweep reads at a time.
const DefaultBatch = 500

// maxErrors bounds the errors one sweep collects before it stops: a broken
// database should not be walked to the end.
const maxErrors = 20

// due is a product the sweep looks at, as read in its batch.
type dueProduct struct {
	ID, OrgID       string
	Type, Name      string
	Plan, Period    string
	Currency        string
	Status          string
	Due             string // YYYY-MM-DD
	AutoRenew       bool
	PaymentMethodID string
	// Ending: the customer's termination at this due date is confirmed
	// (PRD-4): no renewal notice, charge or block notice is owed.
	Ending bool
	// Attempted: an automatic charge of this due date was made already
	// (planFor): a notice reads how it went only then.
	Attempted bool
}

// Sweep does what the schedule says is due as of now (DESIGN.md "sweep"),
// for every active or blocked product due within the schedule's horizon:
// reminders, automatic charges and their retries, notices before a block or
// a termination, blocks and terminations of what stays unpaid (REN-3,
// REN-5, BIL-7, BIL-8). Due dates are calendar days in the catalog's time
// zone.
//
// Products are read by keyset pagination in (due date, id) order, Batch at
// a time, and each product's steps run in their own transactions. Each step
// is done once per (product, due date, kind, days): a renewal_steps row is
// inserted in the transaction of its effect, and an automatic charge's
// idempotency key is derived from the product, the due date and the
// attempt's day (billing.ChargeRenewals), so that a second sweep, a sweep
// after a crash or another instance's sweep does nothing twice. After a
// downtime the sweep does the latest step of each kind that came due, not
// every one it missed.
//
// It returns the errors of the products it could not handle (at most 20;
// then it stops); the others are done. Register it as a jobs.Sweep.
func (s *Service) Sweep(ctx context.Context, now time.Time) error {
	v, err := s.catalog.Current(ctx)
	if errors.Is(err, catalog.ErrEmpty) {
		return nil // no catalog, no products to renew
	}
	if err != nil {
		return err
	}
	cat := v.Catalog
	zone := cat.Location()
	today := calendar.Today(now, zone)
	horizon := today.AddDays(s.schedule.horizon())
	size := s.batch
	if size <= 0 {
		size = DefaultBatch
	}
	var errs []error
	afterDue, afterID := "", ""
	for {
		batch, err := s.dueBatch(ctx, horizon.String(), afterDue, afterID, size)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		if len(batch) == 0 {
			break
		}
		done, err := s.stepsDone(ctx, batch, zone)
		if err == nil {
			err = s.markEnding(ctx, batch)
		}
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		errs = append(errs, s.sweepBatch(ctx, cat, today, batch, done)...)
		if len(errs) >= maxErrors || ctx.Err() != nil {
			return errors.Join(errs...)
		}
		last := batch[len(batch)-1]
		afterDue, afterID = last.Due, last.ID
		if len(batch) < size {
			break
		}
	}
	return errors.Join(errs...)
}

// sweepBatch does the batch's products in chunks (chunkSize), one chunk at
// a time on SQLite (one writer), several at once on PostgreSQL; a
// product's steps stay in order in its chunk.
func (s *Service) sweepBatch(ctx context.Context, cat catalog.Catalog, today calendar.Date, batch []dueProduct, done map[string]calendar.Date) []error {
	workers, size := 1, chunkSize
	if s.db.Engine == store.Postgres {
		workers, size = PostgresWorkers, postgresChunkSize
	}
	var mu sync.Mutex
	var errs []error
	var chunks errgroup.Group
	chunks.SetLimit(workers)
	for start := 0; start < len(batch); start += size {
		mu.Lock()
		stop := len(errs) >= maxErrors
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		chunk := batch[start:min(start+size, len(batch))]
		chunks.Go(func() error {
			chunkErrs := s.sweepChunk(ctx, cat, today, chunk, done)
			mu.Lock()
			errs = append(errs, chunkErrs...)
			mu.Unlock()
			return nil
		})
	}
	_ = chunks.Wait() // each chunk's errors are in errs
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// PostgresWorkers is how many chunks a sweep handles at once on
// PostgreSQL (SQLite has one writer: one at a time).
const PostgresWorkers = 8

// chunkSize is how many products share the sweep's transactions on
// SQLite, where a commit is most of a small transaction's cost (one
// writer). On PostgreSQL commits go side by side: a chunk is one product,
// PostgresWorkers at once, so that a product's row locks and the invoice
// numbering (BIL-2, locked from the number to the commit) are held
// briefly; larger chunks made two instances sweeping together twice as
// slow (TestREN3_TwoInstancesRenewEachProductOnce).
const (
	chunkSize         = 100
	postgresChunkSize = 1
)

// horizon is how many days ahead of a due date the schedule's first step
// is: the sweep reads the products due up to today plus that.
func (sc Schedule) horizon() int {
	n := 0
	for _, d := range append(append([]int{}, sc.Reminders...), sc.Attempts...) {
		n = max(n, d)
	}
	return n
}

// dueBatch reads the next products due on or before horizon, after the
// keyset (afterDue, afterID).
func (s *Service) dueBatch(ctx context.Context, horizon, afterDue, afterID string, size int) ([]dueProduct, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT CAST(id AS text), CAST(organization_id AS text), type, name, plan, period,
		currency, status, due_date, auto_renew, COALESCE(CAST(payment_method_id AS text), '')
		FROM products WHERE status IN ('active','blocked') AND due_date IS NOT NULL AND due_date <> '' AND due_date <= $1
		AND (due_date > $2 OR (due_date = $2 AND CAST(id AS text) > $3))
		ORDER BY due_date, id LIMIT $4`, horizon, afterDue, afterID, size)
	if err != nil {
		return nil, fmt.Errorf("renewal: listing products due: %w", err)
	}
	defer rows.Close()
	var out []dueProduct
	for rows.Next() {
		var p dueProduct
		if err := rows.Scan(&p.ID, &p.OrgID, &p.Type, &p.Name, &p.Plan, &p.Period, &p.Currency, &p.Status, &p.Due,
			&p.AutoRenew, &p.PaymentMethodID); err != nil {
			return nil, fmt.Errorf("renewal: reading a product due: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// markEnding sets Ending on the batch's products whose termination at
// their due date is confirmed (PRD-4).
func (s *Service) markEnding(ctx context.Context, batch []dueProduct) error {
	at := map[string]int{}
	for i, p := range batch {
		at[p.ID] = i
	}
	marks, args := batchIDs(batch)
	rows, err := s.db.QueryContext(ctx, `SELECT CAST(product_id AS text), effective_date FROM termination_requests
		WHERE status = 'scheduled' AND product_id IN (`+marks+`)`, args...)
	if err != nil {
		return fmt.Errorf("renewal: reading the terminations scheduled: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid, day string
		if err := rows.Scan(&pid, &day); err != nil {
			return fmt.Errorf("renewal: reading a termination scheduled: %w", err)
		}
		if i, ok := at[pid]; ok && day != "" && day <= batch[i].Due {
			batch[i].Ending = true
		}
	}
	return rows.Err()
}

// batchIDs is the placeholders ("$1, $2, …") and arguments of the batch's
// product ids, for an IN list.
func batchIDs(batch []dueProduct) (string, []any) {
	args := make([]any, len(batch))
	marks := make([]string, len(batch))
	for i, p := range batch {
		args[i] = p.ID
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	return strings.Join(marks, ", "), args
}

// stepKey names a step of a product's due date.
func stepKey(productID, due, kind string, days int) string {
	return fmt.Sprintf("%s|%s|%s|%d", productID, due, kind, days)
}

// stepsDone reads the steps already done for the batch's due dates, and
// the day (in zone) each was done.
func (s *Service) stepsDone(ctx context.Context, batch []dueProduct, zone *time.Location) (map[string]calendar.Date, error) {
	dueOf := map[string]string{}
	for _, p := range batch {
		dueOf[p.ID] = p.Due
	}
	marks, args := batchIDs(batch)
	rows, err := s.db.QueryContext(ctx, `SELECT CAST(product_id AS text), due_date, kind, days, created_at FROM renewal_steps
		WHERE product_id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("renewal: reading the steps done: %w", err)
	}
	defer rows.Close()
	done := map[string]calendar.Date{}
	for rows.Next() {
		var pid, d, kind string
		var days int
		var at time.Time
		if err := rows.Scan(&pid, &d, &kind, &days, &at); err != nil {
			return nil, fmt.Errorf("renewal: reading a step done: %w", err)
		}
		if dueOf[pid] == d {
			done[stepKey(pid, d, kind, days)] = calendar.Today(at, zone)
		}
	}
	return done, rows.Err()
}

// dueNow picks, among a due date's steps, those to do today: the latest
// reminder that came (before the due date), the latest attempt that came,
// the latest of block and terminate that came, and a notice whose block or
// termination has not come yet. Steps missed during a downtime are not
// done late, but for the latest of each: a sweep back after the due date
// still makes the last automatic charge it missed, before the block or
// the termination (which a renewal then stops: plan.stop).
func dueNow(steps []Step, today, dueDate calendar.Date) []Step {
	var reminder, attempt, state *Step
	var notices []Step
	var blockDate, terminateDate calendar.Date
	for _, st := range steps {
		switch st.Kind {
		case StepBlock:
			blockDate = st.Date
		case StepTerminate:
			terminateDate = st.Date
		}
	}
	for i := range steps {
		st := steps[i]
		if st.Date.After(today) {
			continue
		}
		switch st.Kind {
		case StepReminder:
			if today.Before(dueDate) {
				reminder = &steps[i]
			}
		case StepAttempt:
			attempt = &steps[i]
		case StepBlock, StepTerminate:
			state = &steps[i]
		case StepBlockNotice:
			if today.Before(blockDate) {
				notices = append(notices, st)
			}
		case StepTerminateNotice:
			if terminateDate.IsZero() || today.Before(terminateDate) {
				notices = append(notices, st)
			}
		}
	}
	var out []Step
	for _, p := range []*Step{reminder, attempt} {
		if p != nil {
			out = append(out, *p)
		}
	}
	if state != nil {
		out = append(out, *state)
	}
	return append(out, notices...)
}

// plan is what the sweep does today for one product of a chunk: the steps
// due before its automatic charge, the charge, and the steps after it.
type plan struct {
	p       dueProduct
	steps   []Step // the due date's whole schedule
	before  []Step
	attempt *Step
	after   []Step
	err     error
	stop    bool // renewed or under way: the steps after wait
	// what the charge came to (charge), recorded by attemptDone
	result    billing.PayResult
	chargeErr error
	recorded  bool // the charge's step recorded in its settlement
}

// settledHere reports whether the plan's charge renewed the product and
// recorded its step in the same commit: nothing is left to record.
func (pl *plan) settledHere() bool { return pl.recorded && pl.chargeErr == nil }

// sweepChunk does the steps due today of a chunk of products, sharing its
// transactions (DESIGN.md "sweep"; bench/README.md): first the steps due
// before the automatic charges (reminders), each product's in its own
// savepoint of one transaction; then the charges, through
// billing.ChargeRenewals (each renewal whole and independent, the
// settlement recording its step); then the failed attempts' notices and
// the steps after the charges (blocks, terminations, their notices), again
// one savepoint per product in one transaction. A product whose step
// fails is undone alone and reported; the others go on.
func (s *Service) sweepChunk(ctx context.Context, cat catalog.Catalog, today calendar.Date, chunk []dueProduct, done map[string]calendar.Date) []error {
	// The chunk reads each organization's contacts, name and the like once.
	ctx = store.WithMemo(ctx)
	plans := make([]*plan, 0, len(chunk))
	for _, p := range chunk {
		plans = append(plans, s.planFor(ctx, cat, today, p, done))
	}
	s.inChunkTx(ctx, plans, func(pl *plan) bool { return len(pl.before) > 0 }, func(tx *sql.Tx, pl *plan) error {
		for _, st := range pl.before {
			if err := s.runStep(ctx, tx, cat, today, pl, st); err != nil {
				return err
			}
		}
		return nil
	})
	s.charge(ctx, plans)
	s.inChunkTx(ctx, plans, func(pl *plan) bool {
		return len(pl.after) > 0 || (pl.attempt != nil && !pl.settledHere())
	}, func(tx *sql.Tx, pl *plan) error {
		if pl.attempt != nil {
			if err := s.attemptDone(ctx, tx, cat, today, pl); err != nil || pl.stop {
				return err
			}
		}
		for _, st := range pl.after {
			if err := s.runStep(ctx, tx, cat, today, pl, st); err != nil {
				return err
			}
		}
		return nil
	})
	var errs []error
	for _, pl := range plans {
		if pl.err != nil {
			errs = append(errs, fmt.Errorf("renewal: product %s: %w", pl.p.ID, pl.err))
		}
	}
	return errs
}

// planFor reads what is due today for p: its schedule and the steps not
// done yet, split around the automatic charge.
func (s *Service) planFor(ctx context.Context, cat catalog.Catalog, today calendar.Date, p dueProduct, done map[string]calendar.Date) *plan {
	pl := &plan{p: p}
	dueDate, err := calendar.Parse(p.Due)
	if err != nil {
		pl.err = fmt.Errorf("renewal: the due date %q: %w", p.Due, err)
		return pl
	}
	l := Lifecycle{Due: dueDate, BlockAfterDays: catalog.DefaultBlockAfterDays, TerminateAfterDays: catalog.DefaultTerminateAfterDays}
	if t, ok := cat.Type(p.Type); ok {
		l.BlockAfterDays, l.TerminateAfterDays = t.BlockAfterDays, t.TerminateAfterDays
	}
	if p.AutoRenew && p.PaymentMethodID == "" {
		if pl.p.PaymentMethodID, pl.err = s.defaultMethod(ctx, p.OrgID); pl.err != nil {
			return pl
		}
	}
	l.AutoRenew = p.AutoRenew && pl.p.PaymentMethodID != ""
	pl.steps = s.schedule.Steps(l)
	for _, st := range pl.steps {
		if _, was := done[stepKey(p.ID, p.Due, st.Kind, st.Days)]; was && st.Kind == StepAttempt {
			pl.p.Attempted = true
		}
	}
	for _, st := range dueNow(pl.steps, today, dueDate) {
		if _, was := done[stepKey(p.ID, p.Due, st.Kind, st.Days)]; !was && (st.Kind == StepBlock || st.Kind == StepTerminate) {
			var wait bool
			if st, wait = s.announcedFirst(pl.steps, st, today, done, p); wait {
				continue
			}
		}
		_, isDone := done[stepKey(p.ID, p.Due, st.Kind, st.Days)]
		switch {
		case isDone:
		case p.Ending && st.Kind != StepTerminate:
			// Terminated on its due date by ApplyScheduledTerminations
			// (another sweep, maybe not run yet): no renewal notice, no
			// charge, no block or notice of one.
		case st.Kind == StepAttempt:
			pl.attempt = &st
		case pl.attempt == nil:
			pl.before = append(pl.before, st)
		default:
			pl.after = append(pl.after, st)
		}
	}
	return pl
}

// announcedFirst keeps BIL-7's promise that a block or a termination is
// announced beforehand, even after a downtime that skipped its notice:
// a state step st due today whose notice was not sent gives way to that
// notice, and waits (wait). A notice sent before the step's day keeps
// that day; one sent on or after it (late) announced the step NoticeDays
// from its sending, and the step waits until then.
func (s *Service) announcedFirst(steps []Step, st Step, today calendar.Date, done map[string]calendar.Date, p dueProduct) (Step, bool) {
	notice := StepBlockNotice
	if st.Kind == StepTerminate {
		notice = StepTerminateNotice
	}
	for _, n := range steps {
		if n.Kind != notice {
			continue
		}
		sent, ok := done[stepKey(p.ID, p.Due, n.Kind, n.Days)]
		if !ok {
			return n, false
		}
		return st, !sent.Before(st.Date) && today.Before(sent.AddDays(s.schedule.NoticeDays))
	}
	return st, false // the schedule announces nothing
}

// inChunkTx runs fn for each plan still going (no error) that needs it in
// one transaction, each in its savepoint: a plan whose fn fails is undone
// alone and keeps its error. A failure of the transaction itself is the
// error of every plan it was for.
func (s *Service) inChunkTx(ctx context.Context, plans []*plan, needs func(pl *plan) bool, fn func(tx *sql.Tx, pl *plan) error) {
	var todo []*plan
	for _, pl := range plans {
		if pl.err == nil && needs(pl) {
			todo = append(todo, pl)
		}
	}
	if len(todo) == 0 {
		return
	}
	errs := s.db.EachInTx(ctx, len(todo), func(tx *sql.Tx, i int) error { return fn(tx, todo[i]) })
	for i, pl := range todo {
		pl.err = errs[i]
	}
}

// runStep does one of a plan's steps but its charge (charge, attemptDone).
func (s *Service) runStep(ctx context.Context, tx *sql.Tx, cat catalog.Catalog, today calendar.Date, pl *plan, st Step) error {
	switch st.Kind {
	case StepReminder:
		return s.remind(ctx, tx, cat, today, pl.p, st, pl.steps)
	case StepBlock:
		return s.block(ctx, tx, cat, today, pl.p, st, pl.steps)
	case StepTerminate:
		return s.terminate(ctx, tx, pl.p, st)
	case StepBlockNotice, StepTerminateNotice:
		return s.announce(ctx, tx, cat, today, pl.p, st, pl.steps)
	}
	return nil
}

// defaultMethod is the organization's default saved method, for a product
// renewing automatically without one of its own.
func (s *Service) defaultMethod(ctx context.Context, orgID string) (string, error) {
	return store.Remember(ctx, "renewal.default_method\x00"+orgID, func() (string, error) {
		var pm string
		err := s.db.QueryRowContext(ctx, `SELECT CAST(id AS text) FROM payment_methods WHERE organization_id = $1
			AND removed_at IS NULL ORDER BY is_default DESC, created_at, id LIMIT 1`, orgID).Scan(&pm)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("renewal: finding the default payment method: %w", err)
		}
		return pm, nil
	})
}

// doStep runs one step of a product in tx (in the product's savepoint,
// inChunkTx): it locks the product, checks it is still at due date p.Due
// in one of the states given (states nil: no check, for a step recorded
// after its effect), records the step (product, due date, kind, days) and
// calls fn. It does nothing, and reports false, when the product moved on
// or the step was done (by another sweep or instance): the step's row is
// what makes it happen once.
func (s *Service) doStep(ctx context.Context, tx *sql.Tx, p dueProduct, st Step, outcome, checkoutID string, states []string,
	fn func() error) (bool, error) {
	var status string
	var dueDate sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT status, due_date FROM products WHERE id = $1`+s.lockClause(), p.ID).Scan(&status, &dueDate)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("renewal: locking the product: %w", err)
	}
	if states != nil && (dueDate.String != p.Due || !inList(states, status)) {
		return false, nil
	}
	inserted, err := s.recordStep(ctx, tx, p, st, outcome, checkoutID)
	if err != nil || !inserted {
		return false, err
	}
	if fn == nil {
		return true, nil
	}
	return true, fn()
}

// recordStep inserts the row of a step done, in tx; false when it was
// there already.
func (s *Service) recordStep(ctx context.Context, tx *sql.Tx, p dueProduct, st Step, outcome, checkoutID string) (bool, error) {
	var cid any
	if checkoutID != "" {
		cid = checkoutID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO renewal_steps (product_id, due_date, kind, days, organization_id, outcome,
		checkout_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		p.ID, p.Due, st.Kind, st.Days, p.OrgID, outcome, cid, s.clock.Now().UTC())
	if err != nil {
		return false, fmt.Errorf("renewal: recording the %s step: %w", st.Kind, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// forUpdate is the row lock clause: PostgreSQL locks rows; SQLite
// transactions are serialized already.
func (s *Service) lockClause() string {
	if s.db.Engine == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func inList(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
