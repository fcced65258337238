package e2e

import (
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/id"
)

type productJSON struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	DueDate string `json:"due_date"`
}

// `alpage product create` is a contract (issue #3): it prints the id alone,
// refuses bad input with a clear message, and the API lists the product to
// whoever may reach it — on both engines.
func TestProductCreateCLIOnBothEngines(t *testing.T) {
	t.Parallel()
	for engine, db := range databaseFlags(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			mustCLI(t, append([]string{"user", "create", "--email", "owner@example.ch", "--password", "owner password",
				"--first-name", "Olive", "--last-name", "Owner"}, db...)...)
			tok := mustCLI(t, append([]string{"token", "create", "--email", "owner@example.ch", "--name", "t"}, db...)...)
			srv := startServer(t, db...)
			orgID := orgs0(t, srv, tok)
			srv.stop()

			out := mustCLI(t, append([]string{"product", "create", "--organization", orgID, "--type", "domain",
				"--name", "example.ch", "--due-date", "2027-01-31"}, db...)...)
			if !id.Valid(out) {
				t.Fatalf("product create printed %q, want the id alone", out)
			}
			for _, bad := range [][]string{
				{"--organization", id.New(), "--type", "domain", "--name", "x.ch"},
				{"--organization", orgID, "--type", "spaceship", "--name", "x.ch"},
				{"--organization", orgID, "--type", "domain", "--name", "x.ch", "--due-date", "2027-02-30"},
			} {
				if _, err := cli(t, "", append(append([]string{"product", "create"}, bad...), db...)...); err == nil {
					t.Errorf("product create %v succeeded", bad)
				}
			}

			srv = startServer(t, db...)
			var list envelope[[]productJSON]
			if code := srv.call("GET", "/api/1/organizations/"+orgID+"/products", tok, nil, &list); code != 200 ||
				len(list.Data) != 1 || list.Data[0].ID != out || list.Data[0].Name != "example.ch" ||
				list.Data[0].DueDate != "2027-01-31" || !strings.EqualFold(list.Data[0].Type, "domain") {
				t.Fatalf("GET products = %d %+v", code, list)
			}
			srv.stop()
		})
	}
}
