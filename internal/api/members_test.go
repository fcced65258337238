package api

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/org"
)

func TestACC4_CreateOrganizationThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.user(t, "anna@example.ch")
	r := b.do(t, "POST", "/api/1/organizations", secret, map[string]any{"name": "Muster AG", "legal_form": "company"}).
		wantStatus(t, http.StatusCreated)
	d := r.data(t)
	if d["name"] != "Muster AG" || d["legal_form"] != "company" || d["role"] != "legal_representative" || d["billing"] != true {
		t.Fatalf("created: %s", r.raw)
	}
	for _, k := range []string{"street", "postcode", "city", "vat_number"} {
		if v, ok := d[k]; !ok || v != "" {
			t.Errorf("%s = %v, want empty", k, v)
		}
	}
	if _, ok := d["country"]; !ok {
		t.Errorf("no country: %s", r.raw)
	}
	if l := b.do(t, "GET", "/api/1/organizations", secret, nil); l.body["total"] != float64(2) {
		t.Fatalf("list after create: %s", l.raw)
	}
	b.do(t, "POST", "/api/1/organizations", secret, `{"name":"X","legal_form":"cooperative"}`).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "legal_form")
	b.do(t, "POST", "/api/1/organizations", secret, `{"name":"","legal_form":"company"}`).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "name")
}

// ORG-2: an administrator manages members but cannot appoint a legal
// representative nor change the legal details; a legal representative can.
func TestORG2_OnlyALegalRepresentativeAppointsOrEditsLegalDetails(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, anna := b.user(t, "anna@example.ch")
	orgID := b.ownOrganization(t, annaID)
	bobID, bob := b.user(t, "bob@example.ch")
	carlaID, carla := b.user(t, "carla@example.ch")
	b.join(t, orgID, bobID, org.RoleAdministrator, false)
	b.join(t, orgID, carlaID, org.RoleCollaborator, false)
	base := "/api/1/organizations/" + orgID

	legal := map[string]any{"name": "Muster GmbH", "legal_form": "company", "street": "Bahnhofstrasse 1",
		"postcode": "8001", "city": "Zürich", "country": "CH", "vat_number": "CHE-123.456.789 MWST"}
	b.do(t, "PATCH", base, bob, legal).wantError(t, http.StatusForbidden, "legal_representative_required")
	b.do(t, "PATCH", base, carla, map[string]any{"city": "Bern"}).wantError(t, http.StatusForbidden, "legal_representative_required")
	b.do(t, "PATCH", base+"/users/"+carlaID, bob, map[string]any{"role": "legal_representative"}).
		wantError(t, http.StatusForbidden, "legal_representative_required")
	if g := b.do(t, "GET", base+"/users/"+carlaID, anna, nil).data(t); g["role"] != "collaborator" {
		t.Fatalf("carla after refused appointment: %v", g)
	}
	// The administrator manages other rights.
	if d := b.do(t, "PATCH", base+"/users/"+carlaID, bob, map[string]any{"role": "administrator"}).data(t); d["role"] != "administrator" {
		t.Fatalf("admin promoting to administrator: %v", d)
	}

	// The legal representative can do both.
	r := b.do(t, "PATCH", base, anna, legal)
	d := r.data(t)
	for k, v := range legal {
		if d[k] != v {
			t.Errorf("after PATCH %s = %v, want %v", k, d[k], v)
		}
	}
	g := b.do(t, "GET", base, bob, nil).data(t)
	if g["vat_number"] != legal["vat_number"] || g["city"] != "Zürich" || g["role"] != "administrator" {
		t.Errorf("GET after PATCH: %v", g)
	}
	// A partial PATCH keeps the other fields.
	if d := b.do(t, "PATCH", base, anna, map[string]any{"city": "Winterthur"}).data(t); d["city"] != "Winterthur" || d["street"] != "Bahnhofstrasse 1" {
		t.Errorf("partial PATCH: %v", d)
	}
	if d := b.do(t, "PATCH", base+"/users/"+carlaID, anna, map[string]any{"role": "legal_representative"}).data(t); d["role"] != "legal_representative" {
		t.Fatalf("LR appointing: %v", d)
	}
	if g := b.do(t, "GET", base, carla, nil).data(t); g["role"] != "legal_representative" {
		t.Errorf("carla's role in the organization: %v", g)
	}
}

