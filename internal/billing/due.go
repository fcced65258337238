package billing

import (
	"context"
	"fmt"
	"sort"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/money"
)

// DueItem is one line of the "to pay" list (BIL-1).
type DueItem struct {
	Kind      string // order, invoice, proforma, renewal
	OrderID   string
	InvoiceID string
	ProductID string
	Number    string       // invoice or pro-forma number
	Type      string       // renewals: the product's type
	Name      string       // renewals: the product's name; orders: the items' names
	Status    string       // renewals: active or blocked
	Amount    money.Amount // what is left to pay, VAT included (renewals: for Period)
	DueDate   string       // YYYY-MM-DD
	Period    string       // renewals: the current period
	Periods   []DuePeriod  // renewals: the periods the customer may choose (BIL-3)
}

// DuePeriod is a period a renewal may be paid for, with its price.
type DuePeriod struct {
	Period string
	Months int
	Net    money.Amount
	Total  money.Amount // VAT included
}

// Due lists what orgID has to pay (BIL-1): pending orders, unpaid invoices
// and pro-formas, and renewals of active or blocked products due within 2
// months of today (every one with all). Orders and renewals a pro-forma
// already asks for are listed as that pro-forma. Sorted by due date.
func (s *Service) Due(ctx context.Context, userID, orgID string, all bool) ([]DueItem, error) {
	if err := s.canSee(ctx, s.db, userID, orgID); err != nil {
		return nil, err
	}
	cat, err := s.currentCatalog(ctx, nil)
	if err != nil {
		return nil, err
	}
	today := s.today(cat)
	rate := cat.VATRate(today.String())
	loc := cat.Location()
	out := []DueItem{}

	covered := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT COALESCE(CAST(l.order_id AS text), ''), COALESCE(CAST(l.product_id AS text), '')
		FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
		WHERE i.organization_id = $1 AND i.kind = 'proforma' AND i.status = 'unpaid'`, orgID)
	if err != nil {
		return nil, fmt.Errorf("billing: reading open pro-formas: %w", err)
	}
	for rows.Next() {
		var o, p string
		if err := rows.Scan(&o, &p); err != nil {
			rows.Close()
			return nil, err
		}
		covered[o], covered[p] = true, true
	}
	rows.Close()

	orders, err := s.ListOrders(ctx, userID, orgID, "pending")
	if err != nil {
		return nil, err
	}
	for _, o := range orders {
		if covered[o.ID] {
			continue
		}
		o.setTotals(rate)
		item := DueItem{Kind: "order", OrderID: o.ID, Amount: o.Total, DueDate: calendar.Of(o.CreatedAt.In(loc)).String()}
		for i, it := range o.Items {
			if i > 0 {
				item.Name += ", "
			}
			item.Name += it.Name
		}
		out = append(out, item)
	}

	invs, err := s.ListInvoices(ctx, userID, orgID, InvoiceFilter{Status: "unpaid"})
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		if inv.Kind == KindCreditNote {
			continue
		}
		out = append(out, DueItem{Kind: inv.Kind, InvoiceID: inv.ID, Number: inv.Number,
			Amount: amt(inv.Total.Minor-inv.Paid.Minor, inv.Currency), DueDate: inv.DueDate})
	}

	limit := today.AddMonths(2).String()
	q := `SELECT CAST(id AS text), type, name, status, plan, period, currency, due_date FROM products
		WHERE organization_id = $1 AND status IN ('active','blocked') AND due_date IS NOT NULL AND due_date <> ''`
	args := []any{orgID}
	if !all {
		q += ` AND due_date <= $2`
		args = append(args, limit)
	}
	prows, err := s.db.QueryContext(ctx, q+` ORDER BY due_date, name`, args...)
	if err != nil {
		return nil, fmt.Errorf("billing: listing renewals: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		var it DueItem
		var plan, currency string
		if err := prows.Scan(&it.ProductID, &it.Type, &it.Name, &it.Status, &plan, &it.Period, &currency, &it.DueDate); err != nil {
			return nil, fmt.Errorf("billing: reading a renewal: %w", err)
		}
		if covered[it.ProductID] {
			continue
		}
		_, offer, err := cat.Offer(it.Type, it.Name, plan)
		if err != nil || len(offer.Periods) == 0 {
			continue // not in the catalog: the operator renews it
		}
		if currency == "" && len(cat.Currencies) > 0 {
			currency = cat.Currencies[0]
		}
		for _, p := range offer.Periods {
			price, ok := p.Prices[currency]
			if !ok {
				continue
			}
			it.Periods = append(it.Periods, DuePeriod{Period: p.Period, Months: p.Months, Net: price,
				Total: amt(price.Minor+LineVAT(price.Minor, rate), currency)})
		}
		if len(it.Periods) == 0 {
			continue
		}
		chosen := it.Periods[0]
		for _, p := range it.Periods {
			if p.Period == it.Period {
				chosen = p
			}
		}
		it.Kind, it.Period, it.Amount = "renewal", chosen.Period, chosen.Total
		out = append(out, it)
	}
	if err := prows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DueDate < out[j].DueDate })
	return out, nil
}
