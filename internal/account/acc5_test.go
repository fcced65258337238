package account_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const password = "correct horse battery"

// mails returns the outbox entries of template sent to recipient, newest first.
func mails(t *testing.T, b *bundle, recipient, template string) []notify.OutboxEntry {
	t.Helper()
	all, err := b.notifier.List(context.Background(), recipient, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.OutboxEntry
	for _, m := range all {
		if m.Template == template {
			out = append(out, m)
		}
	}
	return out
}

// linkToken returns the token of the /confirm link in the newest e-mail of
// template sent to recipient.
func linkToken(t *testing.T, b *bundle, recipient, template string) string {
	t.Helper()
	ms := mails(t, b, recipient, template)
	if len(ms) == 0 {
		t.Fatalf("no %s e-mail to %s", template, recipient)
	}
	for _, l := range ms[0].Links {
		if u, err := url.Parse(l); err == nil && u.Path == "/confirm" && u.Query().Get("token") != "" {
			return u.Query().Get("token")
		}
	}
	t.Fatalf("the %s e-mail to %s has no /confirm link: %v", template, recipient, ms[0].Links)
	return ""
}

func wantCode(t *testing.T, what string, err error, code, attr string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || (attr != "" && e.Attribute != attr) {
		t.Fatalf("%s: err = %v (%+v), want %s on %q", what, err, e, code, attr)
	}
}

func ownOrg(t *testing.T, b *bundle, userID string) string {
	t.Helper()
	orgs, err := b.orgs.ListForUser(context.Background(), userID)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organizations of %s = %+v, %v; want one", userID, orgs, err)
	}
	return orgs[0].ID
}

func addMember(t *testing.T, b *bundle, orgID, userID, role string) {
	t.Helper()
	if _, err := b.db.ExecContext(context.Background(), `INSERT INTO memberships (organization_id, user_id, role, created_at)
		VALUES ($1, $2, $3, $4)`, orgID, userID, role, b.clock.Now()); err != nil {
		t.Fatalf("adding %s to %s: %v", userID, orgID, err)
	}
}

func addProduct(t *testing.T, b *bundle, orgID, status string) string {
	t.Helper()
	pid := id.New()
	if _, err := b.db.ExecContext(context.Background(), `INSERT INTO products (id, organization_id, type, name, status,
		due_date, created_at, updated_at) VALUES ($1, $2, 'domain', 'example.ch', $3, '2027-01-31', $4, $4)`,
		pid, orgID, status, b.clock.Now()); err != nil {
		t.Fatalf("adding a product: %v", err)
	}
	return pid
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestACC5_ChangeLoginEmailConfirmedFromNewAddress(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := signUp(t, b, "old@example.ch", true)
		meta := audit.Meta{ActorID: ada.ID, IP: "192.0.2.4"}

		err := b.accounts.RequestEmailChange(ctx, ada.ID, "wrong password!", "new@example.ch", meta)
		wantCode(t, "wrong current password", err, "current_password_wrong", "current_password")
		if len(mails(t, b, "new@example.ch", "email_change")) != 0 {
			t.Fatal("a refused change e-mailed the new address")
		}

		if err := b.accounts.RequestEmailChange(ctx, ada.ID, password, " New@Example.CH ", meta); err != nil {
			t.Fatalf("RequestEmailChange: %v", err)
		}
		// Until confirmed, the login stays the old address.
		if u, _ := b.accounts.Get(ctx, ada.ID); u.Email != "old@example.ch" {
			t.Fatalf("login became %q before confirmation", u.Email)
		}
		if _, err := b.accounts.Authenticate(ctx, "new@example.ch", password, audit.Meta{}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("sign-in with the unconfirmed new address: %v, want invalid_credentials", err)
		}
		if len(mails(t, b, "old@example.ch", "email_change")) != 0 {
			t.Fatal("the confirmation link went to the old address")
		}
		tok := linkToken(t, b, "new@example.ch", "email_change")

		u, err := b.accounts.ConfirmEmail(ctx, tok, audit.Meta{IP: "192.0.2.4"})
		if err != nil || u.Email != "new@example.ch" || !u.EmailConfirmed {
			t.Fatalf("ConfirmEmail = %+v, %v; want the login new@example.ch", u, err)
		}
		told := mails(t, b, "old@example.ch", "email_changed")
		if len(told) != 1 {
			t.Fatalf("%d email_changed e-mails to the old address, want 1", len(told))
		}
		if len(told[0].Links) != 0 || strings.Contains(told[0].BodyText, "http") {
			t.Errorf("the security e-mail to the old address carries links: %v", told[0].Links)
		}
		if !strings.Contains(told[0].BodyText, "new@example.ch") || told[0].Language != "de" {
			t.Errorf("email_changed (%s) does not name the new address:\n%s", told[0].Language, told[0].BodyText)
		}
		if _, err := b.accounts.Authenticate(ctx, "new@example.ch", password, audit.Meta{}); err != nil {
			t.Fatalf("sign-in with the new address: %v", err)
		}
		if _, err := b.accounts.Authenticate(ctx, "old@example.ch", password, audit.Meta{}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("sign-in with the old address: %v, want invalid_credentials", err)
		}
		if _, err := b.accounts.ConfirmEmail(ctx, tok, audit.Meta{}); !errors.Is(err, account.ErrConfirmationInvalid) {
			t.Fatalf("second use of the link: %v, want confirmation_link_invalid", err)
		}
		events, _ := audit.ForUser(ctx, b.db, ada.ID, 20)
		seen := map[string]bool{}
		for _, e := range events {
			seen[e.Action] = true
		}
		if !seen["account.email_change_requested"] || !seen["account.email_changed"] {
			t.Fatalf("audit events %+v lack the request or the change", events)
		}
	})
}

