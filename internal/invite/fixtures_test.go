package invite_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/team"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

// cheap argon2id parameters keep the tests fast; production uses the defaults.
var cheap = account.PasswordParams{Memory: 1024, Time: 1, Threads: 1}

type bundle struct {
	db       *store.DB
	clock    *clock.Fixed
	notifier *notify.Notifier
	accounts *account.Service
	orgs     *org.Service
	products *product.Service
	teams    *team.Service
	invites  *invite.Service
	// org "Muster AG" of lr (German), with admin (German) and collab members.
	org               string
	lr, admin, collab account.User
}

func setup(t *testing.T, db *store.DB) *bundle {
	t.Helper()
	clk := clock.NewFixed(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(db, clk, logger)
	n := notify.New(db, clk, q, notify.Config{Hold: true, BaseURL: "http://console.test"}, notify.SandboxSMS{}, logger)
	notify.RegisterWorkers(q, n)
	if err := q.Open(false); err != nil {
		t.Fatal(err)
	}
	accounts := account.New(db, clk, n, account.Options{Password: cheap})
	b := &bundle{db: db, clock: clk, notifier: n, accounts: accounts, orgs: org.New(db, clk),
		products: product.New(db, clk), teams: team.New(db, clk),
		invites: invite.New(db, clk, n, accounts, invite.Options{})}
	b.lr = signUp(t, b, "lr@muster.ch", "Lena", "Roth", "de", "Muster AG")
	orgs, err := b.orgs.ListForUser(ctx, b.lr.ID)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organizations of the LR: %v, %v", orgs, err)
	}
	b.org = orgs[0].ID
	b.admin = signUp(t, b, "admin@muster.ch", "Adam", "Meier", "de", "")
	join(t, b, b.org, b.admin.ID, "administrator")
	b.collab = signUp(t, b, "collab@muster.ch", "Carla", "Keller", "en", "")
	join(t, b, b.org, b.collab.ID, "collaborator")
	return b
}

func signUp(t *testing.T, b *bundle, email, first, last, lang, orgName string) account.User {
	t.Helper()
	u, err := b.accounts.SignUp(ctx, account.SignUpInput{Email: email, Password: "correct horse battery",
		FirstName: first, LastName: last, Language: lang, OrganizationName: orgName, Confirmed: true}, audit.Meta{})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	return u
}

func join(t *testing.T, b *bundle, orgID, userID, role string) {
	t.Helper()
	if _, err := b.db.ExecContext(ctx, `INSERT INTO memberships (organization_id, user_id, role, created_at)
		VALUES ($1, $2, $3, $4)`, orgID, userID, role, b.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func newProduct(t *testing.T, b *bundle, typ, name string) string {
	t.Helper()
	p, err := b.products.Create(ctx, b.org, typ, name, "")
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func newTeam(t *testing.T, b *bundle, name string, products ...string) string {
	t.Helper()
	tm, err := b.teams.Create(ctx, b.admin.ID, b.org, team.Input{Name: &name, ProductIDs: &products}, meta(b.admin.ID))
	if err != nil {
		t.Fatal(err)
	}
	return tm.ID
}

func meta(actorID string) audit.Meta { return audit.Meta{ActorID: actorID, IP: "192.0.2.1"} }

func invite1(t *testing.T, b *bundle, actorID, email, role string) invite.Invitation {
	t.Helper()
	inv, err := b.invites.Create(ctx, actorID, b.org, invite.Input{Email: email, Role: role}, meta(actorID))
	if err != nil {
		t.Fatalf("inviting %s: %v", email, err)
	}
	return inv
}

// invitations returns the invitation e-mails to email, newest first.
func invitations(t *testing.T, b *bundle, email string) []notify.OutboxEntry {
	t.Helper()
	msgs, err := b.notifier.List(ctx, email, 50)
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.OutboxEntry
	for _, m := range msgs {
		if m.Template == "invitation" {
			out = append(out, m)
		}
	}
	return out
}

// linkToken returns the token of the newest invitation e-mail to email.
func linkToken(t *testing.T, b *bundle, email string) string {
	t.Helper()
	msgs := invitations(t, b, email)
	if len(msgs) == 0 {
		t.Fatalf("no invitation e-mail to %s", email)
	}
	for _, l := range msgs[0].Links {
		if tok, ok := strings.CutPrefix(l, "http://console.test/invitations/"); ok && tok != "" {
			return tok
		}
	}
	t.Fatalf("no invitation link in %v", msgs[0].Links)
	return ""
}

func wantCode(t *testing.T, err error, code string) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	return e
}

func auditCount(t *testing.T, b *bundle, action string) int {
	t.Helper()
	var n int
	if err := b.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
