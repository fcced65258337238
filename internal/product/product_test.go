package product_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clk      *clock.Fixed
	products *product.Service
	orgs     *org.Service
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	clk := clock.NewFixed(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
	return &fixture{t: t, ctx: context.Background(), db: db, clk: clk, products: product.New(db, clk), orgs: org.New(db, clk)}
}

func (f *fixture) person() string {
	f.t.Helper()
	uid := id.New()
	if _, err := f.db.ExecContext(f.ctx, `INSERT INTO users (id, email, password_hash, first_name, last_name, created_at, updated_at)
		VALUES ($1, $2, 'x', 'F', 'L', $3, $3)`, uid, uid+"@example.ch", f.clk.Now()); err != nil {
		f.t.Fatal(err)
	}
	return uid
}

func (f *fixture) organization(lr string) string {
	f.t.Helper()
	o, err := f.orgs.Create(f.ctx, lr, "Acme", "company", audit.Meta{})
	if err != nil {
		f.t.Fatal(err)
	}
	return o.ID
}

func (f *fixture) member(orgID, role string, products ...string) string {
	f.t.Helper()
	uid := f.person()
	if err := f.db.WithTx(f.ctx, func(tx *sql.Tx) error {
		return org.AddMemberTx(f.ctx, tx, f.clk.Now(), orgID, uid, role, false, nil, products)
	}); err != nil {
		f.t.Fatal(err)
	}
	return uid
}

func (f *fixture) create(orgID, typ, name string) string {
	f.t.Helper()
	p, err := f.products.Create(f.ctx, orgID, typ, name, "")
	if err != nil {
		f.t.Fatal(err)
	}
	return p.ID
}

func (f *fixture) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.db.ExecContext(f.ctx, query, args...); err != nil {
		f.t.Fatal(err)
	}
}

func ids(ps []product.Product) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestCreateValidatesAndStoresActiveProduct(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person()
		o := f.organization(lr)
		p, err := f.products.Create(f.ctx, o, "domain", " acme.ch ", "2027-02-28")
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.products.Get(f.ctx, lr, o, p.ID)
		if err != nil || got != p || got.Status != "active" || got.Name != "acme.ch" || got.DueDate != "2027-02-28" || got.OrganizationID != o {
			t.Fatalf("Get = %+v, %v; created %+v", got, err, p)
		}
		noDue, err := f.products.Create(f.ctx, o, "mail", "Mail", "")
		if err != nil || noDue.DueDate != "" {
			t.Fatalf("no due date: %+v, %v", noDue, err)
		}
		for _, c := range []struct{ typ, name, due, attr string }{
			{"toaster", "x", "", "type"},
			{"domain", " ", "", "name"},
			{"domain", strings.Repeat("a", 254), "", "name"},
			{"domain", "x", "2027-02-30", "due_date"},
			{"domain", "x", "28.02.2027", "due_date"},
			{"domain", "x", "2027-2-1", "due_date"},
		} {
			_, err := f.products.Create(f.ctx, o, c.typ, c.name, c.due)
			if e := apperr.As(err); e == nil || e.Code != "validation_failed" || e.Attribute != c.attr {
				t.Errorf("Create(%q, %q, %q) = %v, want validation_failed on %s", c.typ, c.name, c.due, err, c.attr)
			}
		}
		for _, orgID := range []string{id.New(), "nope"} {
			if _, err := f.products.Create(f.ctx, orgID, "domain", "x.ch", ""); !errors.Is(err, apperr.NotFound) {
				t.Errorf("unknown organization %s: %v", orgID, err)
			}
		}
		if n, err := f.products.CountActive(f.ctx, db, o); err != nil || n != 2 {
			t.Errorf("CountActive = %d, %v", n, err)
		}
		f.exec(`UPDATE products SET status = 'terminated' WHERE id = $1`, noDue.ID)
		if n, _ := f.products.CountActive(f.ctx, db, o); n != 1 {
			t.Errorf("CountActive after termination = %d, want 1", n)
		}
	})
}