func TestACC5_EmailChangeLinkExpiresAndNewRequestVoidsOld(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	ada := signUp(t, b, "ada@example.ch", true)
	if err := b.accounts.RequestEmailChange(ctx, ada.ID, password, "late@example.ch", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	late := linkToken(t, b, "late@example.ch", "email_change")
	b.clock.Advance(48*time.Hour + time.Second)
	if _, err := b.accounts.ConfirmEmail(ctx, late, audit.Meta{}); !errors.Is(err, account.ErrConfirmationInvalid) {
		t.Fatalf("expired change link: %v, want confirmation_link_invalid", err)
	}
	if u, _ := b.accounts.Get(ctx, ada.ID); u.Email != "ada@example.ch" {
		t.Fatalf("an expired link changed the login to %q", u.Email)
	}

	if err := b.accounts.RequestEmailChange(ctx, ada.ID, password, "first@example.ch", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	first := linkToken(t, b, "first@example.ch", "email_change")
	if err := b.accounts.RequestEmailChange(ctx, ada.ID, password, "second@example.ch", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.accounts.ConfirmEmail(ctx, first, audit.Meta{}); !errors.Is(err, account.ErrConfirmationInvalid) {
		t.Fatalf("link of an earlier request: %v, want confirmation_link_invalid", err)
	}
	if u, err := b.accounts.ConfirmEmail(ctx, linkToken(t, b, "second@example.ch", "email_change"), audit.Meta{}); err != nil || u.Email != "second@example.ch" {
		t.Fatalf("latest link: %+v, %v", u, err)
	}
}

func TestACC5_EmailChangeRefusesTakenSameAndMalformedAddresses(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := signUp(t, b, "ada@example.ch", true)
		signUp(t, b, "bob@example.ch", true)

		err := b.accounts.RequestEmailChange(ctx, ada.ID, password, "BOB@example.ch", audit.Meta{})
		if !errors.Is(err, account.ErrEmailTaken) {
			t.Fatalf("another account's address: %v, want email_already_registered", err)
		}
		wantCode(t, "same address", b.accounts.RequestEmailChange(ctx, ada.ID, password, "Ada@Example.ch", audit.Meta{}),
			"validation_failed", "email")
		wantCode(t, "malformed address", b.accounts.RequestEmailChange(ctx, ada.ID, password, "not an address", audit.Meta{}),
			"validation_failed", "email")
		if n := count(t, db, `SELECT COUNT(*) FROM email_confirmations WHERE kind = 'change'`); n != 0 {
			t.Fatalf("%d change links stored for refused requests", n)
		}

		// Taken between the request and the confirmation: the unique index decides.
		if err := b.accounts.RequestEmailChange(ctx, ada.ID, password, "carol@example.ch", audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		tok := linkToken(t, b, "carol@example.ch", "email_change")
		signUp(t, b, "carol@example.ch", true)
		if _, err := b.accounts.ConfirmEmail(ctx, tok, audit.Meta{}); !errors.Is(err, account.ErrEmailTaken) {
			t.Fatalf("confirming an address taken meanwhile: %v, want email_already_registered", err)
		}
		if u, _ := b.accounts.Get(ctx, ada.ID); u.Email != "ada@example.ch" {
			t.Fatalf("login changed to %q", u.Email)
		}
		if n := len(mails(t, b, "ada@example.ch", "email_changed")); n != 0 {
			t.Fatalf("the old address was told of a change that failed (%d e-mails)", n)
		}
	})
}

func TestACC2_SignUpLinkKeepsWorkingBesideChangeLinks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	ada := signUp(t, b, "ada@example.ch", true)
	if err := b.accounts.RequestEmailChange(ctx, ada.ID, password, "ada.new@example.ch", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	signUp(t, b, "fresh@example.ch", false)
	u, err := b.accounts.ConfirmEmail(ctx, linkToken(t, b, "fresh@example.ch", "confirm_email"), audit.Meta{})
	if err != nil || !u.EmailConfirmed || u.Email != "fresh@example.ch" {
		t.Fatalf("sign-up link: %+v, %v", u, err)
	}
	if n := len(mails(t, b, "fresh@example.ch", "email_changed")); n != 0 {
		t.Fatal("a sign-up confirmation sent an email_changed e-mail")
	}
}

func TestACC5_ChangePasswordNeedsCurrentAndSignsOutOthers(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := signUp(t, b, "ada@example.ch", true)
		bob := signUp(t, b, "bob@example.ch", true)
		keep, kept, _ := b.accounts.CreateSession(ctx, ada.ID, audit.Meta{})
		other1, _, _ := b.accounts.CreateSession(ctx, ada.ID, audit.Meta{})
		other2, _, _ := b.accounts.CreateSession(ctx, ada.ID, audit.Meta{})
		bobs, _, _ := b.accounts.CreateSession(ctx, bob.ID, audit.Meta{})
		meta := audit.Meta{ActorID: ada.ID}
		const next = "a brand new passphrase"

		wantCode(t, "wrong current", b.accounts.ChangePassword(ctx, ada.ID, "wrong password!", next, kept.ID, meta),
			"current_password_wrong", "current_password")
		wantCode(t, "short new", b.accounts.ChangePassword(ctx, ada.ID, password, "short", kept.ID, meta),
			"validation_failed", "new_password")
		wantCode(t, "same as current", b.accounts.ChangePassword(ctx, ada.ID, password, password, kept.ID, meta),
			"validation_failed", "new_password")
		if _, _, err := b.accounts.SessionByToken(ctx, other1); err != nil {
			t.Fatalf("a refused change signed a session out: %v", err)
		}

		if err := b.accounts.ChangePassword(ctx, ada.ID, password, next, kept.ID, meta); err != nil {
			t.Fatalf("ChangePassword: %v", err)
		}
		if _, _, err := b.accounts.SessionByToken(ctx, keep); err != nil {
			t.Fatalf("the current session was signed out: %v", err)
		}
		for _, tok := range []string{other1, other2} {
			if _, _, err := b.accounts.SessionByToken(ctx, tok); !errors.Is(err, apperr.NotAuthorized) {
				t.Fatalf("another session still works: %v", err)
			}
		}
		if _, _, err := b.accounts.SessionByToken(ctx, bobs); err != nil {
			t.Fatalf("another user's session was signed out: %v", err)
		}
		if _, err := b.accounts.Authenticate(ctx, "ada@example.ch", password, audit.Meta{}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("old password: %v, want invalid_credentials", err)
		}
		if _, err := b.accounts.Authenticate(ctx, "ada@example.ch", next, audit.Meta{}); err != nil {
			t.Fatalf("new password: %v", err)
		}
		sent := mails(t, b, "ada@example.ch", "password_changed")
		if len(sent) != 1 || len(sent[0].Links) != 0 {
			t.Fatalf("password_changed e-mails = %+v, want one without a link", sent)
		}
		events, _ := audit.ForUser(ctx, b.db, ada.ID, 20)
		changed := 0
		for _, e := range events {
			if e.Action == "account.password_changed" && e.Data["sessions_ended"] == "2" {
				changed++
			}
		}
		if changed != 1 {
			t.Fatalf("audit events = %+v, want one account.password_changed ending 2 sessions", events)
		}

		// With no session to keep, every session ends.
		if err := b.accounts.ChangePassword(ctx, ada.ID, next, password, "", meta); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.accounts.SessionByToken(ctx, keep); !errors.Is(err, apperr.NotAuthorized) {
			t.Fatalf("keepSessionID \"\" left a session: %v", err)
		}
	})
}

