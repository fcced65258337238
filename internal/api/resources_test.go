package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
)

func TestAPI6_TokensThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.user(t, "anna@example.ch")
	bobID, _ := b.user(t, "bob@example.ch")

	exp := testNow.Add(30 * 24 * time.Hour).Format(time.RFC3339)
	r := b.do(t, "POST", "/api/1/profile/tokens", secret, map[string]any{"name": "backup", "expires_at": exp})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	created := r.data(t)
	newSecret, _ := created["token"].(string)
	if !strings.HasPrefix(newSecret, "alp_") || created["expires_at"] != exp || created["name"] != "backup" {
		t.Fatalf("created token: %s", r.raw)
	}
	// The new token works, and the list never shows a secret.
	list := b.do(t, "GET", "/api/1/profile/tokens", newSecret, nil)
	if list.status != http.StatusOK || list.body["total"] != float64(2) {
		t.Fatalf("list: %d %s", list.status, list.raw)
	}
	if strings.Contains(string(list.raw), newSecret) || strings.Contains(string(list.raw), `"token"`) {
		t.Fatalf("list shows a secret: %s", list.raw)
	}
	// Someone else's token, or a malformed id, is not found.
	bobTokens, err := b.tokens.List(context.Background(), bobID)
	if err != nil || len(bobTokens) != 1 {
		t.Fatalf("bob's tokens: %v, %v", bobTokens, err)
	}
	b.do(t, "DELETE", "/api/1/profile/tokens/"+bobTokens[0].ID, secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "DELETE", "/api/1/profile/tokens/nope", secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
	if ts, _ := b.tokens.List(context.Background(), bobID); len(ts) != 1 {
		t.Fatal("bob's token was deleted")
	}
	// Revoking works at once.
	d := b.do(t, "DELETE", "/api/1/profile/tokens/"+created["id"].(string), secret, nil)
	if d.status != http.StatusNoContent || len(d.raw) != 0 {
		t.Fatalf("delete: %d %s", d.status, d.raw)
	}
	b.do(t, "GET", "/api/1/profile", newSecret, nil).wantError(t, http.StatusUnauthorized, "not_authorized")
	// Validation comes from the token service, with the attribute.
	b.do(t, "POST", "/api/1/profile/tokens", secret, `{"name":"x","expires_at":"2020-01-01T00:00:00Z"}`).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "expires_at")
	b.do(t, "POST", "/api/1/profile/tokens", secret, `{"name":""}`).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "name")
}

func TestORG1_OrganizationsWithRoleAndPagination(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	uid, secret := b.user(t, "anna@example.ch") // signs up with one organization
	for i := range 4 {
		b.addOrganization(t, uid, fmt.Sprintf("Org %d", i))
	}
	r := b.do(t, "GET", "/api/1/organizations?per_page=2&page=2", secret, nil)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	for k, want := range map[string]any{"result": "success", "total": float64(5), "page": float64(2), "pages": float64(3), "items_per_page": float64(2)} {
		if r.body[k] != want {
			t.Errorf("%s = %v, want %v", k, r.body[k], want)
		}
	}
	items, _ := r.body["data"].([]any)
	if len(items) != 2 {
		t.Fatalf("page 2 has %d items: %s", len(items), r.raw)
	}
	first := items[0].(map[string]any)
	if first["role"] != "legal_representative" {
		t.Errorf("role = %v", first["role"])
	}
	// Defaults, the last partial page, a page past the end.
	if r := b.do(t, "GET", "/api/1/organizations", secret, nil); r.body["items_per_page"] != float64(20) || r.body["pages"] != float64(1) || len(r.body["data"].([]any)) != 5 {
		t.Errorf("defaults: %s", r.raw)
	}
	if r := b.do(t, "GET", "/api/1/organizations?per_page=2&page=3", secret, nil); len(r.body["data"].([]any)) != 1 {
		t.Errorf("last page: %s", r.raw)
	}
	if r := b.do(t, "GET", "/api/1/organizations?page=9", secret, nil); r.status != http.StatusOK || len(r.body["data"].([]any)) != 0 {
		t.Errorf("past the end: %d %s", r.status, r.raw)
	}
	b.do(t, "GET", "/api/1/organizations?per_page=101", secret, nil).wantError(t, http.StatusUnprocessableEntity, "validation_failed", "per_page")
	b.do(t, "GET", "/api/1/organizations?page=0", secret, nil).wantError(t, http.StatusUnprocessableEntity, "validation_failed", "page")

	// One organization, by id.
	oid := first["id"].(string)
	g := b.do(t, "GET", "/api/1/organizations/"+oid, secret, nil).data(t)
	if g["id"] != oid || g["role"] != "legal_representative" || g["name"] != first["name"] {
		t.Fatalf("get: %v", g)
	}
}

func TestDEV_TestModeRoutes(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{dev: true})
	// The test mode needs no token.
	r := b.do(t, "GET", "/api/1/_dev/clock", "", nil)
	if d := r.data(t); d["offset"] != "0s" {
		t.Fatalf("clock: %s", r.raw)
	}
	before, _ := time.Parse(time.RFC3339, r.data(t)["now"].(string))
	r = b.do(t, "POST", "/api/1/_dev/clock", "", `{"advance":"15d"}`)
	d := r.data(t)
	now, err := time.Parse(time.RFC3339, d["now"].(string))
	if err != nil || d["offset"] != (15*24*time.Hour).String() || d["offset_seconds"] != float64(15*24*3600) || now.Sub(before) < 15*24*time.Hour {
		t.Fatalf("advance: %s (before %s)", r.raw, before)
	}
	if g := b.do(t, "GET", "/api/_dev/clock", "", nil).data(t); g["offset"] != d["offset"] {
		t.Fatalf("clock after advance: %v", g)
	}
	b.do(t, "POST", "/api/1/_dev/clock", "", `{"advance":"soon"}`).wantError(t, http.StatusUnprocessableEntity, "validation_failed", "advance")
	b.do(t, "POST", "/api/1/_dev/clock", "", `{"advance":"-1d"}`).wantError(t, http.StatusUnprocessableEntity, "validation_failed", "advance")

	// A sign-up without confirmation sends a confirmation e-mail.
	if _, err := b.accounts.SignUp(context.Background(), account.SignUpInput{
		Email: "carla@example.ch", Password: "correct horse battery staple", FirstName: "Carla", LastName: "Rossi",
		Language: "it", Country: "CH", TimeZone: "Europe/Zurich",
	}, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	_, _ = b.user(t, "dario@example.ch") // confirmed: no e-mail
	out := b.do(t, "GET", "/api/1/_dev/outbox?recipient=carla@example.ch", "", nil)
	msgs, _ := out.body["data"].([]any)
	if out.status != http.StatusOK || len(msgs) != 1 {
		t.Fatalf("outbox: %d %s", out.status, out.raw)
	}
	m := msgs[0].(map[string]any)
	for _, k := range []string{"id", "channel", "recipient", "subject", "text", "links", "status", "created_at"} {
		if _, ok := m[k]; !ok {
			t.Errorf("outbox entry lacks %q: %v", k, m)
		}
	}
	if m["channel"] != "email" || m["recipient"] != "carla@example.ch" || len(m["links"].([]any)) == 0 {
		t.Errorf("outbox entry: %v", m)
	}
	if all := b.do(t, "GET", "/api/1/_dev/outbox?recipient=nobody@example.ch", "", nil); len(all.body["data"].([]any)) != 0 {
		t.Errorf("filter: %s", all.raw)
	}
}
