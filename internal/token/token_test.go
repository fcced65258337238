package token_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/token"
)

func setup(t *testing.T) (*token.Service, *clock.Fixed, *store.DB, string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	userID := id.New()
	if _, err := db.ExecContext(ctx, `INSERT INTO users (id, email, password_hash, first_name, last_name, created_at, updated_at)
		VALUES ($1, $2, 'x', 'T', 'U', $3, $3)`, userID, userID+"@example.ch", clk.Now()); err != nil {
		t.Fatal(err)
	}
	return token.New(db, clk), clk, db, userID
}

func TestAPI1_TokenShownOnceStoredHashed(t *testing.T) {
	t.Parallel()
	s, _, db, user := setup(t)
	ctx := context.Background()
	secret, tok, err := s.Create(ctx, user, "deploy", nil, nil, audit.Meta{ActorID: user})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, token.Prefix) || len(secret) < 40 || !strings.HasPrefix(secret, tok.Prefix) {
		t.Fatalf("secret %q, prefix %q", secret, tok.Prefix)
	}
	var n int
	_ = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1", secret).Scan(&n)
	if n != 0 {
		t.Fatal("token stored in clear")
	}
	got, err := s.Authenticate(ctx, secret)
	if err != nil || got.ID != tok.ID || got.UserID != user || !got.HasScope("all") || got.LastUsedAt == nil {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	list, _ := s.List(ctx, user)
	if len(list) != 1 || list[0].LastUsedAt == nil {
		t.Fatalf("List = %+v, want one token with its last use", list)
	}
}

func TestAPI1_RevokedAndExpiredTokensRefused(t *testing.T) {
	t.Parallel()
	s, clk, _, user := setup(t)
	ctx := context.Background()
	exp := clk.Now().Add(time.Hour)
	secret, tok, err := s.Create(ctx, user, "short", []string{"all"}, &exp, audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if _, err := s.Authenticate(ctx, secret); !errors.Is(err, apperr.NotAuthorized) {
		t.Fatalf("expired token: %v", err)
	}
	if err := s.Delete(ctx, id.New(), tok.ID, audit.Meta{}); !errors.Is(err, apperr.NotFound) {
		t.Fatalf("deleting someone else's token: %v, want object_not_found", err)
	}
	secret2, tok2, _ := s.Create(ctx, user, "other", nil, nil, audit.Meta{})
	if err := s.Delete(ctx, user, tok2.ID, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret2); !errors.Is(err, apperr.NotAuthorized) {
		t.Fatalf("revoked token: %v", err)
	}
	for _, bad := range []string{"", "alp_nope", "Bearer x"} {
		if _, err := s.Authenticate(ctx, bad); !errors.Is(err, apperr.NotAuthorized) {
			t.Errorf("Authenticate(%q) = %v", bad, err)
		}
	}
}

func TestTokenValidation(t *testing.T) {
	t.Parallel()
	s, clk, _, user := setup(t)
	ctx := context.Background()
	past := clk.Now().Add(-time.Minute)
	for attr, call := range map[string]func() error{
		"name":       func() error { _, _, err := s.Create(ctx, user, " ", nil, nil, audit.Meta{}); return err },
		"scopes":     func() error { _, _, err := s.Create(ctx, user, "x", []string{"root"}, nil, audit.Meta{}); return err },
		"expires_at": func() error { _, _, err := s.Create(ctx, user, "x", nil, &past, audit.Meta{}); return err },
	} {
		if e := apperr.As(call()); e == nil || e.Attribute != attr {
			t.Errorf("%s: %v", attr, e)
		}
	}
}
