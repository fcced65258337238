package demo

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/team"
)

// company fills Ada's second organization, once: products, colleagues with
// roles and product access, a work team, a pending invitation (ACC-4, ORG-3,
// ORG-8, TEAM-1..3), then its billing history (bill). Each part is skipped
// when it is there already.
func company(ctx context.Context, a *app.App, ids map[string]string) error {
	ada := ids["ada@demo.alpage.ch"]
	orgs, err := a.Orgs.ListForUser(ctx, ada)
	if err != nil {
		return err
	}
	var orgID string
	for _, o := range orgs {
		if o.Name == "Muster Hosting GmbH" {
			orgID = o.ID
		}
	}
	if orgID == "" {
		return nil
	}
	var n int
	if err := a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM products WHERE organization_id = $1`, orgID).Scan(&n); err != nil {
		return fmt.Errorf("demo: counting products: %w", err)
	}
	if n == 0 {
		if err := people(ctx, a, ids, orgID); err != nil {
			return err
		}
	}
	return bill(ctx, a, ids["ada@demo.alpage.ch"], orgID)
}

// people adds the products, colleagues, team and invitation of the company.
func people(ctx context.Context, a *app.App, ids map[string]string, orgID string) error {
	ada := ids["ada@demo.alpage.ch"]
	products := map[string]string{}
	for _, p := range []struct{ typ, name, due, plan, period string }{
		{"domain", "muster-hosting.ch", "2027-01-31", ".ch", "1y"},
		{"web_hosting", "muster-hosting.ch", "2027-03-15", "business", "1y"},
		{"mail", "muster-hosting.ch", "2027-03-15", "mail-5", "1y"},
		{"cloud_server", "shop-01", "2026-12-20", "s", "1m"},
		{"ssl_certificate", "www.muster-hosting.ch", "2027-06-01", "dv", "1y"},
	} {
		pr, err := a.Products.Create(ctx, orgID, p.typ, p.name, p.due)
		if err != nil {
			return fmt.Errorf("demo: creating product %s: %w", p.name, err)
		}
		// As if ordered from the catalog: the to-pay list offers their renewal.
		if _, err := a.DB.ExecContext(ctx, `UPDATE products SET plan = $1, period = $2, currency = 'CHF' WHERE id = $3`,
			p.plan, p.period, pr.ID); err != nil {
			return fmt.Errorf("demo: the billing period of %s: %w", p.name, err)
		}
		products[p.typ] = pr.ID
	}
	now := a.Clock.Now()
	err := a.DB.WithTx(ctx, func(tx *sql.Tx) error {
		// Jonas administers; Claire collaborates on the domain, with billing.
		if err := org.AddMemberTx(ctx, tx, now, orgID, ids["jonas@demo.alpage.ch"], org.RoleAdministrator, false,
			[]string{"technical", "security"}, nil); err != nil {
			return err
		}
		return org.AddMemberTx(ctx, tx, now, orgID, ids["claire@demo.alpage.ch"], org.RoleCollaborator, true,
			[]string{"billing"}, []string{products["domain"]})
	})
	if err != nil {
		return fmt.Errorf("demo: adding colleagues: %w", err)
	}
	meta := audit.Meta{ActorID: ada, UserAgent: "alpage-demo"}
	name, leader := "Web", ids["claire@demo.alpage.ch"]
	teamProducts := []string{products["web_hosting"], products["mail"], products["ssl_certificate"]}
	if _, err := a.Teams.Create(ctx, ada, orgID, team.Input{Name: &name, LeaderID: &leader, ProductIDs: &teamProducts}, meta); err != nil {
		return fmt.Errorf("demo: creating the team: %w", err)
	}
	if _, err := a.Invites.Create(ctx, ada, orgID, inviteInput(products["cloud_server"]), meta); err != nil {
		return fmt.Errorf("demo: inviting: %w", err)
	}
	return nil
}

func inviteInput(productID string) invite.Input {
	return invite.Input{Email: "new.colleague@demo.alpage.ch", Role: org.RoleCollaborator,
		ContactPreferences: []string{"technical"}, ProductIDs: []string{productID}}
}