func TestACC5_SessionsListsActiveOnesNewestFirst(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := signUp(t, b, "ada@example.ch", true)
		bob := signUp(t, b, "bob@example.ch", true)
		_, old, _ := b.accounts.CreateSession(ctx, ada.ID, audit.Meta{IP: "192.0.2.1", UserAgent: "Firefox"})
		b.clock.Advance(90 * time.Minute)
		tok, recent, _ := b.accounts.CreateSession(ctx, ada.ID, audit.Meta{IP: "192.0.2.2", UserAgent: "Safari"})
		_, _, _ = b.accounts.CreateSession(ctx, bob.ID, audit.Meta{})

		list, err := b.accounts.Sessions(ctx, ada.ID)
		if err != nil || len(list) != 2 || list[0].ID != recent.ID || list[1].ID != old.ID {
			t.Fatalf("Sessions = %+v, %v; want the Safari then the Firefox session", list, err)
		}
		if list[0].IP != "192.0.2.2" || list[0].UserAgent != "Safari" || list[0].UserID != ada.ID {
			t.Fatalf("Sessions[0] = %+v", list[0])
		}
		// 40 minutes later the first one is idle for over 2 hours; keep the recent one alive.
		b.clock.Advance(40 * time.Minute)
		if _, _, err := b.accounts.SessionByToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if list, _ := b.accounts.Sessions(ctx, ada.ID); len(list) != 1 || list[0].ID != recent.ID {
			t.Fatalf("Sessions after the idle timeout = %+v, want the recent one only", list)
		}
		if _, err := b.accounts.Sessions(ctx, "nope"); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("malformed id: %v, want object_not_found", err)
		}
	})
}

