package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/store"
)

// CreateOrder orders items for orgID in currency (PRD-2, PRD-3): prices come
// from the current catalog (offer_not_in_catalog, period_not_allowed,
// currency_not_supported with the attribute at fault); one pending product
// is made per item. A domain must be a registrable name under an ending
// the catalog sells; a product the organization already has (same type and
// name, not terminated), or the same one twice in the order, is
// product_already_exists (409). Audited as "order.created".
func (s *Service) CreateOrder(ctx context.Context, userID, orgID, currency string, items []OrderItem, meta audit.Meta) (Order, error) {
	if len(items) == 0 || len(items) > 50 {
		return Order{}, apperr.Validation.With("An order has 1 to 50 items.").Field("items")
	}
	currency = strings.ToUpper(strings.TrimSpace(currency))
	var o Order
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.canSee(ctx, tx, userID, orgID); err != nil {
			return err
		}
		cat, err := s.currentCatalog(ctx, tx)
		if err != nil {
			return err
		}
		if !contains(cat.Currencies, currency) || !money.Supported(currency) {
			return catalog.ErrCurrencyNotSupported.Field("currency", cat.Currencies...)
		}
		now := s.clock.Now().UTC()
		o = Order{ID: id.New(), OrganizationID: orgID, Currency: currency, Status: "pending", CreatedBy: userID, CreatedAt: now}
		seen := map[string]bool{}
		var net int64
		for i, in := range items {
			it, err := priceItem(cat, in, currency)
			if err != nil {
				return err
			}
			key := it.Type + "\x00" + it.Name
			if seen[key] {
				return ErrProductExists.With("The same product is twice in the order: keep it once.").Field("name", it.Name)
			}
			seen[key] = true
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM products WHERE organization_id = $1 AND type = $2
				AND name = $3 AND status <> 'terminated'`, orgID, it.Type, it.Name).Scan(&n); err != nil {
				return fmt.Errorf("billing: checking existing products: %w", err)
			}
			if n > 0 {
				return ErrProductExists.Field("name", it.Name)
			}
			it.ID, it.Position, it.ProductID = id.New(), i+1, id.New()
			if _, err := tx.ExecContext(ctx, `INSERT INTO products (id, organization_id, type, name, status, plan, period,
				currency, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $8)`,
				it.ProductID, orgID, it.Type, it.Name, it.Plan, it.Period, currency, now); err != nil {
				return fmt.Errorf("billing: creating the pending product: %w", err)
			}
			o.Items = append(o.Items, it)
			net += it.Unit.Minor
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, organization_id, currency, status, net_minor, created_by, created_at)
			VALUES ($1, $2, $3, 'pending', $4, $5, $6)`, o.ID, orgID, currency, net, userID, now); err != nil {
			return fmt.Errorf("billing: creating the order: %w", err)
		}
		for _, it := range o.Items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_items (id, order_id, position, type, plan, name, period,
				months, unit_minor, product_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				it.ID, o.ID, it.Position, it.Type, it.Plan, it.Name, it.Period, it.Months, it.Unit.Minor, it.ProductID); err != nil {
				return fmt.Errorf("billing: adding an order item: %w", err)
			}
		}
		o.setTotals(cat.VATRate(s.today(cat).String()))
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "order.created",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
			Data: map[string]string{"order": o.ID, "currency": currency, "net": money.Amount{Minor: net, Currency: currency}.String(),
				"items": strconv.Itoa(len(o.Items))}})
	})
	if err != nil {
		return Order{}, err
	}
	return o, nil
}

// priceItem finds an item's offer and price in the catalog.
func priceItem(cat catalog.Catalog, in OrderItem, currency string) (OrderItem, error) {
	typ := strings.TrimSpace(in.Type)
	_, offer, err := cat.Offer(typ, in.Name, strings.TrimSpace(in.Plan))
	if err != nil {
		return OrderItem{}, err
	}
	name, err := productName(typ, in.Name, offer)
	if err != nil {
		return OrderItem{}, err
	}
	period := strings.TrimSpace(in.Period)
	if period == "" && len(offer.Periods) > 0 {
		period = offer.Periods[0].Period
	}
	p, price, err := offer.Price(period, currency)
	if err != nil {
		return OrderItem{}, err
	}
	return OrderItem{Type: typ, Plan: offer.Plan, Name: name, Period: p.Period, Months: p.Months, Unit: price}, nil
}

