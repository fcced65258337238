package security_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

const (
	firefoxLinux2 = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"
)

// signInFrom records a successful sign-in from ip and ua, as the console
// does, then runs the new-device check; it reports whether an alert went out.
func (e *env) signInFrom(t *testing.T, u account.User, ip, ua string) bool {
	t.Helper()
	meta := audit.Meta{ActorID: u.ID, IP: ip, UserAgent: ua}
	if _, _, err := e.accounts.CreateSession(ctx, u.ID, meta); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	sent, err := e.sec.AlertIfNew(ctx, u.ID, meta)
	if err != nil {
		t.Fatalf("AlertIfNew(%s, %s): %v", ip, ua, err)
	}
	return sent
}

func TestSEC6_NewDeviceAlertOnceWithoutLink(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u, err := e.accounts.SignUp(ctx, account.SignUpInput{Email: "ada@example.ch", Password: password, FirstName: "Ada",
			LastName: "Muster", Language: "en", TimeZone: "Europe/Zurich", Confirmed: true}, audit.Meta{IP: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			what, ip, ua string
			alert        bool
		}{
			{"first sign-in of the account", "203.0.113.7", firefoxLinux, false},
			{"same device and address", "203.0.113.7", firefoxLinux, false},
			{"same device, same /24, newer browser version", "203.0.113.99", firefoxLinux2, false},
			{"same device, new network", "198.51.100.4", firefoxLinux, true},
			{"that network again", "198.51.100.200", firefoxLinux, false},
			{"new device on a known network", "203.0.113.7", safariIPhone, true},
			{"IPv6 network", "2001:db8:1:2::1", firefoxLinux, true},
			{"same IPv6 /48", "2001:db8:1:ffff::5", firefoxLinux, false},
			{"another IPv6 /48", "2001:db8:2::5", firefoxLinux, true},
		}
		want := 0
		for _, s := range steps {
			if got := e.signInFrom(t, u, s.ip, s.ua); got != s.alert {
				t.Fatalf("%s: alert = %v, want %v", s.what, got, s.alert)
			}
			if s.alert {
				want++
			}
			if n := len(e.mails(t, u.Email, "security_new_signin")); n != want {
				t.Fatalf("%s: %d security_new_signin e-mails, want %d", s.what, n, want)
			}
			e.clock.Advance(time.Hour)
		}
		mails := e.mails(t, u.Email, "security_new_signin")
		first := mails[len(mails)-1]
		if len(first.Links) != 0 || strings.Contains(first.BodyText, "http") || strings.Contains(first.BodyHTML, "href") {
			t.Errorf("the alert carries a link: links %v, text %q", first.Links, first.BodyText)
		}
		// 09:00 UTC + 3 h is 13:00 in Zurich (CET) on 22 November.
		for _, part := range []string{"198.51.100.4", "Firefox on Linux", "13:00", "Ada"} {
			if !strings.Contains(first.BodyText, part) {
				t.Errorf("the alert does not say %q: %q", part, first.BodyText)
			}
		}
	})
}

func TestSEC7_AlertPreferences(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		meta := audit.Meta{ActorID: u.ID}
		prefs, err := e.sec.AlertPreferences(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(prefs) != len(security.AlertEvents) {
			t.Fatalf("preferences = %+v", prefs)
		}
		for _, p := range prefs {
			if !p.Email {
				t.Errorf("%s is off by default", p.Event)
			}
		}
		_, err = e.sec.SetAlertPreferences(ctx, u.ID, map[string]bool{"lottery_won": false}, meta)
		wantCode(t, "unknown event", err, "validation_failed", "event")

		prefs, err = e.sec.SetAlertPreferences(ctx, u.ID, map[string]bool{security.EventNewSignIn: false,
			security.EventTwoStepChanged: false}, meta)
		if err != nil {
			t.Fatalf("SetAlertPreferences: %v", err)
		}
		for _, p := range prefs {
			off := p.Event == security.EventNewSignIn || p.Event == security.EventTwoStepChanged
			if p.Email == off {
				t.Errorf("after switching off: %s e-mail = %v", p.Event, p.Email)
			}
		}
		if on, err := e.sec.WantsEmail(ctx, db, u.ID, security.EventSignInFailed); err != nil || !on {
			t.Errorf("WantsEmail(signin_failed) = %v, %v; want true", on, err)
		}

		e.signInFrom(t, u, "203.0.113.7", firefoxLinux)
		if e.signInFrom(t, u, "198.51.100.4", firefoxLinux) {
			t.Error("a new network alerted with new_signin switched off")
		}
		e.switchOn(t, u)
		if n := len(e.mails(t, u.Email, "two_step_changed")); n != 0 {
			t.Errorf("%d two_step_changed e-mails with the event switched off", n)
		}
		if n := len(e.mails(t, u.Email, "security_new_signin")); n != 0 {
			t.Fatalf("%d security_new_signin e-mails with the event switched off", n)
		}

		// Switched on again, the next new network e-mails.
		if _, err := e.sec.SetAlertPreferences(ctx, u.ID, map[string]bool{security.EventNewSignIn: true}, meta); err != nil {
			t.Fatal(err)
		}
		if !e.signInFrom(t, u, "192.0.2.50", firefoxLinux) {
			t.Error("no alert after switching new_signin on again")
		}
		if n := len(e.mails(t, u.Email, "security_new_signin")); n != 1 {
			t.Errorf("%d security_new_signin e-mails, want 1", n)
		}
	})
}

