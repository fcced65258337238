package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// databaseFlags returns the flags selecting a fresh database of each engine.
func databaseFlags(t *testing.T) map[string][]string {
	return map[string][]string{
		"sqlite":   {"--data", t.TempDir()},
		"postgres": {"--database-url", pgtest.URL(t)},
	}
}

type envelope[T any] struct {
	Result string `json:"result"`
	Data   T      `json:"data"`
	Error  struct {
		Code string `json:"code"`
	} `json:"error"`
}

type profile struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	Language  string `json:"language"`
}

type organization struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// The command line is a contract (issue #2): user create, token create and
// migrate work on SQLite and PostgreSQL, and the token reads the profile on
// the versioned and the unversioned path.
func TestCLIContractOnBothEngines(t *testing.T) {
	t.Parallel()
	for engine, db := range databaseFlags(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			if out := mustCLI(t, append([]string{"migrate"}, db...)...); out != "" {
				t.Errorf("migrate printed %q on stdout, want nothing", out)
			}
			userID, err := cli(t, "pass from stdin 42\n", append([]string{"user", "create", "--email", "Ops@Example.ch",
				"--password-stdin", "--first-name", "Olga", "--last-name", "Ops", "--language", "fr"}, db...)...)
			if err != nil {
				t.Fatal(err)
			}
			if userID = strings.TrimSpace(userID); !id.Valid(userID) {
				t.Fatalf("user create printed %q, want the user id alone", userID)
			}
			// The same e-mail again is refused with a clear message.
			if _, err := cli(t, "", append([]string{"user", "create", "--email", "ops@example.ch", "--password",
				"another pass 42", "--first-name", "O", "--last-name", "P"}, db...)...); err == nil ||
				!strings.Contains(err.Error(), "email_already_registered") {
				t.Fatalf("duplicate user create: %v", err)
			}
			if _, err := cli(t, "", append([]string{"user", "create", "--email", "x@example.ch", "--password",
				"short", "--first-name", "O", "--last-name", "P"}, db...)...); err == nil ||
				!strings.Contains(err.Error(), "password") {
				t.Fatalf("short password: %v", err)
			}
			out := mustCLI(t, append([]string{"token", "create", "--email", "ops@example.ch", "--name", "ci"}, db...)...)
			if strings.Count(out, "\n") != 0 || !strings.HasPrefix(out, "alp_") {
				t.Fatalf("token create printed %q, want the token alone", out)
			}
			tok := out
			if _, err := cli(t, "", append([]string{"token", "create", "--email", "nobody@example.ch", "--name", "x"}, db...)...); err == nil {
				t.Fatal("token create for an unknown e-mail succeeded")
			}

			srv := startServer(t, db...)
			for _, path := range []string{"/api/1/profile", "/api/profile"} {
				var p envelope[profile]
				if code := srv.call("GET", path, tok, nil, &p); code != http.StatusOK || p.Result != "success" ||
					p.Data.ID != userID || p.Data.Email != "ops@example.ch" || p.Data.Language != "fr" {
					t.Fatalf("GET %s = %d %+v", path, code, p)
				}
			}
			var orgs envelope[[]organization]
			if code := srv.call("GET", "/api/1/organizations", tok, nil, &orgs); code != 200 || len(orgs.Data) != 1 ||
				orgs.Data[0].Name != "Olga Ops" || orgs.Data[0].Role != "legal_representative" {
				t.Fatalf("GET /api/1/organizations = %d %+v", code, orgs)
			}
			var bad envelope[any]
			if code := srv.call("GET", "/api/1/profile", "alp_wrong", nil, &bad); code != 401 || bad.Error.Code != "not_authorized" {
				t.Fatalf("bad token: %d %+v", code, bad)
			}
			srv.stop()
		})
	}
}

func TestUserCreateWithoutOrganizationAndNamedOrganization(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	mustCLI(t, "user", "create", "--data", data, "--email", "co@example.ch", "--password", "company pass 1",
		"--first-name", "C", "--last-name", "O", "--organization", "Example AG")
	mustCLI(t, "user", "create", "--data", data, "--email", "inv@example.ch", "--password", "invited pass 1",
		"--first-name", "I", "--last-name", "N", "--no-organization")
	coTok := mustCLI(t, "token", "create", "--data", data, "--email", "co@example.ch", "--name", "t")
	invTok := mustCLI(t, "token", "create", "--data", data, "--email", "inv@example.ch", "--name", "t")
	srv := startServer(t, "--data", data)
	var orgs envelope[[]organization]
	srv.call("GET", "/api/1/organizations", coTok, nil, &orgs)
	if len(orgs.Data) != 1 || orgs.Data[0].Name != "Example AG" {
		t.Fatalf("organizations of co = %+v", orgs.Data)
	}
	orgs = envelope[[]organization]{}
	srv.call("GET", "/api/1/organizations", invTok, nil, &orgs)
	if len(orgs.Data) != 0 {
		t.Fatalf("--no-organization user has organizations %+v", orgs.Data)
	}
	// Another user's organization is "not found", never "forbidden".
	var e envelope[any]
	if code := srv.call("GET", "/api/1/organizations/"+orgs0(t, srv, coTok), invTok, nil, &e); code != 404 ||
		e.Error.Code != "object_not_found" {
		t.Fatalf("foreign organization: %d %+v", code, e)
	}
}

func orgs0(t *testing.T, srv *server, tok string) string {
	var orgs envelope[[]organization]
	srv.call("GET", "/api/1/organizations", tok, nil, &orgs)
	if len(orgs.Data) == 0 {
		t.Fatal("no organization")
	}
	return orgs.Data[0].ID
}

func TestDevRefusesNonLoopbackAddress(t *testing.T) {
	t.Parallel()
	_, err := cli(t, "", "serve", "--dev", "--addr", "0.0.0.0:0", "--data", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("serve --dev on 0.0.0.0: %v", err)
	}
}

func TestHelpEverywhere(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"user", "create", "--help"},
		{"token", "create", "--help"}, {"migrate", "--help"}} {
		out, err := cli(t, "", args...)
		if err != nil || !strings.Contains(out, "Usage: alpage") {
			t.Errorf("alpage %v: %v\n%s", args, err, out)
		}
	}
}
