package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/security"
)

func TestSEC5_OrganizationPageShowsTheTwoStepSwitch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lena, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	adam, _ := b.person("adam@muster.ch", "Adam", "Meier", "en")
	b.join(o.ID, adam.ID, org.RoleAdministrator)

	lr := b.browser()
	lr.signIn("lena@muster.ch")
	page := lr.get("/organization").body
	mustContain(t, page, `action="/organization/two-step"`, `name="require_two_step"`, i18n.T("en", "org.two_step.label"))
	if strings.Contains(page, `disabled aria-describedby="two-step-reason"`) {
		t.Error("the legal representative sees the two-step switch disabled")
	}

	if _, err := b.orgs.SetRequireTwoStep(context.Background(), lena.ID, o.ID, true, audit.Meta{ActorID: lena.ID}); err != nil {
		t.Fatal(err)
	}
	br := b.browser()
	br.signIn("adam@muster.ch")
	br.switchTo(o.ID)
	page = br.get("/organization").body
	mustContain(t, page, `<fieldset class="plain" disabled aria-describedby="two-step-reason">`,
		`data-testid="require-two-step" checked`, i18n.T("en", "error.legal_representative_required"))

	// Adam, without two-step sign-in, is asked to switch it on.
	sec := br.get("/profile/security").body
	mustContain(t, sec, `data-testid="two-step-required"`, i18n.T("en", "two_step.required_by", o.Name))
}

func TestSEC7_SecurityPageShowsTheAlertChoices(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada, _ := b.person("ada@muster.ch", "Ada", "Roth", "en")
	if _, err := b.security.SetAlertPreferences(context.Background(), ada.ID,
		map[string]bool{security.EventSignInFailed: false}, audit.Meta{ActorID: ada.ID}); err != nil {
		t.Fatal(err)
	}
	br := b.browser()
	br.signIn("ada@muster.ch")
	page := br.get("/profile/security").body
	mustContain(t, page, `action="/profile/security/alerts"`,
		`value="new_signin" data-testid="alert-new_signin" checked`,
		`value="signin_failed" data-testid="alert-signin_failed">`,
		i18n.T("en", "security.alerts.event.password_changed"))
}

func TestSEC5_LegalRepresentativeSwitchesTheRequirement(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	adam, _ := b.person("adam@muster.ch", "Adam", "Meier", "en")
	b.join(o.ID, adam.ID, org.RoleAdministrator)

	br := b.browser()
	br.signIn("adam@muster.ch")
	br.switchTo(o.ID)
	if r := br.post("/organization/two-step", url.Values{"require_two_step": {"on"}}); r.status != http.StatusForbidden {
		t.Fatalf("administrator: status %d, want 403", r.status)
	}
	lr := b.browser()
	lr.signIn("lena@muster.ch")
	r := lr.post("/organization/two-step", url.Values{"require_two_step": {"on"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("legal representative: status %d\n%s", r.status, r.body)
	}
	mustContain(t, lr.get(r.location).body, i18n.T("en", "org.two_step.saved"), `data-testid="require-two-step" checked`)
	got, err := b.orgs.GetForUser(context.Background(), adam.ID, o.ID)
	if err != nil || !got.RequireTwoStep {
		t.Fatalf("after switching on: %+v, %v", got, err)
	}
	// A member without two-step sign-in is asked on the home page.
	mustContain(t, br.get("/").body, `data-testid="two-step-required"`, "Lena Roth")
	// An unticked box switches it off.
	lr.post("/organization/two-step", url.Values{})
	if got, _ := b.orgs.GetForUser(context.Background(), adam.ID, o.ID); got.RequireTwoStep {
		t.Fatal("the requirement stayed on")
	}
}

func TestSEC7_SecurityPageSavesTheAlertChoices(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada, _ := b.person("ada@muster.ch", "Ada", "Roth", "en")
	br := b.browser()
	br.signIn("ada@muster.ch")
	r := br.post("/profile/security/alerts", url.Values{"alert": {security.EventSignInFailed, security.EventPasswordChanged}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("saving: status %d\n%s", r.status, r.body)
	}
	mustContain(t, br.get(r.location).body, i18n.T("en", "security.alerts.saved"))
	prefs, err := b.security.AlertPreferences(context.Background(), ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prefs {
		want := p.Event == security.EventSignInFailed || p.Event == security.EventPasswordChanged
		if p.Email != want {
			t.Errorf("%s = %v, want %v", p.Event, p.Email, want)
		}
	}
}
