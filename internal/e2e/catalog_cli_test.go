package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/id"
)

// `alpage catalog import FILE` (PRD-1) checks the whole file, lists every
// problem with its place, imports nothing when there is one, and makes a
// valid file the catalog that GET /api/1/catalog shows — on both engines.
func TestPRD1_CatalogImportCLIOnBothEngines(t *testing.T) {
	t.Parallel()
	demo, err := filepath.Abs("../demo/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	broken := strings.Replace(mustRead(t, demo), `1y: {CHF: "15.00", EUR: "16.00"}`, `1y: {CHF: "15.00"}`, 1)
	broken = strings.Replace(broken, "time_zone: Europe/Zurich", "time_zone: Europe/Zurik", 1)
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	for engine, db := range databaseFlags(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			mustCLI(t, append([]string{"user", "create", "--email", "owner@example.ch", "--password", "owner password",
				"--first-name", "Olive", "--last-name", "Owner"}, db...)...)
			tok := mustCLI(t, append([]string{"token", "create", "--email", "owner@example.ch", "--name", "t"}, db...)...)

			_, err := cli(t, "", append([]string{"catalog", "import", bad}, db...)...)
			if err == nil {
				t.Fatal("importing a broken catalog succeeded")
			}
			for _, want := range []string{"catalog_invalid", `time_zone: "Europe/Zurik" is not a time zone`,
				"types[0].offers[0].prices.1y: no price in EUR"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the refusal does not say %q:\n%v", want, err)
				}
			}
			if out, err := cli(t, "", append([]string{"catalog", "import", "--dry-run", demo}, db...)...); err != nil || out != "" {
				t.Fatalf("dry run: %q, %v; want nothing on stdout", out, err)
			}
			srv := startServer(t, db...)
			if code := srv.call("GET", "/api/1/catalog", tok, nil, nil); code != 409 {
				t.Fatalf("GET /api/1/catalog before any import = %d, want 409 catalog_empty", code)
			}
			srv.stop()

			version := mustCLI(t, append([]string{"catalog", "import", demo}, db...)...)
			if !id.Valid(version) {
				t.Fatalf("catalog import printed %q, want the version id alone", version)
			}
			srv = startServer(t, db...)
			var got envelope[struct {
				Version string `json:"version"`
				Types   []struct {
					Type string `json:"type"`
				} `json:"types"`
			}]
			if code := srv.call("GET", "/api/1/catalog", tok, nil, &got); code != 200 || got.Data.Version != version || len(got.Data.Types) != 8 {
				t.Fatalf("GET /api/1/catalog = %d %+v", code, got.Data)
			}
			srv.stop()
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