// ORG-6: the last legal representative cannot be removed, demoted, leave,
// or be part of a bulk removal; after appointing another, all of it works.
func TestORG6_LastLegalRepresentativeIsKept(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, anna := b.user(t, "anna@example.ch")
	orgID := b.ownOrganization(t, annaID)
	bobID, bob := b.user(t, "bob@example.ch")
	carlaID, _ := b.user(t, "carla@example.ch")
	b.join(t, orgID, bobID, org.RoleAdministrator, false)
	b.join(t, orgID, carlaID, org.RoleCollaborator, false)
	base := "/api/1/organizations/" + orgID

	b.do(t, "DELETE", base+"/users/"+annaID, anna, nil).wantError(t, http.StatusConflict, "last_legal_representative")
	b.do(t, "PATCH", base+"/users/"+annaID, anna, map[string]any{"role": "administrator"}).
		wantError(t, http.StatusConflict, "last_legal_representative")
	b.do(t, "POST", base+"/leave", anna, nil).wantError(t, http.StatusConflict, "last_legal_representative")
	b.do(t, "POST", base+"/users/remove", anna, map[string]any{"user_ids": []string{carlaID, annaID}}).
		wantError(t, http.StatusConflict, "last_legal_representative")
	// All or nothing: carla is still there.
	if l := b.do(t, "GET", base+"/users", anna, nil); l.body["total"] != float64(3) {
		t.Fatalf("members after refused bulk removal: %s", l.raw)
	}
	// Filter by role.
	if l := b.do(t, "GET", base+"/users?filter[role]=legal_representative", bob, nil); !slices.Equal(l.ids(t), []string{annaID}) {
		t.Fatalf("filter[role]: %s", l.raw)
	}

	// Appoint another first, then the old one may go.
	b.do(t, "PATCH", base+"/users/"+bobID, anna, map[string]any{"role": "legal_representative"}).wantStatus(t, http.StatusOK)
	if r := b.do(t, "POST", base+"/users/remove", bob, map[string]any{"user_ids": []string{carlaID}}); r.status != http.StatusNoContent || len(r.raw) != 0 {
		t.Fatalf("bulk removal: %d %s", r.status, r.raw)
	}
	b.do(t, "PATCH", base+"/users/"+annaID, anna, map[string]any{"role": "administrator"}).wantStatus(t, http.StatusOK)
	b.do(t, "POST", base+"/leave", anna, nil).wantStatus(t, http.StatusNoContent)
	b.do(t, "GET", base, anna, nil).wantError(t, http.StatusNotFound, "object_not_found")
	// Bob is now the last one.
	b.do(t, "POST", base+"/leave", bob, nil).wantError(t, http.StatusConflict, "last_legal_representative")
	if l := b.do(t, "GET", base+"/users", bob, nil); !slices.Equal(l.ids(t), []string{bobID}) {
		t.Fatalf("members at the end: %s", l.raw)
	}
}

// ORG-7: a role change e-mails the person, in their language.
func TestORG7_RoleChangeEmailsThePerson(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, anna := b.user(t, "anna@example.ch")
	orgID := b.ownOrganization(t, annaID)
	dieterID, _ := b.userIn(t, "dieter@example.ch", "de")
	b.join(t, orgID, dieterID, org.RoleCollaborator, false)
	if n := len(withTemplate(b.outbox(t, "dieter@example.ch"), "role_changed")); n != 0 {
		t.Fatalf("%d role_changed e-mails before the change", n)
	}
	b.do(t, "PATCH", "/api/1/organizations/"+orgID+"/users/"+dieterID, anna, map[string]any{"role": "administrator"}).wantStatus(t, http.StatusOK)
	mails := withTemplate(b.outbox(t, "dieter@example.ch"), "role_changed")
	if len(mails) != 1 {
		t.Fatalf("role_changed e-mails to dieter: %d (outbox %+v)", len(mails), b.outbox(t, "dieter@example.ch"))
	}
	if m := mails[0]; m.Language != "de" || m.Channel != "email" || m.Subject == "" || m.BodyText == "" {
		t.Errorf("role_changed e-mail: %+v", m)
	}
	if n := len(withTemplate(b.outbox(t, "anna@example.ch"), "role_changed")); n != 0 {
		t.Errorf("the actor got %d role_changed e-mails", n)
	}
}

