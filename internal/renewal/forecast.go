package renewal

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
)

// Kinds of forecast items.
const (
	ForecastCharge      = "charge"      // an automatic renewal charge (REN-3), expected to succeed
	ForecastDue         = "due"         // a due date without auto-renewal: the customer renews by hand
	ForecastBlock       = "block"       // BIL-7: blocked if still unpaid then
	ForecastTermination = "termination" // BIL-7 if still unpaid then, or the customer's termination (PRD-4)
)

// ForecastItem is one thing the window will bring for a product.
type ForecastItem struct {
	Date             calendar.Date
	Kind             string
	OrganizationID   string
	OrganizationName string
	ProductID        string
	ProductName      string
	Type             string
	Period           string
	// Net, VAT and Total (VAT included, at the rate of Date) of a charge or
	// a manual renewal, at the catalog's current price for the product's
	// period; zero for blocks and terminations, and when Priced is false
	// (the catalog no longer sells the product's offer or period).
	Net, VAT, Total money.Amount
	Priced          bool
	// Customer marks a termination the customer asked for (PRD-4).
	Customer bool
}

// ForecastTotal is the expected revenue of the window in one currency, VAT
// included: Charges from automatic renewals, Due from renewals the
// customers make by hand (if they do).
type ForecastTotal struct {
	Currency    string
	Charges     money.Amount
	ChargeCount int
	Due         money.Amount
	DueCount    int
}

// Forecast is what the days from From to To (both included) will bring.
type Forecast struct {
	From, To     calendar.Date
	Items        []ForecastItem
	Totals       []ForecastTotal // by currency
	Blocks       int
	Terminations int
}

// MaxForecastDays bounds the window of a forecast.
const MaxForecastDays = 366

// Forecast lists, for the operator, every automatic renewal charge, manual
// due date, block and termination from day from for days days, with the
// expected revenue per currency (VAT included; a product renewing several
// times in the window, monthly, is charged each time). It reads only:
// nothing is changed, charged or sent. Blocks and terminations are listed
// for products without auto-renewal (they happen if the customer does not
// pay) and for the customers' confirmed terminations; products are read in
// batches.
func (s *Service) Forecast(ctx context.Context, from calendar.Date, days int) (Forecast, error) {
	if days < 1 || days > MaxForecastDays {
		return Forecast{}, apperr.Validation.With(fmt.Sprintf("The window is 1 to %d days.", MaxForecastDays)).Field("days")
	}
	f := Forecast{From: from, To: from.AddDays(days - 1)}
	cat, _, err := s.lcCatalog(ctx, nil)
	if err != nil {
		return Forecast{}, err
	}
	scheduled, err := s.scheduledTerminations(ctx)
	if err != nil {
		return Forecast{}, err
	}
	maxAttempt := FirstAttemptDays
	for _, a := range s.schedule.Attempts {
		maxAttempt = max(maxAttempt, a)
	}
	horizon := f.To.AddDays(maxAttempt).String()
	ctx = store.WithMemo(ctx) // each organization's name read once
	after := ""
	for {
		rows, err := s.db.QueryContext(ctx, `SELECT `+lcColumns+` FROM products WHERE status IN ('active', 'blocked')
			AND due_date IS NOT NULL AND due_date <> '' AND due_date <= $1 AND CAST(id AS text) > $2
			ORDER BY CAST(id AS text) LIMIT 500`, horizon, after)
		if err != nil {
			return Forecast{}, fmt.Errorf("renewal: reading products for the forecast: %w", err)
		}
		var batch []lcProduct
		for rows.Next() {
			var p lcProduct
			if err := scanLC(rows, &p); err != nil {
				rows.Close()
				return Forecast{}, fmt.Errorf("renewal: reading a product: %w", err)
			}
			batch = append(batch, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Forecast{}, err
		}
		for _, p := range batch {
			name, err := org.Name(ctx, s.db, p.OrgID)
			if err != nil {
				return Forecast{}, err
			}
			f.Items = append(f.Items, s.forecastProduct(cat, p, name, scheduled[p.ID], f.From, f.To)...)
		}
		if len(batch) < 500 {
			break
		}
		after = batch[len(batch)-1].ID
	}
	kindOrder := map[string]int{ForecastCharge: 0, ForecastDue: 1, ForecastBlock: 2, ForecastTermination: 3}
	slices.SortStableFunc(f.Items, func(a, b ForecastItem) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		if c := kindOrder[a.Kind] - kindOrder[b.Kind]; c != 0 {
			return c
		}
		if c := strings.Compare(a.OrganizationName, b.OrganizationName); c != 0 {
			return c
		}
		return strings.Compare(a.ProductName, b.ProductName)
	})
	totals := map[string]*ForecastTotal{}
	for _, it := range f.Items {
		switch it.Kind {
		case ForecastBlock:
			f.Blocks++
		case ForecastTermination:
			f.Terminations++
		}
		if !it.Priced {
			continue
		}
		t := totals[it.Total.Currency]
		if t == nil {
			c := it.Total.Currency
			t = &ForecastTotal{Currency: c, Charges: money.Amount{Currency: c}, Due: money.Amount{Currency: c}}
			totals[c] = t
		}
		if it.Kind == ForecastCharge {
			t.Charges.Minor += it.Total.Minor
			t.ChargeCount++
		} else {
			t.Due.Minor += it.Total.Minor
			t.DueCount++
		}
	}
	for _, t := range totals {
		f.Totals = append(f.Totals, *t)
	}
	slices.SortFunc(f.Totals, func(a, b ForecastTotal) int { return strings.Compare(a.Currency, b.Currency) })
	return f, nil
}

