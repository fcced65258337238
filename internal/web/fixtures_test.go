package web

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
)

// person makes a confirmed account named first last in lang, with its own
// organization "first last" (ACC-2), and returns it with that organization.
func (b *testBundle) person(email, first, last, lang string) (account.User, org.Organization) {
	b.t.Helper()
	u, err := b.accounts.SignUp(context.Background(), account.SignUpInput{Email: email, Password: testPassword,
		FirstName: first, LastName: last, Language: lang, Confirmed: true}, audit.Meta{IP: "127.0.0.1"})
	if err != nil {
		b.t.Fatalf("SignUp(%s): %v", email, err)
	}
	orgs, err := b.orgs.ListForUser(context.Background(), u.ID)
	if err != nil || len(orgs) != 1 {
		b.t.Fatalf("organizations of %s: %v, %v", email, orgs, err)
	}
	return u, orgs[0]
}

// join adds userID to orgID with role and direct product grants.
func (b *testBundle) join(orgID, userID, role string, productIDs ...string) {
	b.t.Helper()
	ctx := context.Background()
	if err := b.db.WithTx(ctx, func(tx *sql.Tx) error {
		return org.AddMemberTx(ctx, tx, b.clock.Now(), orgID, userID, role, false, nil, productIDs)
	}); err != nil {
		b.t.Fatalf("join %s as %s: %v", userID, role, err)
	}
}

// product makes a product of orgID, as the operator's CLI does.
func (b *testBundle) product(orgID, typ, name string) product.Product {
	b.t.Helper()
	p, err := b.products.Create(context.Background(), orgID, typ, name, "2027-03-31")
	if err != nil {
		b.t.Fatalf("product %s: %v", name, err)
	}
	return p
}

// switchTo selects orgID for the browser's session.
func (br *browser) switchTo(orgID string) {
	br.t.Helper()
	if r := br.post("/organizations/switch", url.Values{"organization_id": {orgID}, "next": {"/"}}); r.status != 303 {
		br.t.Fatalf("switch to %s: status %d", orgID, r.status)
	}
}

// outboxLink returns the newest link of the outbox for email whose path
// starts with prefix.
func outboxLink(t *testing.T, b *testBundle, email, prefix string) *url.URL {
	t.Helper()
	msgs, err := b.notifier.List(context.Background(), email, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		for _, l := range m.Links {
			if u, err := url.Parse(l); err == nil && strings.HasPrefix(u.Path, prefix) {
				return u
			}
		}
	}
	t.Fatalf("no %s link for %s in the outbox", prefix, email)
	return nil
}

// productNames returns the names of the products listed on a /products page.
func productNames(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `data-testid="product-name">`)[1:] {
		out = append(out, part[:strings.Index(part, "<")])
	}
	return out
}
