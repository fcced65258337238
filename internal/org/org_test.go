package org_test

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
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newUser(t *testing.T, db *store.DB, now time.Time) string {
	t.Helper()
	uid := id.New()
	if _, err := db.ExecContext(context.Background(), `INSERT INTO users (id, email, password_hash, first_name,
		last_name, created_at, updated_at) VALUES ($1, $2, 'x', 'F', 'L', $3, $3)`, uid, uid+"@example.ch", now); err != nil {
		t.Fatal(err)
	}
	return uid
}

// ACC-4: a user creates more organizations and belongs to all of them;
// ORG-9: an organization of others is "not found".
func TestACC4_ManyOrganizationsAndORG9_Isolation(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
		s := org.New(db, clk)
		ada, bob := newUser(t, db, clk.Now()), newUser(t, db, clk.Now())
		b, err := s.Create(ctx, ada, "Beta GmbH", "company", audit.Meta{ActorID: ada})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, ada, "Alpha", "individual", audit.Meta{ActorID: ada}); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListForUser(ctx, ada)
		if err != nil || len(list) != 2 || list[0].Name != "Alpha" || list[1].Role != org.RoleLegalRepresentative {
			t.Fatalf("ListForUser = %+v, %v; want Alpha then Beta GmbH, legal representative", list, err)
		}
		got, err := s.GetForUser(ctx, ada, b.ID)
		if err != nil || got.Name != "Beta GmbH" || got.LegalForm != "company" {
			t.Fatalf("GetForUser = %+v, %v", got, err)
		}
		for _, orgID := range []string{b.ID, "not-a-uuid", id.New()} {
			if _, err := s.GetForUser(ctx, bob, orgID); !errors.Is(err, apperr.NotFound) {
				t.Errorf("GetForUser(bob, %s) = %v, want object_not_found", orgID, err)
			}
		}
	})
}

func TestOrganizationValidation(t *testing.T) {
	t.Parallel()
	db := testutil.OpenDB(t, store.SQLite)
	clk := clock.NewFixed(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
	s := org.New(db, clk)
	u := newUser(t, db, clk.Now())
	ctx := context.Background()
	if _, err := s.Create(ctx, u, "  ", "company", audit.Meta{}); !errors.Is(err, org.ErrNameInvalid) {
		t.Errorf("blank name: %v", err)
	}
	if _, err := s.Create(ctx, u, strings.Repeat("x", 201), "company", audit.Meta{}); !errors.Is(err, org.ErrNameInvalid) {
		t.Errorf("long name: %v", err)
	}
	if _, err := s.Create(ctx, u, "X", "partnership", audit.Meta{}); apperr.As(err) == nil || apperr.As(err).Attribute != "legal_form" {
		t.Errorf("unknown legal form: %v", err)
	}
	if list, _ := s.ListForUser(ctx, u); len(list) != 0 {
		t.Errorf("refused creations left organizations %+v", list)
	}
}

// BIL-8, ORG-3: whoever creates an organization is its contact for billing,
// technical, legal and security notices until they choose otherwise; an
// organization whose only member asked for nothing would never hear that a
// renewal failed.
func TestBIL8_FounderIsTheContactForNotices(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
		s := org.New(db, clk)
		ada := newUser(t, db, clk.Now())
		o, err := s.Create(ctx, ada, "Beta GmbH", "company", audit.Meta{ActorID: ada})
		if err != nil {
			t.Fatal(err)
		}
		for _, category := range []string{"billing", "technical", "legal", "security"} {
			contacts, err := org.ContactsFor(ctx, db, o.ID, category)
			if err != nil || len(contacts) != 1 || contacts[0].UserID != ada {
				t.Errorf("%s contacts = %+v, %v; want the founder", category, contacts, err)
			}
		}
		if contacts, _ := org.ContactsFor(ctx, db, o.ID, "marketing"); len(contacts) != 0 {
			t.Errorf("marketing contacts = %+v; marketing needs the founder's consent", contacts)
		}
	})
}
