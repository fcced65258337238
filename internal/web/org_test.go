package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/org"
)

func TestORG2_LegalDetailsDisabledForAdministrator(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	admin, _ := b.person("adam@muster.ch", "Adam", "Meier", "de")
	b.join(o.ID, admin.ID, org.RoleAdministrator)

	br := b.browser()
	br.signIn("adam@muster.ch")
	br.switchTo(o.ID)
	page := br.get("/organization").body
	mustContain(t, page, `<fieldset class="plain" disabled aria-describedby="legal-reason">`,
		i18n.T("de", "error.legal_representative_required"), `<button type="submit" class="btn btn-primary" disabled aria-describedby="legal-reason">`)
	r := br.post("/organization", url.Values{"name": {"Hijacked"}, "legal_form": {"company"}, "country": {"CH"}})
	if r.status != http.StatusForbidden {
		t.Errorf("administrator saving legal details: status %d, want 403", r.status)
	}
	mustContain(t, r.body, i18n.T("de", "error.legal_representative_required"))

	lr := b.browser()
	lr.signIn("lena@muster.ch")
	form := lr.get("/organization").body
	if strings.Contains(form, `<fieldset class="plain" disabled`) {
		t.Error("the legal representative sees the legal details disabled")
	}
	saved := lr.post("/organization", url.Values{"name": {"Muster AG"}, "legal_form": {"company"}, "street": {"Bahnhofstrasse 1"},
		"postcode": {"8001"}, "city": {"Zürich"}, "country": {"CH"}, "vat_number": {"CHE-123.456.789 MWST"}})
	if saved.status != http.StatusSeeOther {
		t.Fatalf("saving: status %d\n%s", saved.status, saved.body)
	}
	mustContain(t, lr.get(saved.location).body, i18n.T("en", "org.settings.saved"), `value="Bahnhofstrasse 1"`,
		`value="CHE-123.456.789 MWST"`, `value="company" checked`, ">Muster AG<")
}