func TestACC5_CloseRefusedForLastLegalRepresentativeWithProducts(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := signUp(t, b, "ada@example.ch", true)
		orgID := ownOrg(t, b, ada.ID)
		pid := addProduct(t, b, orgID, "active")

		wantCode(t, "wrong password", b.accounts.Close(ctx, ada.ID, "wrong password!", audit.Meta{}),
			"current_password_wrong", "current_password")
		err := b.accounts.Close(ctx, ada.ID, password, audit.Meta{ActorID: ada.ID})
		if !errors.Is(err, org.ErrLastLegalRepresentative) {
			t.Fatalf("closing with an active product: %v, want last_legal_representative", err)
		}
		if _, err := b.accounts.Get(ctx, ada.ID); err != nil {
			t.Fatalf("the refused close removed the user: %v", err)
		}

		// Once every product is terminated, the account and its organization go.
		if _, err := db.ExecContext(ctx, `UPDATE products SET status = 'terminated' WHERE id = $1`, pid); err != nil {
			t.Fatal(err)
		}
		if err := b.accounts.Close(ctx, ada.ID, password, audit.Meta{ActorID: ada.ID}); err != nil {
			t.Fatalf("closing with terminated products only: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM organizations WHERE id = $1`, orgID); n != 0 {
			t.Fatal("the solo organization survived its only member")
		}
	})
}

func TestACC5_CloseRefusedForLastLegalRepresentativeOfOrganizationWithMembers(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := signUp(t, b, "ada@example.ch", true)
		ext := signUp(t, b, "ext@example.ch", true)
		addMember(t, b, ownOrg(t, b, ada.ID), ext.ID, org.RoleExternal)
		if err := b.accounts.Close(ctx, ada.ID, password, audit.Meta{}); !errors.Is(err, org.ErrLastLegalRepresentative) {
			t.Fatalf("closing while others depend on the organization: %v, want last_legal_representative", err)
		}
	})
}

