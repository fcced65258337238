// Package product holds the products of an organization (a domain, a web
// hosting, …) in the minimal form used until ordering exists: a type, a name,
// a status and a due date. Operators create them with the CLI; members reach
// them according to authz (ORG-8, TEAM-2).
package product

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
)

// Types are the product types (a placeholder of the catalog until issue 5).
var Types = []string{"domain", "web_hosting", "mail", "cloud_storage", "collaboration_suite",
	"cloud_server", "ssl_certificate", "premium_support"}

// Statuses are a product's life-cycle states.
var Statuses = []string{"pending", "active", "blocked", "terminated"}

// Product is one product of an organization. DueDate is "YYYY-MM-DD" or empty.
type Product struct {
	ID             string
	OrganizationID string
	Type           string
	Name           string
	Status         string
	DueDate        string
	// Plan is the offer of the type the product was ordered with (a domain's
	// ending, a hosting plan); empty for products made by the operator.
	Plan string
	// Period is the billing period ("1y", "1m"), Currency the currency it is
	// billed in; empty for products made by the operator (PRD-2).
	Period   string
	Currency string
	// AutoRenew and PaymentMethodID: the product renews by itself with that
	// saved payment method (REN-1, REN-2).
	AutoRenew       bool
	PaymentMethodID string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Filter narrows ListForUser; empty fields match everything.
type Filter struct {
	Type   string
	Status string
}

// Service reads and creates products.
type Service struct {
	db    *store.DB
	clock clock.Clock
}

// New returns the product service.
func New(db *store.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk}
}

const columns = `p.id, p.organization_id, p.type, p.name, p.status, COALESCE(p.due_date, ''),
	p.plan, p.period, p.currency, p.auto_renew, COALESCE(CAST(p.payment_method_id AS text), ''), p.created_at, p.updated_at`