func TestORG6_RemovingTheLastLegalRepresentativeIsRefusedWithTheReason(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lena, o := b.person("lena@muster.ch", "Lena", "Roth", "fr")
	colleague, _ := b.person("carl@muster.ch", "Carl", "Keller", "fr")
	b.join(o.ID, colleague.ID, org.RoleCollaborator)
	br := b.browser()
	br.signIn("lena@muster.ch")

	users := br.get("/organization/users").body
	refusal := i18n.T("fr", "error.last_legal_representative")
	row := element(users, "tr", `data-email="lena@muster.ch"`)
	mustContain(t, row, `aria-disabled="true"`, refusal) // the ⋮ menu says why before any click (ORG-10)
	mustContain(t, br.get("/organization").body, `disabled aria-describedby="leave-reason"`, refusal)

	// Ticking oneself and "Remove selected" is refused, the selection kept.
	r := br.post("/organization/users/remove", url.Values{"user_ids": {lena.ID, colleague.ID}})
	if r.status != http.StatusConflict {
		t.Fatalf("status %d, want 409\n%s", r.status, r.body)
	}
	mustContain(t, errorText(t, r.body), refusal)
	mustContain(t, r.body, `value="`+lena.ID+`" form="bulk-remove" id="sel-`+lena.ID+`" checked`)
	members, err := b.orgs.Members(context.Background(), lena.ID, o.ID, org.MemberFilter{})
	if err != nil || len(members) != 2 {
		t.Errorf("members after the refusal: %d (%v), want both kept (all or nothing)", len(members), err)
	}
	if l := br.post("/organization/leave", url.Values{}); l.status != http.StatusConflict || !strings.Contains(l.body, refusal) {
		t.Errorf("leaving as the last legal representative: status %d", l.status)
	}
	// Removing the colleague alone works.
	ok := br.post("/organization/users/remove", url.Values{"user_ids": {colleague.ID}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("removing a collaborator: status %d", ok.status)
	}
	mustContain(t, br.get(ok.location).body, i18n.T("fr", "members.removed"))
}

func TestORG10_ActionsShownDisabledWithTheReason(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	collab, _ := b.person("carl@muster.ch", "Carl", "Keller", "en")
	ext, _ := b.person("eva@partner.ch", "Eva", "Extern", "en")
	b.join(o.ID, collab.ID, org.RoleCollaborator)
	b.join(o.ID, ext.ID, org.RoleExternal)

	br := b.browser()
	br.signIn("carl@muster.ch")
	br.switchTo(o.ID)
	adminOnly := i18n.T("en", "error.administrator_required")
	users := br.get("/organization/users").body
	mustContain(t, users, `<span class="btn btn-primary is-disabled" aria-disabled="true" aria-describedby="invite-reason">`,
		`data-testid="bulk-remove" disabled aria-describedby="bulk-reason"`, adminOnly,
		`data-testid="external"`) // externals are marked
	row := element(users, "tr", `data-email="lena@muster.ch"`)
	if strings.Count(row, `aria-disabled="true"`) < 4 || strings.Contains(row, `action="/organization/users/remove"`) {
		t.Errorf("a collaborator's ⋮ menu offers actions on another user:\n%s", row)
	}
	mustContain(t, br.get("/organization/users/invite").body, `<fieldset class="plain" disabled`, adminOnly)
	mustContain(t, br.get("/organization/teams").body, `disabled aria-describedby="team-reason"`, adminOnly)
	// The rule decides on the server too.
	if r := br.post("/organization/users/invite", url.Values{"email": {"x@example.ch"}, "role": {"collaborator"}}); r.status != http.StatusForbidden {
		t.Errorf("collaborator inviting: status %d, want 403", r.status)
	}

	// An external user sees "Users and teams" disabled, with the reason.
	ex := b.browser()
	ex.signIn("eva@partner.ch")
	ex.switchTo(o.ID)
	nav := element(ex.get("/products").body, "nav", `class="sidebar"`)
	mustContain(t, nav, `aria-disabled="true" title="`+i18n.T("en", "error.external_user")+`"`)
	if strings.Contains(nav, `href="/organization/users"`) {
		t.Error("the menu links an external user to the member list")
	}
}

func TestORG10_MenuLinksEveryCategory(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user("ada@example.ch", "en")
	br := b.browser()
	br.signIn("ada@example.ch")
	nav := element(br.get("/").body, "nav", `class="sidebar"`)
	for _, c := range categories {
		mustContain(t, nav, `href="/products?type=`+c.Type+`"`, i18n.T("en", "category."+c.Key))
	}
	mustContain(t, nav, `href="/billing"`, `href="/billing/invoices"`, `href="/billing/methods"`, `href="/billing/prepaid"`,
		`href="/profile/security"`, `href="/organization/users"`, `href="/organization"`)
}

func TestORG3_InvitationLinkSignsUpAndLandsInTheOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, o := b.person("lena@muster.ch", "Lena", "Roth", "de")
	web := b.product(o.ID, "web_hosting", "muster.ch")
	b.product(o.ID, "domain", "muster.com")
	br := b.browser()
	br.signIn("lena@muster.ch")
	r := br.post("/organization/users/invite", url.Values{"email": {"nina@example.ch"}, "role": {"collaborator"},
		"product_ids": {web.ID}, "contact_preferences": {"technical", "billing"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("invite: status %d\n%s", r.status, r.body)
	}
	list := br.get(r.location).body
	mustContain(t, list, i18n.T("de", "invitation.sent"), "nina@example.ch", `/resend"`, `/cancel"`)

	link := outboxLink(t, b, "nina@example.ch", "/invitations/")
	anon := b.browser()
	anon.lang = "en"
	landing := anon.get(link.RequestURI())
	mustContain(t, landing.body, "Lena Roth", "Lena Roth invites you to join Lena Roth as Collaborator",
		`value="nina@example.ch" readonly`, `action="`+link.Path+`/signup"`)
	bad := anon.post(link.Path+"/signup", url.Values{"first_name": {"Nina"}, "last_name": {"Neu"}, "password": {"short"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Errorf("short password: status %d", bad.status)
	}
	mustContain(t, bad.body, `value="Nina"`, `id="password-error"`)
	done := anon.post(link.Path+"/signup", url.Values{"first_name": {"Nina"}, "last_name": {"Neu"}, "password": {testPassword}, "language": {"en"}})
	if done.status != http.StatusSeeOther || done.location != "/?joined=1" || anon.cookie(sessionCookie) == "" {
		t.Fatalf("sign-up from the link: status %d to %q\n%s", done.status, done.location, done.body)
	}
	home := anon.get(done.location).body
	mustContain(t, home, i18n.T("en", "invitation.joined"), `data-testid="current-org">Lena Roth<`)
	nina, err := b.accounts.GetByEmail(context.Background(), "nina@example.ch")
	if err != nil || !nina.EmailConfirmed {
		t.Fatalf("account %+v (%v), want confirmed by the link", nina, err)
	}
	orgs, _ := b.orgs.ListForUser(context.Background(), nina.ID)
	if len(orgs) != 1 || orgs[0].ID != o.ID || orgs[0].Role != org.RoleCollaborator {
		t.Errorf("organizations %+v, want only Lena's, as collaborator (ACC-2: none of her own)", orgs)
	}
	if got := productNames(anon.get("/products").body); !slices.Equal(got, []string{"muster.ch"}) {
		t.Errorf("products of the new collaborator: %v, want the granted one only (ORG-8)", got)
	}
	if again := anon.get(link.RequestURI()); again.status != http.StatusGone {
		t.Errorf("used link: status %d, want 410", again.status)
	}
}

func TestORG3_InvitationLinkForExistingAccounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lena, _ := b.person("lena@muster.ch", "Lena", "Roth", "en")
	b.person("max@example.ch", "Max", "Muster", "en")
	b.person("eve@example.ch", "Eve", "Other", "en")
	ctx := context.Background()
	invite := func(email string) *url.URL {
		t.Helper()
		br := b.browser()
		br.signIn("lena@muster.ch")
		if r := br.post("/organization/users/invite", url.Values{"email": {email}, "role": {"administrator"}}); r.status != http.StatusSeeOther {
			t.Fatalf("invite %s: status %d\n%s", email, r.status, r.body)
		}
		return outboxLink(t, b, email, "/invitations/")
	}
	link := invite("max@example.ch")

	anon := b.browser().get(link.RequestURI())
	mustContain(t, anon.body, i18n.T("en", "invitation.has_account"), `href="/signin?next=/invitations/`)
	if strings.Contains(anon.body, `/signup"`) {
		t.Error("an existing account is offered to sign up again")
	}
	eve := b.browser()
	eve.signIn("eve@example.ch")
	mustContain(t, eve.get(link.RequestURI()).body, `data-testid="other-email"`, "eve@example.ch")
	if r := eve.post(link.Path+"/accept", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("accepting someone else's invitation: status %d, want 403", r.status)
	}

	// Max sees it on his home page too, and accepts from the link.
	mx := b.browser()
	mx.signIn("max@example.ch")
	mustContain(t, mx.get("/").body, `data-testid="my-invitation"`, "Lena Roth")
	acc := mx.post(link.Path+"/accept", url.Values{})
	if acc.status != http.StatusSeeOther {
		t.Fatalf("accept: status %d\n%s", acc.status, acc.body)
	}
	mustContain(t, mx.get(acc.location).body, `data-testid="current-org">Lena Roth<`, i18n.T("en", "invitation.joined"))

	// Declined from the home page; expired after 14 days.
	b.person("zoe@example.ch", "Zoe", "Zed", "en")
	invite("zoe@example.ch")
	zoe := b.browser()
	zoe.signIn("zoe@example.ch")
	invs, err := b.invites.ListForUser(ctx, mustUser(t, b, "zoe@example.ch"))
	if err != nil || len(invs) != 1 {
		t.Fatalf("zoe's invitations: %v, %v", invs, err)
	}
	if r := zoe.post("/profile/invitations/"+invs[0].ID+"/decline", url.Values{}); r.status != http.StatusSeeOther {
		t.Errorf("decline: status %d", r.status)
	}
	late := invite("late@example.ch")
	b.clock.Advance(15 * 24 * time.Hour)
	expired := b.browser().get(late.RequestURI())
	if expired.status != http.StatusGone {
		t.Errorf("expired link: status %d, want 410", expired.status)
	}
	mustContain(t, expired.body, i18n.T("en", "error.invitation_invalid"))
	_ = lena
}

func mustUser(t *testing.T, b *testBundle, email string) string {
	t.Helper()
	u, err := b.accounts.GetByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestTEAM2_TeamChangesTheCollaboratorsProducts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	carl, _ := b.person("carl@muster.ch", "Carl", "Keller", "en")
	b.join(o.ID, carl.ID, org.RoleCollaborator)
	shop := b.product(o.ID, "web_hosting", "shop.muster.ch")
	b.product(o.ID, "domain", "muster.ch")

	cb := b.browser()
	cb.signIn("carl@muster.ch")
	cb.switchTo(o.ID)
	empty := cb.get("/products").body
	mustContain(t, empty, `data-testid="products-empty"`, i18n.T("en", "products.empty.switch"))

	lr := b.browser()
	lr.signIn("lena@muster.ch")
	r := lr.post("/organization/teams", url.Values{"name": {"Web"}, "leader_id": {carl.ID}, "product_ids": {shop.ID}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create team: status %d\n%s", r.status, r.body)
	}
	teamPath := strings.TrimSuffix(r.location, "?created=1")
	mustContain(t, lr.get(r.location).body, i18n.T("en", "team.created"), "Carl Keller", i18n.T("en", "team.leader"))
	if got := productNames(cb.get("/products").body); !slices.Equal(got, []string{"shop.muster.ch"}) {
		t.Errorf("after joining the team as leader, products %v, want [shop.muster.ch]", got)
	}
	if got := productNames(cb.get("/products?type=domain").body); len(got) != 0 {
		t.Errorf("domains %v, want none", got)
	}
	home := cb.get("/").body
	mustContain(t, home, `data-testid="count-web_hosting"`, `>1 product</a>`) // one, not "1 products"

	dup := lr.post("/organization/teams", url.Values{"name": {"Web"}})
	if dup.status != http.StatusConflict {
		t.Errorf("duplicate team name: status %d", dup.status)
	}
	mustContain(t, dup.body, i18n.T("en", "error.team_name_taken"), `value="Web"`)

	rm := lr.post(teamPath+"/members/"+carl.ID+"/remove", url.Values{})
	if rm.status != http.StatusSeeOther {
		t.Fatalf("remove member: status %d\n%s", rm.status, rm.body)
	}
	if got := productNames(cb.get("/products").body); len(got) != 0 {
		t.Errorf("after leaving the team, products %v, want none (TEAM-2)", got)
	}
	add := lr.post(teamPath+"/members", url.Values{"user_ids": {carl.ID}})
	if add.status != http.StatusSeeOther {
		t.Fatalf("add members: status %d\n%s", add.status, add.body)
	}
	if got := productNames(cb.get("/products").body); len(got) != 1 {
		t.Errorf("after joining again, products %v", got)
	}
	if d := lr.post(teamPath+"/delete", url.Values{}); d.status != http.StatusSeeOther {
		t.Errorf("delete team: status %d", d.status)
	}
	if got := productNames(cb.get("/products").body); len(got) != 0 {
		t.Errorf("after deleting the team, products %v", got)
	}
}

func TestORG5_MemberPageGrantsProductsAndSelfEditsOnlyContacts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lena, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	carl, _ := b.person("carl@muster.ch", "Carl", "Keller", "en")
	b.join(o.ID, carl.ID, org.RoleCollaborator)
	site := b.product(o.ID, "web_hosting", "muster.ch")
	b.product(o.ID, "mail", "mail.muster.ch")

	lr := b.browser()
	lr.signIn("lena@muster.ch")
	page := lr.get("/organization/users/" + carl.ID).body
	mustContain(t, page, `name="product_ids" value="`+site.ID+`"`, `<option value="legal_representative"`)
	r := lr.post("/organization/users/"+carl.ID, url.Values{"role": {"collaborator"}, "product_ids": {site.ID},
		"billing": {"1"}, "contact_preferences": {"technical"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save member: status %d\n%s", r.status, r.body)
	}
	m, err := b.orgs.Member(context.Background(), lena.ID, o.ID, carl.ID)
	if err != nil || !slices.Equal(m.ProductIDs, []string{site.ID}) || !m.Billing || !slices.Equal(m.ContactPreferences, []string{"technical"}) {
		t.Fatalf("member %+v (%v)", m, err)
	}
	cb := b.browser()
	cb.signIn("carl@muster.ch")
	cb.switchTo(o.ID)
	if got := productNames(cb.get("/products").body); !slices.Equal(got, []string{"muster.ch"}) {
		t.Errorf("collaborator's products %v, want [muster.ch] (ORG-8)", got)
	}
	// On his own page Carl changes only his contact preferences.
	own := cb.get("/organization/users/" + carl.ID).body
	mustContain(t, own, `<select id="role-select" name="role" disabled`, i18n.T("en", "members.self_reason"))
	r = cb.post("/organization/users/"+carl.ID, url.Values{"role": {"administrator"}, "product_ids": {}, "contact_preferences": {"security", "billing"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("self save: status %d\n%s", r.status, r.body)
	}
	m, _ = b.orgs.Member(context.Background(), lena.ID, o.ID, carl.ID)
	if m.Role != org.RoleCollaborator || len(m.ProductIDs) != 1 || !slices.Equal(m.ContactPreferences, []string{"billing", "security"}) {
		t.Errorf("after a self-edit: %+v, want role and products unchanged, contacts billing+security", m)
	}
}

func TestORG9_ForeignObjectsAreNotFound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.person("lena@muster.ch", "Lena", "Roth", "en")
	eve, eo := b.person("eve@other.ch", "Eve", "Other", "en")
	p := b.product(eo.ID, "domain", "other.ch")
	ev := b.browser()
	ev.signIn("eve@other.ch")
	if r := ev.post("/organization/teams", url.Values{"name": {"Secret"}}); r.status != http.StatusSeeOther {
		t.Fatalf("team: %d", r.status)
	}
	teams, _ := b.teams.List(context.Background(), eve.ID, eo.ID)
	br := b.browser()
	br.signIn("lena@muster.ch")
	for _, path := range []string{"/products/" + p.ID, "/organization/users/" + eve.ID, "/organization/teams/" + teams[0].ID,
		"/products/not-an-id", "/products?type=spaceships"} {
		if r := br.get(path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, r.status)
		}
	}
	if r := br.post("/organization/teams/"+teams[0].ID+"/delete", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("deleting a foreign team: status %d", r.status)
	}
}

func TestACC4_CreateOrganizationAndSwitchBackToSections(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	p := b.product(o.ID, "domain", "roth.ch")
	br := b.browser()
	br.signIn("lena@muster.ch")
	mustContain(t, br.get("/").body, `href="/organizations/new"`)
	bad := br.post("/organizations", url.Values{"name": {""}, "legal_form": {"company"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Errorf("empty name: status %d", bad.status)
	}
	r := br.post("/organizations", url.Values{"name": {"Roth Design GmbH"}, "legal_form": {"company"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: status %d\n%s", r.status, r.body)
	}
	mustContain(t, br.get(r.location).body, `data-testid="current-org">Roth Design GmbH<`, i18n.T("en", "org.created"))
	empty := br.get("/products").body
	mustContain(t, empty, `data-testid="products-empty"`, i18n.T("en", "products.empty.switch"))
	sw := br.post("/organizations/switch", url.Values{"organization_id": {o.ID}, "next": {"/products/" + p.ID}})
	if sw.location != "/products" {
		t.Errorf("switching from a product goes to %q, want /products", sw.location)
	}
	mustContain(t, br.get("/products/"+p.ID).body, "roth.ch", "31.03.2027")
}

func TestACC5_SecurityPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lena, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	carl, _ := b.person("carl@muster.ch", "Carl", "Keller", "en")
	b.join(o.ID, carl.ID, org.RoleCollaborator)
	other := b.browser()
	other.signIn("lena@muster.ch")
	br := b.browser()
	br.signIn("lena@muster.ch")
	page := br.get("/profile/security").body
	if n := strings.Count(page, `data-testid="session-row"`); n != 2 {
		t.Errorf("%d sessions listed, want 2", n)
	}

	wrong := br.post("/profile/security/password", url.Values{"current_password": {"nope nope nope"}, "new_password": {"a new long password"}})
	if wrong.status != http.StatusUnprocessableEntity {
		t.Errorf("wrong current password: status %d", wrong.status)
	}
	mustContain(t, element(wrong.body, "section", `id="password"`), i18n.T("en", "error.current_password_wrong"))
	if strings.Contains(element(wrong.body, "section", `id="email"`), "alert-error") {
		t.Error("the password refusal is shown in the e-mail form too")
	}
	ok := br.post("/profile/security/password", url.Values{"current_password": {testPassword}, "new_password": {"a new long password"}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("change password: status %d\n%s", ok.status, ok.body)
	}
	mustContain(t, br.get(ok.location).body, i18n.T("en", "security.password.changed"))
	if r := other.get("/profile"); r.status != http.StatusSeeOther {
		t.Errorf("the other session still works after the password change: %d", r.status)
	}

	sent := br.post("/profile/security/email", url.Values{"new_email": {"lena@roth.ch"}, "password": {"a new long password"}})
	mustContain(t, sent.body, `data-testid="email-sent"`, "lena@roth.ch")
	outboxLink(t, b, "lena@roth.ch", "/confirm")

	// Closing is refused while Lena is the last legal representative of an
	// organization with another member (ACC-5, ORG-6).
	closeTry := br.post("/profile/security/close", url.Values{"password": {"a new long password"}})
	if closeTry.status != http.StatusConflict {
		t.Errorf("close as last legal representative: status %d, want 409", closeTry.status)
	}
	mustContain(t, element(closeTry.body, "section", `id="close"`), i18n.T("en", "error.last_legal_representative"))
	if _, err := b.accounts.Get(context.Background(), lena.ID); err != nil {
		t.Errorf("the account was closed despite the refusal: %v", err)
	}
	cb := b.browser()
	cb.signIn("carl@muster.ch")
	closed := cb.post("/profile/security/close", url.Values{"password": {testPassword}})
	if closed.status != http.StatusSeeOther || closed.location != "/signin?closed=1" {
		t.Fatalf("close: status %d to %q\n%s", closed.status, closed.location, closed.body)
	}
	mustContain(t, cb.get(closed.location).body, i18n.T("en", "signin.closed"))
}

// TestUI4_NewPagesInEveryLanguage renders the organization, users, teams,
// products, invitation and security pages, and their refusals, in the five
// languages; setup fails the test on any missing translation key.
func TestUI4_NewPagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, lang := range i18n.Languages {
		lr, o := b.person("lr-"+lang+"@example.ch", "Lea", "Roth", lang)
		collab, _ := b.person("co-"+lang+"@example.ch", "Carl", "Keller", lang)
		ext, _ := b.person("ex-"+lang+"@example.ch", "Eva", "Extern", lang)
		b.join(o.ID, collab.ID, org.RoleCollaborator)
		b.join(o.ID, ext.ID, org.RoleExternal)
		p := b.product(o.ID, "mail", "mail-"+lang+".ch")
		br := b.browser()
		br.signIn(lr.Email)
		tr := br.post("/organization/teams", url.Values{"name": {"Team " + lang}, "leader_id": {collab.ID}, "product_ids": {p.ID}})
		br.post("/organization/users/invite", url.Values{"email": {"new-" + lang + "@example.ch"}, "role": {"collaborator"}})
		link := outboxLink(t, b, "new-"+lang+"@example.ch", "/invitations/")
		pages := []response{
			br.get("/"), br.get("/organization"), br.get("/organization?saved=1"), br.get("/organizations/new"),
			br.get("/organization/users"), br.get("/organization/users?show=invitations&resent=1"),
			br.get("/organization/users?role=external&removed=1"), br.get("/organization/users/invite"),
			br.get("/organization/users/" + collab.ID + "?saved=1"), br.get("/organization/users/" + lr.ID),
			br.get("/organization/teams?deleted=1"), br.get(tr.location), br.get("/products"), br.get("/products?type=domain"),
			br.get("/products/" + p.ID), br.get("/profile/security?password=1"),
			br.post("/organization/users/remove", url.Values{"user_ids": {lr.ID}}),
			br.post("/organization/users/invite", url.Values{"email": {"bad"}, "role": {"collaborator"}}),
			br.post("/organization/teams", url.Values{"name": {""}}),
			br.post("/organizations", url.Values{"name": {""}, "legal_form": {"company"}}),
			br.post("/profile/security/password", url.Values{"current_password": {"x"}, "new_password": {"y"}}),
			br.post("/profile/security/email", url.Values{"new_email": {"bad"}, "password": {testPassword}}),
			br.post("/profile/security/close", url.Values{"password": {testPassword}}),
		}
		anon := b.browser()
		anon.lang = lang
		pages = append(pages, anon.get(link.RequestURI()), anon.get("/invitations/nope"),
			anon.post(link.Path+"/signup", url.Values{"first_name": {""}}))
		cb := b.browser()
		cb.signIn(collab.Email)
		cb.switchTo(o.ID)
		pages = append(pages, cb.get("/organization"), cb.get("/organization/users"), cb.get("/organization/teams"),
			cb.get("/organization/users/invite"), cb.get("/organization/users/"+collab.ID), cb.get("/products?type=web_hosting"))
		eb := b.browser()
		eb.signIn(ext.Email)
		eb.switchTo(o.ID)
		pages = append(pages, eb.get("/"), eb.get("/organization/users"), eb.get("/organization"))
		for i, pg := range pages {
			if !strings.Contains(pg.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s page %d (status %d) is not in %s", lang, i, pg.status, lang)
			}
			if pg.status >= 500 || strings.Contains(pg.body, "error.") || strings.Contains(pg.body, "%!") {
				t.Errorf("%s page %d (status %d) shows a raw key, a bad format or a failure:\n%s", lang, i, pg.status, pg.body)
			}
		}
	}
}

// TEAM-3: an external user invited into a team sees that team in the console
// (found in review: the teams pages answered 403 to externals, while the API
// showed them their team).
func TestTEAM3_ExternalSeesOwnTeamPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	ext, _ := b.person("xena@partner.ch", "Xena", "Extern", "en")
	b.join(o.ID, ext.ID, org.RoleExternal)
	lr := b.browser()
	lr.signIn("lena@muster.ch")
	r := lr.post("/organization/teams", url.Values{"name": {"Partners"}, "leader_id": {ext.ID}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create team: status %d\n%s", r.status, r.body)
	}
	teamPath := strings.TrimSuffix(r.location, "?created=1")

	xb := b.browser()
	xb.signIn("xena@partner.ch")
	xb.switchTo(o.ID)
	for _, path := range []string{"/organization/teams", teamPath} {
		got := xb.get(path)
		if got.status != http.StatusOK {
			t.Fatalf("external on %s: status %d\n%s", path, got.status, got.body)
		}
		mustContain(t, got.body, "Partners")
	}
}

// A form drawn for one organization never changes another one: the admin
// opens a member's page in A, switches to B in another window, then submits
// (found in review: the change landed in B).
func TestORG9_FormForAnotherOrganizationIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lena, a := b.person("lena@muster.ch", "Lena", "Roth", "en")
	carl, _ := b.person("carl@muster.ch", "Carl", "Keller", "en")
	b.join(a.ID, carl.ID, org.RoleCollaborator)
	other, err := b.orgs.Create(context.Background(), lena.ID, "Beta GmbH", "company", audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	b.join(other.ID, carl.ID, org.RoleCollaborator)

	br := b.browser()
	br.signIn("lena@muster.ch")
	br.switchTo(a.ID)
	drawnFor := br.organization()
	br.switchTo(other.ID)
	r := br.post("/organization/users/"+carl.ID, url.Values{"organization_id": {drawnFor}, "role": {org.RoleAdministrator}})
	if r.status != http.StatusConflict {
		t.Fatalf("stale form: status %d, want 409\n%s", r.status, r.body)
	}
	mustContain(t, r.body, i18n.T("en", "error.organization_changed"))
	for _, o := range []string{a.ID, other.ID} {
		m, err := b.orgs.Member(context.Background(), lena.ID, o, carl.ID)
		if err != nil || m.Role != org.RoleCollaborator {
			t.Fatalf("Carl in %s: %+v, %v; want still collaborator", o, m, err)
		}
	}
}