func TestACC5_CloseDeletesSoloOrganizationsAndKeepsOthers(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := signUp(t, b, "ada@example.ch", true)
		bob := signUp(t, b, "bob@example.ch", true)
		solo, shared := ownOrg(t, b, ada.ID), ownOrg(t, b, bob.ID)
		// Ada is a second legal representative of Bob's organization, which has products.
		addMember(t, b, shared, ada.ID, org.RoleLegalRepresentative)
		addProduct(t, b, shared, "active")
		// And a collaborator of a third organization, whose only legal representative is Bob.
		third, err := b.orgs.Create(ctx, bob.ID, "Third AG", "company", audit.Meta{ActorID: bob.ID})
		if err != nil {
			t.Fatal(err)
		}
		addMember(t, b, third.ID, ada.ID, org.RoleCollaborator)
		addProduct(t, b, third.ID, "active")
		tok, _, _ := b.accounts.CreateSession(ctx, ada.ID, audit.Meta{})

		if err := b.accounts.Close(ctx, ada.ID, password, audit.Meta{ActorID: ada.ID, IP: "192.0.2.9"}); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, err := b.accounts.Get(ctx, ada.ID); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("Get after close: %v, want object_not_found", err)
		}
		if _, _, err := b.accounts.SessionByToken(ctx, tok); !errors.Is(err, apperr.NotAuthorized) {
			t.Fatalf("session after close: %v, want not_authorized", err)
		}
		if _, err := b.accounts.Authenticate(ctx, "ada@example.ch", password, audit.Meta{}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("sign-in after close: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM organizations WHERE id = $1`, solo); n != 0 {
			t.Error("Ada's solo organization was kept")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM memberships WHERE user_id = $1`, ada.ID); n != 0 {
			t.Errorf("%d memberships of the closed account remain", n)
		}
		for _, o := range []string{shared, third.ID} {
			if n := count(t, db, `SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND user_id = $2`, o, bob.ID); n != 1 {
				t.Errorf("organization %s lost Bob (%d memberships)", o, n)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM products WHERE organization_id = $1`, o); n != 1 {
				t.Errorf("organization %s lost its product", o)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'account.closed'`, ada.ID); n != 1 {
			t.Fatalf("%d account.closed audit events, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1`, ada.ID); n < 3 {
			t.Fatalf("the closed account's history was removed (%d events left)", n)
		}
	})
}

// ORG-6 under concurrency: two legal representatives of an organization with
// a product close their accounts at the same moment; one of them must stay.
func TestORG6_ConcurrentClosesKeepALegalRepresentative(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		for round := range 6 {
			a := signUp(t, b, fmt.Sprintf("a%d@example.ch", round), true)
			c := signUp(t, b, fmt.Sprintf("c%d@example.ch", round), true)
			orgID := ownOrg(t, b, a.ID)
			addMember(t, b, orgID, c.ID, org.RoleLegalRepresentative)
			addProduct(t, b, orgID, "active")
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, u := range []string{a.ID, c.ID} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = b.accounts.Close(ctx, u, password, audit.Meta{ActorID: u})
				}()
			}
			wg.Wait()
			if n := count(t, db, `SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND role = 'legal_representative'`, orgID); n != 1 {
				t.Fatalf("round %d: %d legal representatives left after two concurrent closes (errors %v)", round, n, errs)
			}
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("round %d: errors %v, want exactly one close to succeed", round, errs)
			}
		}
	})
}

// SEC-7: a user who chose not to be e-mailed about an event is not.
func TestSEC7_AlertChoicesAreHonoured(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	asked := map[string]bool{}
	b.accounts = account.New(b.db, b.clock, b.notifier, account.Options{Password: cheap,
		WantsEmail: func(_ context.Context, _ store.Querier, _, event string) (bool, error) {
			asked[event] = true
			return false, nil
		}})
	u := signUp(t, b, "quiet@example.ch", true)
	_, _ = b.accounts.Authenticate(ctx, u.Email, "wrong password!", audit.Meta{})
	if err := b.accounts.ChangePassword(ctx, u.ID, password, "a new long password", "", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	if !asked["signin_failed"] || !asked["password_changed"] {
		t.Fatalf("events asked: %v", asked)
	}
	for _, tpl := range []string{"security_signin_failed", "password_changed"} {
		if got := mails(t, b, u.Email, tpl); len(got) != 0 {
			t.Errorf("%d %s e-mails sent against the user's choice", len(got), tpl)
		}
	}
}
