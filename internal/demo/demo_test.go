package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/demo"
)

// --demo is idempotent: a second run adds nothing, and every printed
// credential signs in.
func TestDemoFillIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Account: account.Options{Password: account.PasswordParams{Memory: 1024, Time: 1, Threads: 1}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	first, err := demo.Fill(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	counts := func() (users, orgs int) {
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users)
		_ = a.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM organizations`).Scan(&orgs)
		return
	}
	u1, o1 := counts()
	second, err := demo.Fill(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	u2, o2 := counts()
	if u1 != len(first) || u1 != u2 || o1 != o2 || len(second) != len(first) {
		t.Fatalf("after two runs: users %d→%d, organizations %d→%d, credentials %d/%d", u1, u2, o1, o2, len(first), len(second))
	}
	if o1 != u1+1 {
		t.Errorf("%d organizations for %d customers, want one each plus Ada's second", o1, u1)
	}
	languages := map[string]bool{}
	for _, c := range first {
		u, err := a.Accounts.Authenticate(ctx, c.Email, c.Password, audit.Meta{})
		if err != nil {
			t.Fatalf("demo credential %s does not sign in: %v", c.Email, err)
		}
		languages[u.Language] = true
	}
	if len(languages) != 5 {
		t.Errorf("demo customers speak %v, want all five languages", languages)
	}
}