// setTotals fills Net, VAT and Total from the items at rate.
func (o *Order) setTotals(rate int) {
	var net, vat int64
	for _, it := range o.Items {
		net += it.Unit.Minor
		vat += LineVAT(it.Unit.Minor, rate)
	}
	o.Net = money.Amount{Minor: net, Currency: o.Currency}
	o.VAT = money.Amount{Minor: vat, Currency: o.Currency}
	o.Total = money.Amount{Minor: net + vat, Currency: o.Currency}
}

const orderColumns = `CAST(id AS text), CAST(organization_id AS text), currency, status, COALESCE(CAST(created_by AS text), ''),
	created_at, paid_at, cancelled_at, COALESCE(CAST(invoice_id AS text), '')`

func scanOrder(row interface{ Scan(...any) error }) (Order, error) {
	var o Order
	var paid, cancelled sql.NullTime
	if err := row.Scan(&o.ID, &o.OrganizationID, &o.Currency, &o.Status, &o.CreatedBy, &o.CreatedAt, &paid, &cancelled, &o.InvoiceID); err != nil {
		return Order{}, err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	o.PaidAt, o.CancelledAt = store.NullTime(paid), store.NullTime(cancelled)
	return o, nil
}

// loadItems fills o.Items and the totals (VAT at rate).
func loadItems(ctx context.Context, q store.Querier, o *Order, rate int) error {
	rows, err := q.QueryContext(ctx, `SELECT CAST(id AS text), position, type, plan, name, period, months, unit_minor,
		COALESCE(CAST(product_id AS text), '') FROM order_items WHERE order_id = $1 ORDER BY position`, o.ID)
	if err != nil {
		return fmt.Errorf("billing: loading order items: %w", err)
	}
	defer rows.Close()
	o.Items = nil
	for rows.Next() {
		var it OrderItem
		if err := rows.Scan(&it.ID, &it.Position, &it.Type, &it.Plan, &it.Name, &it.Period, &it.Months, &it.Unit.Minor, &it.ProductID); err != nil {
			return fmt.Errorf("billing: reading an order item: %w", err)
		}
		it.Unit.Currency = o.Currency
		o.Items = append(o.Items, it)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	o.setTotals(rate)
	return nil
}

// ListOrders lists orgID's orders, newest first, with their items and
// totals; status filters (pending, paid, cancelled) when not empty.
func (s *Service) ListOrders(ctx context.Context, userID, orgID, status string) ([]Order, error) {
	if err := s.canSee(ctx, s.db, userID, orgID); err != nil {
		return nil, err
	}
	if status != "" && !contains([]string{"pending", "paid", "cancelled"}, status) {
		return nil, apperr.Validation.With("The status filter must be pending, paid or cancelled.").Field("status", status)
	}
	cat, err := s.currentCatalog(ctx, nil)
	if err != nil && !errors.Is(err, catalog.ErrEmpty) {
		return nil, err
	}
	rate := cat.VATRate(s.today(cat).String())
	q := `SELECT ` + orderColumns + ` FROM orders WHERE organization_id = $1`
	args := []any{orgID}
	if status != "" {
		q += ` AND status = $2`
		args = append(args, status)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("billing: listing orders: %w", err)
	}
	var out []Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("billing: reading an order: %w", err)
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := loadItems(ctx, s.db, &out[i], s.orderRate(ctx, out[i], rate)); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []Order{}
	}
	return out, nil
}

// orderRate is the VAT rate to show on an order: today's while pending,
// the paying invoice's once paid.
func (s *Service) orderRate(ctx context.Context, o Order, today int) int {
	if o.InvoiceID == "" {
		return today
	}
	var rate int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(vat_rate), 0) FROM invoice_lines WHERE invoice_id = $1`,
		o.InvoiceID).Scan(&rate); err != nil {
		return today
	}
	return rate
}

// GetOrder returns one order of orgID with its items and totals;
// object_not_found when it is not there or the user has no billing right.
func (s *Service) GetOrder(ctx context.Context, userID, orgID, orderID string) (Order, error) {
	if err := s.canSeeObject(ctx, s.db, userID, orgID); err != nil {
		return Order{}, err
	}
	o, err := s.order(ctx, s.db, orgID, orderID, false)
	if err != nil {
		return Order{}, err
	}
	cat, err := s.currentCatalog(ctx, nil)
	if err != nil && !errors.Is(err, catalog.ErrEmpty) {
		return Order{}, err
	}
	return o, loadItems(ctx, s.db, &o, s.orderRate(ctx, o, cat.VATRate(s.today(cat).String())))
}

// order loads an order row (locked when lock), object_not_found when absent.
func (s *Service) order(ctx context.Context, q store.Querier, orgID, orderID string, lock bool) (Order, error) {
	if !id.Valid(orderID) {
		return Order{}, apperr.NotFound
	}
	l := ""
	if lock {
		l = s.forUpdate()
	}
	o, err := scanOrder(q.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1 AND organization_id = $2`+l,
		orderID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, apperr.NotFound
	}
	if err != nil {
		return Order{}, fmt.Errorf("billing: loading the order: %w", err)
	}
	return o, nil
}