// ORG-8: a collaborator reaches only the products granted, a grant takes
// effect at once, and billing follows the billing right.
func TestORG8_CollaboratorReachesOnlyGrantedProducts(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, anna := b.user(t, "anna@example.ch")
	orgID := b.ownOrganization(t, annaID)
	carlaID, carla := b.user(t, "carla@example.ch")
	b.join(t, orgID, carlaID, org.RoleCollaborator, false)
	domain := b.product(t, orgID, "domain", "muster.ch")
	hosting := b.product(t, orgID, "web_hosting", "Web muster.ch")
	base := "/api/1/organizations/" + orgID

	// The legal representative reaches everything; filters work.
	if l := b.do(t, "GET", base+"/products", anna, nil); !slices.Equal(l.ids(t), sorted(domain, hosting)) {
		t.Fatalf("LR products: %s", l.raw)
	}
	if l := b.do(t, "GET", base+"/products?filter[type]=domain", anna, nil); !slices.Equal(l.ids(t), []string{domain}) {
		t.Fatalf("filter[type]: %s", l.raw)
	}
	if l := b.do(t, "GET", base+"/products?filter%5Bstatus%5D=terminated", anna, nil); len(l.ids(t)) != 0 {
		t.Fatalf("filter[status]: %s", l.raw)
	}
	b.do(t, "GET", base+"/products?filter[type]=spaceship", anna, nil).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "filter[type]")

	// The collaborator reaches nothing yet.
	if l := b.do(t, "GET", base+"/products", carla, nil); len(l.ids(t)) != 0 || l.body["total"] != float64(0) {
		t.Fatalf("collaborator without grants: %s", l.raw)
	}
	b.do(t, "GET", base+"/products/"+domain, carla, nil).wantError(t, http.StatusNotFound, "object_not_found")
	if o := b.do(t, "GET", base, carla, nil).data(t); o["billing"] != false || o["role"] != "collaborator" {
		t.Fatalf("collaborator's organization: %v", o)
	}

	// A grant and the billing right, at once.
	m := b.do(t, "PATCH", base+"/users/"+carlaID, anna, map[string]any{"product_ids": []string{domain}, "billing": true}).data(t)
	if !slices.Equal(strs(m["product_ids"]), []string{domain}) || m["billing"] != true {
		t.Fatalf("member after PATCH: %v", m)
	}
	if l := b.do(t, "GET", base+"/products", carla, nil); !slices.Equal(l.ids(t), []string{domain}) {
		t.Fatalf("collaborator with a grant: %s", l.raw)
	}
	if p := b.do(t, "GET", base+"/products/"+domain, carla, nil).data(t); p["name"] != "muster.ch" || p["type"] != "domain" ||
		p["status"] != "active" || p["due_date"] != "2027-03-01" || p["organization_id"] != orgID {
		t.Fatalf("granted product: %v", p)
	}
	b.do(t, "GET", base+"/products/"+hosting, carla, nil).wantError(t, http.StatusNotFound, "object_not_found")
	if o := b.do(t, "GET", base, carla, nil).data(t); o["billing"] != true {
		t.Fatalf("collaborator with the billing right: %v", o)
	}
	// Withdrawn again.
	b.do(t, "PATCH", base+"/users/"+carlaID, anna, map[string]any{"product_ids": []string{}}).wantStatus(t, http.StatusOK)
	if l := b.do(t, "GET", base+"/products", carla, nil); len(l.ids(t)) != 0 {
		t.Fatalf("after withdrawing: %s", l.raw)
	}
	// Someone else's product id cannot be granted.
	zoeID, _ := b.user(t, "zoe@example.ch")
	foreign := b.product(t, b.ownOrganization(t, zoeID), "mail", "Mail zoe")
	r := b.do(t, "PATCH", base+"/users/"+carlaID, anna, map[string]any{"product_ids": []string{foreign}})
	if r.status != http.StatusNotFound && r.status != http.StatusUnprocessableEntity {
		t.Fatalf("granting a foreign product: %d %s", r.status, r.raw)
	}

	// The member's own view of themself, and a colleague's contact preferences.
	me := b.do(t, "GET", base+"/users/"+carlaID, carla, nil).data(t)
	for _, k := range []string{"id", "email", "first_name", "last_name", "role", "billing", "contact_preferences", "product_ids", "team_ids", "joined_at"} {
		if _, ok := me[k]; !ok {
			t.Errorf("member JSON lacks %s: %v", k, me)
		}
	}
	if me["id"] != carlaID || me["email"] != "carla@example.ch" {
		t.Errorf("member JSON: %v", me)
	}
	if d := b.do(t, "PATCH", base+"/users/"+carlaID, carla, map[string]any{"contact_preferences": []string{"technical", "billing"}}).data(t); !slices.Equal(strs(d["contact_preferences"]), []string{"billing", "technical"}) {
		t.Errorf("own contact preferences: %v", d)
	}
	b.do(t, "PATCH", base+"/users/"+carlaID, carla, map[string]any{"contact_preferences": []string{"gossip"}}).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "contact_preferences")
	b.do(t, "PATCH", base+"/users/"+annaID, carla, map[string]any{"billing": true}).
		wantError(t, http.StatusForbidden, "administrator_required")
}