func TestSEC5_OrganizationRequiresTwoStep(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		orgs := org.New(db, e.clock)
		ada, err := e.accounts.SignUp(ctx, account.SignUpInput{Email: "ada@example.ch", Password: password, FirstName: "Ada",
			LastName: "Muster", OrganizationName: "Muster AG", Language: "en", Confirmed: true}, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		bob := e.signUp(t, "bob@example.ch")
		list, err := orgs.ListForUser(ctx, ada.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("ListForUser = %v, %v", list, err)
		}
		orgID := list[0].ID
		if _, err := db.ExecContext(ctx, `INSERT INTO memberships (organization_id, user_id, role, created_at)
			VALUES ($1, $2, 'collaborator', $3)`, orgID, bob.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if list[0].RequireTwoStep {
			t.Fatal("a new organization requires two-step sign-in")
		}

		// Only a legal representative switches the requirement.
		_, err = orgs.SetRequireTwoStep(ctx, bob.ID, orgID, true, audit.Meta{ActorID: bob.ID})
		wantCode(t, "collaborator", err, "legal_representative_required", "")
		o, err := orgs.SetRequireTwoStep(ctx, ada.ID, orgID, true, audit.Meta{ActorID: ada.ID})
		if err != nil || !o.RequireTwoStep {
			t.Fatalf("SetRequireTwoStep(on) = %+v, %v", o, err)
		}
		if seen, err := orgs.GetForUser(ctx, bob.ID, orgID); err != nil || !seen.RequireTwoStep {
			t.Fatalf("bob sees %+v, %v", seen, err)
		}
		st := e.status(t, bob.ID)
		if st.Enabled || len(st.RequiredBy) != 1 || st.RequiredBy[0] != "Muster AG" {
			t.Fatalf("bob's status = %+v, want required by Muster AG", st)
		}

		// With two-step on, bob cannot switch it off while required.
		secret, _ := e.switchOn(t, bob)
		e.clock.Advance(time.Minute)
		err = e.sec.DisableTOTP(ctx, bob.ID, password, e.code(t, secret, 0), audit.Meta{ActorID: bob.ID})
		wantCode(t, "disable while required", err, "two_step_required", "")
		if ae := apperr.As(err); ae.Status != http.StatusConflict || !strings.Contains(ae.Message, "Muster AG") {
			t.Errorf("refusal = %d %q, want 409 naming Muster AG", ae.Status, ae.Message)
		}
		if !e.status(t, bob.ID).Enabled {
			t.Fatal("the refused attempt switched two-step off")
		}

		if _, err := orgs.SetRequireTwoStep(ctx, ada.ID, orgID, false, audit.Meta{ActorID: ada.ID}); err != nil {
			t.Fatal(err)
		}
		if st := e.status(t, bob.ID); len(st.RequiredBy) != 0 {
			t.Fatalf("required_by after lifting = %v", st.RequiredBy)
		}
		e.clock.Advance(time.Minute)
		if err := e.sec.DisableTOTP(ctx, bob.ID, password, e.code(t, secret, 0), audit.Meta{ActorID: bob.ID}); err != nil {
			t.Fatalf("DisableTOTP after the requirement was lifted: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE organization_id = $1
			AND action IN ('organization.two_step_required', 'organization.two_step_not_required')`, orgID); n != 2 {
			t.Errorf("%d audit events of the requirement, want 2", n)
		}
	})
}