// CancelOrder cancels a pending order (PRD-3): its pending products are
// deleted and an unpaid pro-forma for it is voided. A paid or cancelled
// order is order_not_pending (409); an order whose payment is under way on
// a payment page is payment_in_progress (409). Audited as "order.cancelled".
func (s *Service) CancelOrder(ctx context.Context, userID, orgID, orderID string, meta audit.Meta) (Order, error) {
	var o Order
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.canSee(ctx, tx, userID, orgID); err != nil {
			return err
		}
		var err error
		if o, err = s.order(ctx, tx, orgID, orderID, true); err != nil {
			return err
		}
		if o.Status != "pending" {
			return ErrOrderNotPending.Field("status", o.Status)
		}
		now := s.clock.Now().UTC()
		if busy, err := s.openAttemptFor(ctx, tx, orgID, orderID, now); err != nil {
			return err
		} else if busy {
			return ErrPaymentInProgress
		}
		if err := loadItems(ctx, tx, &o, 0); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = 'cancelled', cancelled_at = $1 WHERE id = $2`, now, o.ID); err != nil {
			return fmt.Errorf("billing: cancelling the order: %w", err)
		}
		for _, it := range o.Items {
			if it.ProductID == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM products WHERE id = $1 AND organization_id = $2 AND status = 'pending'`,
				it.ProductID, orgID); err != nil {
				return fmt.Errorf("billing: deleting a pending product: %w", err)
			}
		}
		if err := s.voidProformasFor(ctx, tx, orgID, []string{o.ID}, nil, nil); err != nil {
			return err
		}
		o.Status, o.CancelledAt = "cancelled", &now
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID, Action: "order.cancelled",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: map[string]string{"order": o.ID}})
	})
	if err != nil {
		return Order{}, err
	}
	return s.GetOrder(ctx, userID, orgID, o.ID)
}

// openAttemptFor reports whether an open payment attempt (a checkout not
// yet expired) includes the order, invoice or product objectID.
func (s *Service) openAttemptFor(ctx context.Context, q store.Querier, orgID, objectID string, now time.Time) (bool, error) {
	if !id.Valid(objectID) {
		return false, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM checkout_items i JOIN checkouts c ON c.id = i.checkout_id
		WHERE i.object_id = $1 AND c.organization_id = $2 AND c.status = 'open' AND c.expires_at > $3`,
		objectID, orgID, now).Scan(&n); err != nil {
		return false, fmt.Errorf("billing: checking payments under way: %w", err)
	}
	return n > 0, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