// TEAM-1..3: teams through the API; a member's products follow the team at
// once.
func TestTEAM2_TeamProductsFollowMembership(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, anna := b.user(t, "anna@example.ch")
	orgID := b.ownOrganization(t, annaID)
	carlaID, carla := b.user(t, "carla@example.ch")
	b.join(t, orgID, carlaID, org.RoleCollaborator, false)
	extID, ext := b.user(t, "ext@example.ch")
	b.join(t, orgID, extID, org.RoleExternal, false)
	hosting := b.product(t, orgID, "web_hosting", "Web muster.ch")
	b.product(t, orgID, "domain", "muster.ch")
	base := "/api/1/organizations/" + orgID

	r := b.do(t, "POST", base+"/teams", anna, map[string]any{"name": "Web", "leader_id": annaID, "product_ids": []string{hosting}}).
		wantStatus(t, http.StatusCreated)
	tm := r.data(t)
	teamID := tm["id"].(string)
	if tm["name"] != "Web" || tm["leader_id"] != annaID || !slices.Equal(strs(tm["member_ids"]), []string{annaID}) ||
		!slices.Equal(strs(tm["product_ids"]), []string{hosting}) || tm["organization_id"] != orgID {
		t.Fatalf("created team: %s", r.raw)
	}
	b.do(t, "POST", base+"/teams", anna, map[string]any{"name": "Web"}).wantError(t, http.StatusConflict, "team_name_taken")
	b.do(t, "POST", base+"/teams", carla, map[string]any{"name": "Mine"}).wantError(t, http.StatusForbidden, "administrator_required")

	if l := b.do(t, "GET", base+"/products", carla, nil); len(l.ids(t)) != 0 {
		t.Fatalf("before joining the team: %s", l.raw)
	}
	// Several at once, an external user among them (TEAM-3).
	r = b.do(t, "POST", base+"/teams/"+teamID+"/users", anna, map[string]any{"user_ids": []string{carlaID, extID}})
	if d := r.data(t); !slices.Equal(strs(d["member_ids"]), sorted(annaID, carlaID, extID)) {
		t.Fatalf("after adding: %s", r.raw)
	}
	if l := b.do(t, "GET", base+"/products", carla, nil); !slices.Equal(l.ids(t), []string{hosting}) {
		t.Fatalf("collaborator in the team: %s", l.raw)
	}
	if l := b.do(t, "GET", base+"/products", ext, nil); !slices.Equal(l.ids(t), []string{hosting}) {
		t.Fatalf("external in the team: %s", l.raw)
	}
	b.do(t, "GET", base+"/products/"+hosting, carla, nil).wantStatus(t, http.StatusOK)
	if l := b.do(t, "GET", base+"/users?filter[team_id]="+teamID, anna, nil); !slices.Equal(l.ids(t), sorted(annaID, carlaID, extID)) {
		t.Fatalf("filter[team_id]: %s", l.raw)
	}
	if m := b.do(t, "GET", base+"/users/"+carlaID, anna, nil).data(t); !slices.Equal(strs(m["team_ids"]), []string{teamID}) {
		t.Fatalf("member's team_ids: %v", m)
	}
	if l := b.do(t, "GET", base+"/teams", ext, nil); !slices.Equal(l.ids(t), []string{teamID}) {
		t.Fatalf("external's teams: %s", l.raw)
	}

	// Removing takes the access away at once.
	if r := b.do(t, "DELETE", base+"/teams/"+teamID+"/users/"+carlaID, anna, nil); r.status != http.StatusNoContent {
		t.Fatalf("remove from team: %d %s", r.status, r.raw)
	}
	if l := b.do(t, "GET", base+"/products", carla, nil); len(l.ids(t)) != 0 {
		t.Fatalf("after leaving the team: %s", l.raw)
	}
	b.do(t, "GET", base+"/products/"+hosting, carla, nil).wantError(t, http.StatusNotFound, "object_not_found")

	// Rename, clear the leader, change products; then delete.
	d := b.do(t, "PATCH", base+"/teams/"+teamID, anna, map[string]any{"name": "Web & mail", "leader_id": "", "product_ids": []string{}}).data(t)
	if d["name"] != "Web & mail" || d["leader_id"] != nil || len(strs(d["product_ids"])) != 0 {
		t.Fatalf("after PATCH: %v", d)
	}
	if l := b.do(t, "GET", base+"/products", ext, nil); len(l.ids(t)) != 0 {
		t.Fatalf("external after the team lost its products: %s", l.raw)
	}
	if g := b.do(t, "GET", base+"/teams/"+teamID, anna, nil).data(t); g["name"] != "Web & mail" {
		t.Fatalf("GET team: %v", g)
	}
	b.do(t, "DELETE", base+"/teams/"+teamID, anna, nil).wantStatus(t, http.StatusNoContent)
	b.do(t, "GET", base+"/teams/"+teamID, anna, nil).wantError(t, http.StatusNotFound, "object_not_found")
	if l := b.do(t, "GET", base+"/teams", anna, nil); l.body["total"] != float64(0) {
		t.Fatalf("teams after delete: %s", l.raw)
	}
}

