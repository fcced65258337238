package web

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/alpage/alpage/internal/audit"
)

// TestDevServer serves a seeded console on ALPAGE_WEB_DEVSERVER (e.g.
// 127.0.0.1:8099) until the test is stopped, to look at the pages in a
// browser: sign in as ada@example.ch / "correct horse battery". Skipped
// unless the variable is set.
func TestDevServer(t *testing.T) {
	addr := os.Getenv("ALPAGE_WEB_DEVSERVER")
	if addr == "" {
		t.Skip("set ALPAGE_WEB_DEVSERVER=127.0.0.1:8099 to serve the console")
	}
	b := setup(t)
	ctx := context.Background()
	u := b.user("ada@example.ch", "en")
	if _, err := b.orgs.Create(ctx, u.ID, "Muster Consulting AG", "company", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.tokens.Create(ctx, u.ID, "Backup script", nil, nil, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"fr", "de", "it", "es"} {
		b.user(l+"@example.ch", l)
	}
	t.Logf("serving on http://%s", addr)
	t.Fatal(http.ListenAndServe(addr, appLike(b.handler.routes())))
}
