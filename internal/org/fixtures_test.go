package org_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
)

// fixture is an organization with services over one database.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clk      *clock.Fixed
	orgs     *org.Service
	notifier *notify.Notifier
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	clk := clock.NewFixed(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(db, clk, logger)
	n := notify.New(db, clk, q, notify.Config{Hold: true, BaseURL: "http://console.test"}, notify.SandboxSMS{}, logger)
	notify.RegisterWorkers(q, n)
	if err := q.Open(false); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: context.Background(), db: db, clk: clk, notifier: n,
		orgs: org.New(db, clk, org.WithNotifier(n))}
}

// person inserts a user; lang "" means English.
func (f *fixture) person(first, last, lang string) string {
	f.t.Helper()
	if lang == "" {
		lang = "en"
	}
	uid := id.New()
	if _, err := f.db.ExecContext(f.ctx, `INSERT INTO users (id, email, password_hash, first_name, last_name, language,
		created_at, updated_at) VALUES ($1, $2, 'x', $3, $4, $5, $6, $6)`,
		uid, uid+"@example.ch", first, last, lang, f.clk.Now()); err != nil {
		f.t.Fatal(err)
	}
	return uid
}

func (f *fixture) email(uid string) string { return uid + "@example.ch" }

// organization creates an organization whose legal representative is lr.
func (f *fixture) organization(lr, name string) string {
	f.t.Helper()
	o, err := f.orgs.Create(f.ctx, lr, name, "company", audit.Meta{ActorID: lr})
	if err != nil {
		f.t.Fatal(err)
	}
	return o.ID
}

// add puts uid into orgID with role, through AddMemberTx.
func (f *fixture) add(orgID, uid, role string, billing bool, prefs, products []string) {
	f.t.Helper()
	if err := f.db.WithTx(f.ctx, func(tx *sql.Tx) error {
		return org.AddMemberTx(f.ctx, tx, f.clk.Now(), orgID, uid, role, billing, prefs, products)
	}); err != nil {
		f.t.Fatalf("AddMemberTx(%s): %v", role, err)
	}
}

// member creates a person and adds them with role.
func (f *fixture) member(orgID, first, last, role string) string {
	f.t.Helper()
	uid := f.person(first, last, "")
	f.add(orgID, uid, role, false, nil, nil)
	return uid
}

// product inserts an active product of orgID.
func (f *fixture) product(orgID, name string) string {
	f.t.Helper()
	pid := id.New()
	if _, err := f.db.ExecContext(f.ctx, `INSERT INTO products (id, organization_id, type, name, status, created_at, updated_at)
		VALUES ($1, $2, 'web_hosting', $3, 'active', $4, $4)`, pid, orgID, name, f.clk.Now()); err != nil {
		f.t.Fatal(err)
	}
	return pid
}

// team inserts a team of orgID with members (the team package is separate).
func (f *fixture) team(orgID, name string, members ...string) string {
	f.t.Helper()
	tid := id.New()
	if _, err := f.db.ExecContext(f.ctx, `INSERT INTO teams (id, organization_id, name, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4)`, tid, orgID, name, f.clk.Now()); err != nil {
		f.t.Fatal(err)
	}
	for _, m := range members {
		if _, err := f.db.ExecContext(f.ctx, `INSERT INTO team_members (team_id, user_id, created_at) VALUES ($1, $2, $3)`,
			tid, m, f.clk.Now()); err != nil {
			f.t.Fatal(err)
		}
	}
	return tid
}

// role returns uid's role in orgID, "" when not a member.
func (f *fixture) role(orgID, uid string) string {
	f.t.Helper()
	a, err := org.ActorOf(f.ctx, f.db, uid, orgID)
	if errors.Is(err, apperr.NotFound) {
		return ""
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return string(a.Role)
}

// count runs a COUNT(*) query.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.QueryRowContext(f.ctx, query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// wantCode fails unless err is an apperr with code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

func ptr[T any](v T) *T { return &v }