// scheduledTerminations maps products to the date of their confirmed
// termination (PRD-4).
func (s *Service) scheduledTerminations(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT CAST(product_id AS text), effective_date FROM termination_requests t WHERE t.status = 'scheduled' AND `+standing)
	if err != nil {
		return nil, fmt.Errorf("renewal: reading scheduled terminations: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var pid, day string
		if err := rows.Scan(&pid, &day); err != nil {
			return nil, err
		}
		out[pid] = day
	}
	return out, rows.Err()
}

// forecastProduct is what the window [from, to] brings for p.
func (s *Service) forecastProduct(cat catalog.Catalog, p lcProduct, orgName, terminateOn string, from, to calendar.Date) []ForecastItem {
	in := func(d calendar.Date) bool { return !d.Before(from) && !d.After(to) }
	item := func(kind string, d calendar.Date) ForecastItem {
		return ForecastItem{Date: d, Kind: kind, OrganizationID: p.OrgID, OrganizationName: orgName, ProductID: p.ID,
			ProductName: p.Name, Type: p.Type, Period: p.Period}
	}
	var out []ForecastItem
	if d, err := calendar.Parse(terminateOn); err == nil {
		if in(d) {
			it := item(ForecastTermination, d)
			it.Customer = true
			out = append(out, it)
		}
		return out
	}
	due, err := calendar.Parse(p.Due)
	if err != nil {
		return nil
	}
	typ, _ := cat.Type(p.Type)
	months, net, priced := 0, money.Amount{}, false
	if _, offer, err := cat.Offer(p.Type, p.Name, p.Plan); err == nil && len(offer.Periods) > 0 {
		// A product made by the operator has no period or currency: it is
		// renewed by hand at the offer's first period, as the list of
		// items to pay proposes (renewalPrice).
		period, currency := p.Period, p.Currency
		if period == "" {
			period = offer.Periods[0].Period
		}
		if currency == "" && len(cat.Currencies) > 0 {
			currency = cat.Currencies[0]
		}
		if per, price, err := offer.Price(period, currency); err == nil {
			months, net, priced = per.Months, price, true
		}
	}
	priceOn := func(it *ForecastItem) {
		if !priced {
			return
		}
		rate := cat.VATRate(it.Date.String())
		vat := billing.LineVAT(net.Minor, rate)
		it.Net, it.VAT = net, money.Amount{Minor: vat, Currency: net.Currency}
		it.Total, it.Priced = money.Amount{Minor: net.Minor + vat, Currency: net.Currency}, true
	}
	unpaid := func() {
		if d := due; in(d) {
			it := item(ForecastDue, d)
			priceOn(&it)
			out = append(out, it)
		}
		if p.Status == "active" && typ.BlockAfterDays > 0 {
			if d := due.AddDays(typ.BlockAfterDays); in(d) {
				out = append(out, item(ForecastBlock, d))
			}
		}
		if typ.TerminateAfterDays > 0 {
			if d := due.AddDays(typ.TerminateAfterDays); in(d) {
				out = append(out, item(ForecastTermination, d))
			}
		}
	}
	if p.Status != "active" || !p.AutoRenew || due.Before(from) {
		unpaid()
		return out
	}
	// Auto-renewal: the first attempt, or the next retry when the window
	// starts after it; then every period the window still covers.
	for range 1000 {
		var when calendar.Date
		for _, a := range s.schedule.Attempts { // largest first: -14, -10, …
			if d := due.AddDays(-a); !d.Before(from) && (when.IsZero() || d.Before(when)) {
				when = d
			}
		}
		if when.IsZero() || when.After(to) {
			break
		}
		it := item(ForecastCharge, when)
		priceOn(&it)
		out = append(out, it)
		if months <= 0 {
			break
		}
		due = due.AddMonths(months)
	}
	return out
}
