package team_test

import (
	"context"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/team"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

type bundle struct {
	db                          *store.DB
	clock                       *clock.Fixed
	teams                       *team.Service
	org                         string // an organization with an LR, an administrator, a collaborator and an external
	lr, admin, collab, external string
}

func setup(t *testing.T, db *store.DB) *bundle {
	t.Helper()
	clk := clock.NewFixed(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	b := &bundle{db: db, clock: clk, teams: team.New(db, clk)}
	b.org = newOrg(t, b, "Muster AG")
	b.lr = newMember(t, b, b.org, "lr@example.ch", "legal_representative")
	b.admin = newMember(t, b, b.org, "admin@example.ch", "administrator")
	b.collab = newMember(t, b, b.org, "collab@example.ch", "collaborator")
	b.external = newMember(t, b, b.org, "external@example.ch", "external")
	return b
}

func exec(t *testing.T, b *bundle, query string, args ...any) {
	t.Helper()
	if _, err := b.db.ExecContext(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func newOrg(t *testing.T, b *bundle, name string) string {
	t.Helper()
	orgID := id.New()
	exec(t, b, `INSERT INTO organizations (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)`,
		orgID, name, b.clock.Now())
	return orgID
}

func newUser(t *testing.T, b *bundle, email string) string {
	t.Helper()
	userID := id.New()
	exec(t, b, `INSERT INTO users (id, email, password_hash, first_name, last_name, email_confirmed_at, created_at, updated_at)
		VALUES ($1, $2, 'x', 'First', 'Last', $3, $3, $3)`, userID, email, b.clock.Now())
	return userID
}

func newMember(t *testing.T, b *bundle, orgID, email, role string) string {
	t.Helper()
	userID := newUser(t, b, email)
	join(t, b, orgID, userID, role)
	return userID
}

func join(t *testing.T, b *bundle, orgID, userID, role string) {
	t.Helper()
	exec(t, b, `INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)`,
		orgID, userID, role, b.clock.Now())
}

func newProduct(t *testing.T, b *bundle, orgID, typ, name string) string {
	t.Helper()
	productID := id.New()
	exec(t, b, `INSERT INTO products (id, organization_id, type, name, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'active', $5, $5)`, productID, orgID, typ, name, b.clock.Now())
	return productID
}

func newTeam(t *testing.T, b *bundle, name string, products ...string) team.Team {
	t.Helper()
	tm, err := b.teams.Create(ctx, b.admin, b.org, team.Input{Name: &name, ProductIDs: &products}, meta(b.admin))
	if err != nil {
		t.Fatalf("Create(%s): %v", name, err)
	}
	return tm
}

func meta(actorID string) audit.Meta { return audit.Meta{ActorID: actorID, IP: "192.0.2.1"} }

func ptr[T any](v T) *T { return &v }

// auditCount counts the events of action in the organization.
func auditCount(t *testing.T, b *bundle, action string) int {
	t.Helper()
	var n int
	if err := b.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE organization_id = $1 AND action = $2`,
		b.org, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