// ORG-3: invitations through the API — create, the e-mail's link, accept by
// id, decline, resend, cancel; someone else's invitation is not found.
func TestORG3_InvitationsThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, anna := b.user(t, "anna@example.ch")
	orgID := b.ownOrganization(t, annaID)
	domain := b.product(t, orgID, "domain", "muster.ch")
	danID, dan := b.userIn(t, "dan@example.ch", "fr")
	_, eve := b.user(t, "eve@example.ch")
	base := "/api/1/organizations/" + orgID

	r := b.do(t, "POST", base+"/invitations", anna, map[string]any{"email": "dan@example.ch", "role": "collaborator",
		"product_ids": []string{domain}, "contact_preferences": []string{"technical"}}).wantStatus(t, http.StatusCreated)
	inv := r.data(t)
	invID := inv["id"].(string)
	if inv["email"] != "dan@example.ch" || inv["role"] != "collaborator" || inv["organization_id"] != orgID ||
		!slices.Equal(strs(inv["product_ids"]), []string{domain}) || inv["status"] != "pending" {
		t.Fatalf("created invitation: %s", r.raw)
	}
	mails := withTemplate(b.outbox(t, "dan@example.ch"), "invitation")
	if len(mails) != 1 || len(mails[0].Links) == 0 || mails[0].Language != "fr" {
		t.Fatalf("invitation e-mail: %+v", mails)
	}
	if l := b.do(t, "GET", base+"/invitations", anna, nil); !slices.Equal(l.ids(t), []string{invID}) {
		t.Fatalf("organization's invitations: %s", l.raw)
	}
	b.do(t, "POST", base+"/invitations", anna, map[string]any{"email": "not-an-email", "role": "collaborator"}).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "email")
	b.do(t, "POST", base+"/invitations", anna, map[string]any{"email": "dan@example.ch", "role": "administrator"}).
		wantError(t, http.StatusConflict, "invitation_pending", "email")

	// Someone else's invitation is not found, and cannot be accepted.
	if l := b.do(t, "GET", "/api/1/invitations", eve, nil); len(l.ids(t)) != 0 {
		t.Fatalf("eve's invitations: %s", l.raw)
	}
	b.do(t, "POST", "/api/1/invitations/"+invID+"/accept", eve, nil).wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "POST", "/api/1/invitations/"+invID+"/decline", eve, nil).wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "GET", base+"/invitations", dan, nil).wantError(t, http.StatusNotFound, "object_not_found")

	// Dan sees it and accepts it by id.
	l := b.do(t, "GET", "/api/1/invitations", dan, nil)
	if items := l.items(t); len(items) != 1 || items[0]["id"] != invID || items[0]["organization_name"] == "" {
		t.Fatalf("dan's invitations: %s", l.raw)
	}
	b.do(t, "POST", "/api/1/invitations/"+invID+"/accept", dan, nil).wantStatus(t, http.StatusOK)
	if o := b.do(t, "GET", base, dan, nil).data(t); o["role"] != "collaborator" {
		t.Fatalf("dan's organization: %v", o)
	}
	if l := b.do(t, "GET", base+"/products", dan, nil); !slices.Equal(l.ids(t), []string{domain}) {
		t.Fatalf("dan's products: %s", l.raw)
	}
	if m := b.do(t, "GET", base+"/users/"+danID, anna, nil).data(t); !slices.Equal(strs(m["contact_preferences"]), []string{"technical"}) {
		t.Fatalf("dan as a member: %v", m)
	}
	if l := b.do(t, "GET", "/api/1/invitations", dan, nil); len(l.ids(t)) != 0 {
		t.Fatalf("dan's invitations after accepting: %s", l.raw)
	}
	b.do(t, "POST", "/api/1/invitations/"+invID+"/accept", dan, nil).wantError(t, http.StatusGone, "invitation_invalid")

	// Eve declines hers.
	eveInv := b.do(t, "POST", base+"/invitations", anna, map[string]any{"email": "eve@example.ch", "role": "administrator"}).
		wantStatus(t, http.StatusCreated).data(t)["id"].(string)
	if r := b.do(t, "POST", "/api/1/invitations/"+eveInv+"/decline", eve, nil); r.status != http.StatusNoContent {
		t.Fatalf("decline: %d %s", r.status, r.raw)
	}
	b.do(t, "GET", base, eve, nil).wantError(t, http.StatusNotFound, "object_not_found")

	// Resend to someone without an account: a new e-mail with a new link; then cancel.
	fayInv := b.do(t, "POST", base+"/invitations", anna, map[string]any{"email": "fay@example.ch", "role": "collaborator"}).
		wantStatus(t, http.StatusCreated).data(t)["id"].(string)
	b.clk.Advance(72 * time.Hour)
	rs := b.do(t, "POST", base+"/invitations/"+fayInv+"/resend", anna, nil)
	if d := rs.data(t); d["id"] != fayInv || d["expires_at"] == nil {
		t.Fatalf("resend: %s", rs.raw)
	}
	fay := withTemplate(b.outbox(t, "fay@example.ch"), "invitation")
	if len(fay) != 2 || len(fay[0].Links) == 0 || len(fay[1].Links) == 0 || fay[0].Links[0] == fay[1].Links[0] {
		t.Fatalf("fay's invitation e-mails: %+v", fay)
	}
	if r := b.do(t, "DELETE", base+"/invitations/"+fayInv, anna, nil); r.status != http.StatusNoContent || len(r.raw) != 0 {
		t.Fatalf("cancel: %d %s", r.status, r.raw)
	}
	if l := b.do(t, "GET", base+"/invitations", anna, nil); len(l.ids(t)) != 0 {
		t.Fatalf("invitations after decline and cancel: %s", l.raw)
	}
	b.do(t, "DELETE", base+"/invitations/"+fayInv, anna, nil).wantError(t, http.StatusNotFound, "object_not_found")
}