func scan(row interface{ Scan(...any) error }, p *Product) error {
	if err := row.Scan(&p.ID, &p.OrganizationID, &p.Type, &p.Name, &p.Status, &p.DueDate,
		&p.Plan, &p.Period, &p.Currency, &p.AutoRenew, &p.PaymentMethodID, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return nil
}

// Create adds an active product to organization orgID; it is the operator's
// command (alpage product create), so it checks no member's rights. Invalid
// fields are validation_failed with their attribute (type, name, due_date);
// an unknown organization is object_not_found.
func (s *Service) Create(ctx context.Context, orgID, typ, name, dueDate string) (Product, error) {
	name = strings.TrimSpace(name)
	dueDate = strings.TrimSpace(dueDate)
	if !slices.Contains(Types, typ) {
		return Product{}, apperr.Validation.With("The type must be one of: "+strings.Join(Types, ", ")+".").Field("type", typ)
	}
	if name == "" || len([]rune(name)) > 253 {
		return Product{}, apperr.Validation.With("The name must be between 1 and 253 characters.").Field("name", name)
	}
	if dueDate != "" {
		if d, err := time.Parse(time.DateOnly, dueDate); err != nil || d.Format(time.DateOnly) != dueDate {
			return Product{}, apperr.Validation.With("The due date must be a real date written YYYY-MM-DD.").Field("due_date", dueDate)
		}
	}
	if !id.Valid(orgID) {
		return Product{}, apperr.NotFound.With("There is no organization with this id.")
	}
	now := s.clock.Now().UTC()
	p := Product{ID: id.New(), OrganizationID: orgID, Type: typ, Name: name, Status: "active", DueDate: dueDate,
		CreatedAt: now, UpdatedAt: now}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations WHERE id = $1`, orgID).Scan(&n); err != nil {
			return fmt.Errorf("product: checking organization: %w", err)
		}
		if n == 0 {
			return apperr.NotFound.With("There is no organization with this id.")
		}
		var due any
		if dueDate != "" {
			due = dueDate
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO products (id, organization_id, type, name, status, due_date, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, p.ID, orgID, typ, name, p.Status, due, now); err != nil {
			return fmt.Errorf("product: creating product: %w", err)
		}
		return nil
	})
	if err != nil {
		return Product{}, err
	}
	return p, nil
}

// ListForUser lists the products of orgID that actorID reaches, by type then
// name: all of them for those allowed authz.ViewAllProducts, otherwise those
// granted directly or through one of the actor's teams (ORG-8, TEAM-2), in
// one query.
func (s *Service) ListForUser(ctx context.Context, actorID, orgID string, f Filter) ([]Product, error) {
	actor, err := org.ActorOf(ctx, s.db, actorID, orgID)
	if err != nil {
		return nil, err
	}
	if f.Type != "" && !slices.Contains(Types, f.Type) {
		return nil, apperr.Validation.With("The type filter must be one of: "+strings.Join(Types, ", ")+".").Field("type", f.Type)
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, apperr.Validation.With("The status filter must be one of: "+strings.Join(Statuses, ", ")+".").Field("status", f.Status)
	}
	query := `SELECT ` + columns + ` FROM products p WHERE p.organization_id = $1`
	args := []any{orgID}
	if f.Type != "" {
		args = append(args, f.Type)
		query += fmt.Sprintf(" AND p.type = $%d", len(args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		query += fmt.Sprintf(" AND p.status = $%d", len(args))
	}
	if !authz.CanReachProduct(actor, false) {
		args = append(args, actorID)
		query += fmt.Sprintf(" AND p.id IN (%s)", reachable(len(args)))
	}
	query += " ORDER BY p.type, p.name, p.id"
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("product: listing products: %w", err)
	}
	defer rows.Close()
	out := []Product{}
	for rows.Next() {
		var p Product
		if err := scan(rows, &p); err != nil {
			return nil, fmt.Errorf("product: reading product: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// reachable is the subquery of the product ids granted to the user $n,
// directly or through a team (organization $1 is checked by the caller).
func reachable(n int) string {
	return fmt.Sprintf(`SELECT g.product_id FROM product_grants g WHERE g.user_id = $%[1]d AND g.organization_id = $1
		UNION SELECT tp.product_id FROM team_products tp
			JOIN team_members tm ON tm.team_id = tp.team_id
			JOIN teams t ON t.id = tp.team_id
		WHERE tm.user_id = $%[1]d AND t.organization_id = $1`, n)
}

// Get returns product productID of orgID if actorID reaches it, else
// apperr.NotFound (ORG-8, ORG-9).
func (s *Service) Get(ctx context.Context, actorID, orgID, productID string) (Product, error) {
	actor, err := org.ActorOf(ctx, s.db, actorID, orgID)
	if err != nil {
		return Product{}, err
	}
	if !id.Valid(productID) {
		return Product{}, apperr.NotFound
	}
	var p Product
	err = scan(s.db.QueryRowContext(ctx, `SELECT `+columns+` FROM products p WHERE p.id = $1 AND p.organization_id = $2`,
		productID, orgID), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, apperr.NotFound
	}
	if err != nil {
		return Product{}, fmt.Errorf("product: loading product: %w", err)
	}
	granted := false
	if !authz.CanReachProduct(actor, false) {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+reachable(2)+`) r WHERE r.product_id = $3`,
			orgID, actorID, productID).Scan(&n); err != nil {
			return Product{}, fmt.Errorf("product: checking access: %w", err)
		}
		granted = n > 0
	}
	if !authz.CanReachProduct(actor, granted) {
		return Product{}, apperr.NotFound
	}
	return p, nil
}

// CountActive counts orgID's products that are not terminated (ACC-5: an
// account cannot close while it is the last legal representative of an
// organization with products).
func (s *Service) CountActive(ctx context.Context, q store.Querier, orgID string) (int, error) {
	if !id.Valid(orgID) {
		return 0, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM products WHERE organization_id = $1 AND status <> 'terminated'`,
		orgID).Scan(&n); err != nil {
		return 0, fmt.Errorf("product: counting products: %w", err)
	}
	return n, nil
}