// ORG-8, TEAM-2: a collaborator or external user reaches the products granted
// directly or through a team, nothing else; administrators reach all.
func TestORG8_CollaboratorSeesGrantedProductsOnly(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person()
		o := f.organization(lr)
		dom := f.create(o, "domain", "acme.ch")
		web := f.create(o, "web_hosting", "www.acme.ch")
		mail := f.create(o, "mail", "acme.ch mail")
		other := f.organization(f.person())
		foreign := f.create(other, "domain", "other.ch")

		admin := f.member(o, org.RoleAdministrator)
		collab := f.member(o, org.RoleCollaborator, dom)
		ext := f.member(o, org.RoleExternal, mail)
		none := f.member(o, org.RoleCollaborator)
		tm := id.New()
		f.exec(`INSERT INTO teams (id, organization_id, name, created_at, updated_at) VALUES ($1, $2, 'Web', $3, $3)`, tm, o, f.clk.Now())
		f.exec(`INSERT INTO team_products (team_id, product_id) VALUES ($1, $2)`, tm, web)
		f.exec(`INSERT INTO team_products (team_id, product_id) VALUES ($1, $2)`, tm, dom)
		f.exec(`INSERT INTO team_members (team_id, user_id, created_at) VALUES ($1, $2, $3)`, tm, collab, f.clk.Now())
		// A team of the other organization granting its product must not leak.
		otm := id.New()
		f.exec(`INSERT INTO teams (id, organization_id, name, created_at, updated_at) VALUES ($1, $2, 'Web', $3, $3)`, otm, other, f.clk.Now())
		f.exec(`INSERT INTO team_products (team_id, product_id) VALUES ($1, $2)`, otm, foreign)
		f.exec(`INSERT INTO team_members (team_id, user_id, created_at) VALUES ($1, $2, $3)`, otm, collab, f.clk.Now())

		list := func(who string, flt product.Filter) []string {
			t.Helper()
			ps, err := f.products.ListForUser(f.ctx, who, o, flt)
			if err != nil {
				t.Fatalf("ListForUser: %v", err)
			}
			return ids(ps)
		}
		all := []string{dom, mail, web} // by type: domain, mail, web_hosting
		for _, who := range []string{lr, admin} {
			if got := list(who, product.Filter{}); !slices.Equal(got, all) {
				t.Errorf("administrator sees %v, want %v", got, all)
			}
		}
		if got := list(collab, product.Filter{}); !slices.Equal(got, []string{dom, web}) {
			t.Errorf("collaborator (direct + team) sees %v, want domain and web hosting", got)
		}
		if got := list(ext, product.Filter{}); !slices.Equal(got, []string{mail}) {
			t.Errorf("external sees %v, want the mail only", got)
		}
		if got := list(none, product.Filter{}); len(got) != 0 {
			t.Errorf("collaborator without grants sees %v", got)
		}
		if got := list(collab, product.Filter{Type: "web_hosting"}); !slices.Equal(got, []string{web}) {
			t.Errorf("type filter: %v", got)
		}
		f.exec(`UPDATE products SET status = 'blocked' WHERE id = $1`, dom)
		if got := list(admin, product.Filter{Status: "blocked"}); !slices.Equal(got, []string{dom}) {
			t.Errorf("status filter: %v", got)
		}
		if _, err := f.products.ListForUser(f.ctx, admin, o, product.Filter{Status: "gone"}); apperr.As(err) == nil || apperr.As(err).Attribute != "status" {
			t.Errorf("bad status filter: %v", err)
		}
		// Leaving the team changes access at once (TEAM-2).
		f.exec(`DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, tm, collab)
		if got := list(collab, product.Filter{}); !slices.Equal(got, []string{dom}) {
			t.Errorf("after leaving the team: %v", got)
		}
		if _, err := f.products.Get(f.ctx, collab, o, dom); err != nil {
			t.Errorf("Get granted: %v", err)
		}
		for _, pid := range []string{web, mail, foreign, "x"} {
			if _, err := f.products.Get(f.ctx, collab, o, pid); !errors.Is(err, apperr.NotFound) {
				t.Errorf("collaborator Get(%s) = %v, want not found", pid, err)
			}
		}
	})
}

// ORG-9: a stranger, or a product of another organization, is not found.
func TestORG9_ProductsOfOtherOrganizationsAreNotFound(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person()
		o := f.organization(lr)
		p := f.create(o, "domain", "acme.ch")
		olr := f.person()
		other := f.organization(olr)
		if _, err := f.products.ListForUser(f.ctx, olr, o, product.Filter{}); !errors.Is(err, apperr.NotFound) {
			t.Errorf("stranger lists: %v", err)
		}
		if _, err := f.products.Get(f.ctx, olr, o, p); !errors.Is(err, apperr.NotFound) {
			t.Errorf("stranger gets: %v", err)
		}
		if _, err := f.products.Get(f.ctx, olr, other, p); !errors.Is(err, apperr.NotFound) {
			t.Errorf("product through another organization: %v", err)
		}
		if got, _ := f.products.ListForUser(f.ctx, olr, other, product.Filter{}); len(got) != 0 {
			t.Errorf("the other organization lists %v", ids(got))
		}
	})
}