// ACC-5: change the login e-mail, the password, close the account.
func TestACC5_AccountThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	ctx := context.Background()
	annaID, anna := b.user(t, "anna@example.ch")
	orgID := b.ownOrganization(t, annaID)
	bobID, _ := b.user(t, "bob@example.ch")
	b.join(t, orgID, bobID, org.RoleCollaborator, false)

	// E-mail: confirmed from the new address; the login stays until then.
	r := b.do(t, "POST", "/api/1/profile/email", anna, map[string]any{"password": testUserPassword, "new_email": "anna.new@example.ch"})
	if r.status != http.StatusAccepted || r.data(t)["message"] == "" {
		t.Fatalf("change e-mail: %d %s", r.status, r.raw)
	}
	if m := withTemplate(b.outbox(t, "anna.new@example.ch"), "email_change"); len(m) != 1 || len(m[0].Links) == 0 {
		t.Fatalf("e-mail change message: %+v", b.outbox(t, "anna.new@example.ch"))
	}
	if p := b.do(t, "GET", "/api/1/profile", anna, nil).data(t); p["email"] != "anna@example.ch" {
		t.Fatalf("login changed before confirmation: %v", p)
	}
	b.do(t, "POST", "/api/1/profile/email", anna, map[string]any{"password": testUserPassword, "new_email": "bob@example.ch"}).
		wantError(t, http.StatusConflict, "email_already_registered", "new_email")
	b.do(t, "POST", "/api/1/profile/email", anna, map[string]any{"password": "wrong password!", "new_email": "x@example.ch"}).
		wantError(t, http.StatusUnprocessableEntity, "current_password_wrong", "password")

	// Password: the current one is needed; console sessions end, the token works.
	var sessions []string
	for range 2 {
		tok, _, err := b.accounts.CreateSession(ctx, annaID, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, tok)
	}
	b.do(t, "POST", "/api/1/profile/password", anna, map[string]any{"current_password": "wrong password!", "new_password": "a new long passphrase"}).
		wantError(t, http.StatusUnprocessableEntity, "current_password_wrong", "current_password")
	if r := b.do(t, "POST", "/api/1/profile/password", anna, map[string]any{"current_password": testUserPassword, "new_password": "a new long passphrase"}); r.status != http.StatusNoContent {
		t.Fatalf("change password: %d %s", r.status, r.raw)
	}
	for _, tok := range sessions {
		if _, _, err := b.accounts.SessionByToken(ctx, tok); err == nil {
			t.Fatal("a console session survived the password change")
		}
	}
	if _, err := b.accounts.Authenticate(ctx, "anna@example.ch", "a new long passphrase", audit.Meta{}); err != nil {
		t.Fatalf("signing in with the new password: %v", err)
	}
	if m := withTemplate(b.outbox(t, "anna@example.ch"), "password_changed"); len(m) != 1 {
		t.Fatalf("password_changed e-mails: %d", len(m))
	}
	b.do(t, "GET", "/api/1/profile", anna, nil).wantStatus(t, http.StatusOK)

	// Close: refused while the last legal representative of an organization
	// with other members; a person alone closes, and their token stops working.
	b.do(t, "POST", "/api/1/profile/close", anna, map[string]any{"password": "a new long passphrase"}).
		wantError(t, http.StatusConflict, "last_legal_representative")
	gusID, gus := b.user(t, "gus@example.ch")
	gusOrg := b.ownOrganization(t, gusID)
	b.do(t, "POST", "/api/1/profile/close", gus, map[string]any{"password": "wrong password!"}).
		wantError(t, http.StatusUnprocessableEntity, "current_password_wrong", "password")
	if r := b.do(t, "POST", "/api/1/profile/close", gus, map[string]any{"password": testUserPassword}); r.status != http.StatusNoContent {
		t.Fatalf("close: %d %s", r.status, r.raw)
	}
	b.do(t, "GET", "/api/1/profile", gus, nil).wantError(t, http.StatusUnauthorized, "not_authorized")
	if _, err := b.accounts.Get(ctx, gusID); err == nil {
		t.Fatal("gus's account still exists")
	}
	if _, err := b.orgs.GetForUser(ctx, annaID, gusOrg); err == nil {
		t.Fatal("gus's organization is visible")
	}
}
