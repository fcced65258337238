package api

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
)

// Fixtures for the organization, member, team and product tests.

// ownOrganization returns the organization userID made when signing up.
func (b *bundle) ownOrganization(t *testing.T, userID string) string {
	t.Helper()
	orgs, err := b.orgs.ListForUser(context.Background(), userID)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organizations of %s: %v, %v", userID, orgs, err)
	}
	return orgs[0].ID
}

// join adds userID to orgID with role, billing right and direct product grants.
func (b *bundle) join(t *testing.T, orgID, userID, role string, billing bool, productIDs ...string) {
	t.Helper()
	err := b.db.WithTx(context.Background(), func(tx *sql.Tx) error {
		return org.AddMemberTx(context.Background(), tx, b.clk.Now(), orgID, userID, role, billing, nil, productIDs)
	})
	if err != nil {
		t.Fatalf("adding %s to %s as %s: %v", userID, orgID, role, err)
	}
}

// product makes an active product in orgID, as the operator's CLI does.
func (b *bundle) product(t *testing.T, orgID, typ, name string) string {
	t.Helper()
	p, err := b.products.Create(context.Background(), orgID, typ, name, "2027-03-01")
	if err != nil {
		t.Fatalf("creating product %s: %v", name, err)
	}
	return p.ID
}

// outbox returns the messages to recipient, newest first.
func (b *bundle) outbox(t *testing.T, recipient string) []notify.OutboxEntry {
	t.Helper()
	es, err := b.notifier.List(context.Background(), recipient, 100)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// withTemplate returns the messages of es made from template.
func withTemplate(es []notify.OutboxEntry, template string) []notify.OutboxEntry {
	var out []notify.OutboxEntry
	for _, e := range es {
		if e.Template == template {
			out = append(out, e)
		}
	}
	return out
}

// items returns the "data" array of a list answer.
func (r response) items(t *testing.T) []map[string]any {
	t.Helper()
	if r.body["result"] != "success" {
		t.Fatalf("result = %v, want success; status %d, body %s", r.body["result"], r.status, r.raw)
	}
	raw, ok := r.body["data"].([]any)
	if !ok {
		t.Fatalf("data is not an array: %s", r.raw)
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}

// ids returns the "id" member of each item, sorted.
func (r response) ids(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, it := range r.items(t) {
		s, _ := it["id"].(string)
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// strs returns a JSON array of strings as a sorted Go slice.
func strs(v any) []string {
	raw, _ := v.([]any)
	out := make([]string, 0, len(raw))
	for _, x := range raw {
		s, _ := x.(string)
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// sorted returns a sorted copy of ids.
func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// wantStatus fails unless r has status.
func (r response) wantStatus(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.raw)
	}
	return r
}
