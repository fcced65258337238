package org_test

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// ORG-3: AddMemberTx adds a person with rights, once; ActorOf reads them back.
func TestORG3_AddMemberTxAndActorOf(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "")
		o := f.organization(lr, "Acme")
		other := f.organization(f.person("Otto", "Other", ""), "Other")
		p := f.product(o, "acme.ch")
		c := f.person("Carl", "Collab", "")
		f.add(o, c, org.RoleCollaborator, true, []string{"technical", "billing"}, []string{p})
		a, err := org.ActorOf(f.ctx, db, c, o)
		if err != nil || a.Role != authz.Collaborator || !a.Billing || a.UserID != c {
			t.Fatalf("ActorOf = %+v, %v", a, err)
		}
		m, err := f.orgs.Member(f.ctx, c, o, c)
		if err != nil || !slices.Equal(m.ProductIDs, []string{p}) || !slices.Equal(m.ContactPreferences, []string{"billing", "technical"}) {
			t.Fatalf("Member = %+v, %v", m, err)
		}
		err = db.WithTx(f.ctx, func(tx *sql.Tx) error {
			return org.AddMemberTx(f.ctx, tx, f.clk.Now(), o, c, org.RoleAdministrator, false, nil, nil)
		})
		if !errors.Is(err, org.ErrAlreadyMember) {
			t.Errorf("adding twice: %v, want already_member", err)
		}
		x := f.person("Xavier", "X", "")
		foreign := f.product(other, "other.ch")
		err = db.WithTx(f.ctx, func(tx *sql.Tx) error {
			return org.AddMemberTx(f.ctx, tx, f.clk.Now(), o, x, org.RoleCollaborator, false, nil, []string{foreign})
		})
		if e := apperr.As(err); e == nil || e.Code != "validation_failed" || e.Attribute != "product_ids" {
			t.Errorf("foreign product: %v", err)
		}
		if _, err := org.ActorOf(f.ctx, db, x, o); !errors.Is(err, apperr.NotFound) {
			t.Errorf("a refused addition left a membership: %v", err)
		}
		for _, uid := range []string{x, "nope", ""} {
			if _, err := org.ActorOf(f.ctx, db, uid, o); !errors.Is(err, apperr.NotFound) {
				t.Errorf("ActorOf(stranger %q) = %v", uid, err)
			}
		}
	})
}

// ORG-2: only a legal representative changes the legal details; they are validated.
func TestORG2_LegalDetailsOnlyByLegalRepresentative(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "")
		o := f.organization(lr, "Acme")
		admin := f.member(o, "Ada", "Admin", org.RoleAdministrator)
		collab := f.member(o, "Carl", "Collab", org.RoleCollaborator)
		d := org.LegalDetails{Name: " Acme SA ", LegalForm: "company", Street: "Rue du Lac 1", Postcode: "1003",
			City: "Lausanne", Country: "ch", VATNumber: "che-123.456.789 tva"}
		for _, who := range []string{admin, collab} {
			_, err := f.orgs.UpdateLegalDetails(f.ctx, who, o, d, audit.Meta{ActorID: who})
			wantCode(t, "non-LR edits legal details", err, "legal_representative_required")
		}
		got, err := f.orgs.UpdateLegalDetails(f.ctx, lr, o, d, audit.Meta{ActorID: lr})
		if err != nil {
			t.Fatal(err)
		}
		want := org.Organization{ID: o, Name: "Acme SA", LegalForm: "company", Street: "Rue du Lac 1", Postcode: "1003",
			City: "Lausanne", Country: "CH", VATNumber: "CHE-123.456.789 TVA", Role: org.RoleLegalRepresentative, CreatedAt: got.CreatedAt}
		if got != want {
			t.Fatalf("UpdateLegalDetails = %+v\nwant %+v", got, want)
		}
		if seen, _ := f.orgs.GetForUser(f.ctx, collab, o); seen.Name != "Acme SA" || seen.City != "Lausanne" || seen.Role != org.RoleCollaborator {
			t.Errorf("collaborator sees %+v", seen)
		}
		for _, c := range []struct {
			mod  func(*org.LegalDetails)
			attr string
		}{
			{func(d *org.LegalDetails) { d.Name = " " }, "name"},
			{func(d *org.LegalDetails) { d.Name = strings.Repeat("n", 201) }, "name"},
			{func(d *org.LegalDetails) { d.LegalForm = "trust" }, "legal_form"},
			{func(d *org.LegalDetails) { d.Country = "Suisse" }, "country"},
			{func(d *org.LegalDetails) { d.Country = "C1" }, "country"},
			{func(d *org.LegalDetails) { d.VATNumber = "123" }, "vat_number"},
			{func(d *org.LegalDetails) { d.VATNumber = "CHE-12.345" }, "vat_number"},
		} {
			bad := d
			c.mod(&bad)
			_, err := f.orgs.UpdateLegalDetails(f.ctx, lr, o, bad, audit.Meta{})
			if e := apperr.As(err); e == nil || e.Attribute != c.attr {
				t.Errorf("%+v: got %v, want an error on %s", bad, err, c.attr)
			}
		}
		for _, vat := range []string{"", "CHE123456789", "CHE-123.456.789 MWST", "DE123456789", "FR 12 345678901"} {
			ok := d
			ok.VATNumber = vat
			if _, err := f.orgs.UpdateLegalDetails(f.ctx, lr, o, ok, audit.Meta{}); err != nil {
				t.Errorf("VAT %q refused: %v", vat, err)
			}
		}
		if _, err := f.orgs.UpdateLegalDetails(f.ctx, f.person("S", "Stranger", ""), o, d, audit.Meta{}); !errors.Is(err, apperr.NotFound) {
			t.Errorf("stranger: %v", err)
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE organization_id = $1 AND action = 'organization.legal_details_updated'`, o); n != 6 {
			t.Errorf("%d legal-details audit events, want 6", n)
		}
	})
}

// ORG-2: only a legal representative gives that role or changes or removes
// another legal representative.
func TestORG2_OnlyLegalRepresentativeAppointsOne(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "")
		o := f.organization(lr, "Acme")
		admin := f.member(o, "Ada", "Admin", org.RoleAdministrator)
		collab := f.member(o, "Carl", "Collab", org.RoleCollaborator)
		_, err := f.orgs.UpdateMember(f.ctx, admin, o, collab, org.MemberUpdate{Role: ptr(org.RoleLegalRepresentative)}, audit.Meta{})
		wantCode(t, "admin appoints LR", err, "legal_representative_required")
		_, err = f.orgs.UpdateMember(f.ctx, admin, o, admin, org.MemberUpdate{Role: ptr(org.RoleLegalRepresentative)}, audit.Meta{})
		wantCode(t, "admin appoints self", err, "legal_representative_required")
		_, err = f.orgs.UpdateMember(f.ctx, admin, o, lr, org.MemberUpdate{Role: ptr(org.RoleCollaborator)}, audit.Meta{})
		wantCode(t, "admin demotes LR", err, "legal_representative_required")
		err = f.orgs.RemoveMembers(f.ctx, admin, o, []string{lr}, audit.Meta{})
		wantCode(t, "admin removes LR", err, "legal_representative_required")
		if f.role(o, lr) != org.RoleLegalRepresentative || f.role(o, collab) != org.RoleCollaborator {
			t.Fatal("refused changes changed roles")
		}
		// An administrator still manages other members.
		if m, err := f.orgs.UpdateMember(f.ctx, admin, o, collab, org.MemberUpdate{Role: ptr(org.RoleAdministrator)}, audit.Meta{}); err != nil || m.Role != org.RoleAdministrator {
			t.Fatalf("admin promotes collaborator: %+v, %v", m, err)
		}
		if m, err := f.orgs.UpdateMember(f.ctx, lr, o, collab, org.MemberUpdate{Role: ptr(org.RoleLegalRepresentative)}, audit.Meta{}); err != nil || m.Role != org.RoleLegalRepresentative {
			t.Fatalf("LR appoints LR: %+v, %v", m, err)
		}
		if err := f.orgs.RemoveMembers(f.ctx, collab, o, []string{lr}, audit.Meta{}); err != nil {
			t.Fatalf("LR removes another LR: %v", err)
		}
		if f.role(o, lr) != "" {
			t.Error("removed LR is still a member")
		}
	})
}

// ORG-4: several members are removed at once, all or nothing, with their
// grants and team memberships; anyone leaves by themself.
func TestORG4_RemoveSeveralAtOnceAndLeave(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "")
		o := f.organization(lr, "Acme")
		admin := f.member(o, "Ada", "Admin", org.RoleAdministrator)
		p := f.product(o, "acme.ch")
		c1, c2, c3 := f.person("C", "One", ""), f.person("C", "Two", ""), f.person("C", "Three", "")
		for _, c := range []string{c1, c2, c3} {
			f.add(o, c, org.RoleCollaborator, false, nil, []string{p})
		}
		tm := f.team(o, "Web", c1, c2, c3)
		if _, err := db.ExecContext(f.ctx, `UPDATE teams SET leader_id = $1 WHERE id = $2`, c1, tm); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "collaborator removes", f.orgs.RemoveMembers(f.ctx, c3, o, []string{c1}, audit.Meta{}), "administrator_required")
		stranger := f.person("S", "Stranger", "")
		err := f.orgs.RemoveMembers(f.ctx, admin, o, []string{c1, stranger}, audit.Meta{})
		if !errors.Is(err, apperr.NotFound) || f.role(o, c1) == "" {
			t.Fatalf("remove with a non-member: %v, c1 role %q; want not found and nothing removed", err, f.role(o, c1))
		}
		wantCode(t, "empty list", f.orgs.RemoveMembers(f.ctx, admin, o, nil, audit.Meta{}), "validation_failed")
		if err := f.orgs.RemoveMembers(f.ctx, admin, o, []string{c1, c2, c1}, audit.Meta{ActorID: admin}); err != nil {
			t.Fatal(err)
		}
		if f.role(o, c1) != "" || f.role(o, c2) != "" || f.role(o, c3) != org.RoleCollaborator {
			t.Fatal("wrong people removed")
		}
		if n := f.count(`SELECT COUNT(*) FROM product_grants WHERE organization_id = $1`, o); n != 1 {
			t.Errorf("%d grants left, want c3's only", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM team_members WHERE team_id = $1`, tm); n != 1 {
			t.Errorf("%d team members left, want c3 only", n)
		}
		if n := f.count(`SELECT COUNT(*) FROM teams WHERE id = $1 AND leader_id IS NULL`, tm); n != 1 {
			t.Error("the removed leader still leads the team")
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE organization_id = $1 AND action = 'member.removed'`, o); n != 2 {
			t.Errorf("%d member.removed events, want 2", n)
		}
		if err := f.orgs.Leave(f.ctx, c3, o, audit.Meta{ActorID: c3}); err != nil {
			t.Fatal(err)
		}
		if f.role(o, c3) != "" || f.count(`SELECT COUNT(*) FROM product_grants WHERE organization_id = $1`, o) != 0 {
			t.Error("leaving left the membership or its grants")
		}
		if err := f.orgs.Leave(f.ctx, c3, o, audit.Meta{}); !errors.Is(err, apperr.NotFound) {
			t.Errorf("leaving twice: %v", err)
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'member.left'`, c3); n != 1 {
			t.Errorf("%d member.left events", n)
		}
	})
}

// ORG-5: a member changes their own contact preferences only; an
// administrator changes role, products, billing and contacts.
func TestORG5_ChangeRightsAndOwnContactPreferences(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "")
		o := f.organization(lr, "Acme")
		admin := f.member(o, "Ada", "Admin", org.RoleAdministrator)
		collab := f.member(o, "Carl", "Collab", org.RoleCollaborator)
		ext := f.member(o, "Eve", "External", org.RoleExternal)
		other := f.member(o, "Olga", "Other", org.RoleCollaborator)
		p1, p2 := f.product(o, "a.ch"), f.product(o, "b.ch")
		foreign := f.product(f.organization(f.person("F", "F", ""), "Foreign"), "f.ch")

		for _, who := range []string{collab, ext} {
			m, err := f.orgs.UpdateMember(f.ctx, who, o, who, org.MemberUpdate{ContactPreferences: &[]string{"security", "technical"}}, audit.Meta{})
			if err != nil || !slices.Equal(m.ContactPreferences, []string{"technical", "security"}) {
				t.Fatalf("own contact preferences: %+v, %v", m, err)
			}
		}
		_, err := f.orgs.UpdateMember(f.ctx, collab, o, collab, org.MemberUpdate{Role: ptr(org.RoleAdministrator)}, audit.Meta{})
		wantCode(t, "collaborator promotes self", err, "administrator_required")
		_, err = f.orgs.UpdateMember(f.ctx, collab, o, collab, org.MemberUpdate{ProductIDs: &[]string{p1}}, audit.Meta{})
		wantCode(t, "collaborator grants self", err, "administrator_required")
		_, err = f.orgs.UpdateMember(f.ctx, collab, o, other, org.MemberUpdate{ContactPreferences: &[]string{"legal"}}, audit.Meta{})
		wantCode(t, "collaborator edits another's contacts", err, "administrator_required")
		_, err = f.orgs.UpdateMember(f.ctx, ext, o, other, org.MemberUpdate{ContactPreferences: &[]string{"legal"}}, audit.Meta{})
		wantCode(t, "external edits another's contacts", err, "external_user")
		_, err = f.orgs.UpdateMember(f.ctx, collab, o, collab, org.MemberUpdate{ContactPreferences: &[]string{"spam"}}, audit.Meta{})
		if e := apperr.As(err); e == nil || e.Attribute != "contact_preferences" {
			t.Errorf("unknown category: %v", err)
		}

		m, err := f.orgs.UpdateMember(f.ctx, admin, o, collab, org.MemberUpdate{ProductIDs: &[]string{p2, p1, p2},
			Billing: ptr(true), ContactPreferences: &[]string{"billing"}}, audit.Meta{ActorID: admin})
		if err != nil || !slices.Equal(m.ProductIDs, sorted(p1, p2)) || !m.Billing || !slices.Equal(m.ContactPreferences, []string{"billing"}) {
			t.Fatalf("admin update: %+v, %v", m, err)
		}
		if a, _ := org.ActorOf(f.ctx, db, collab, o); !a.Billing {
			t.Error("billing right not stored")
		}
		_, err = f.orgs.UpdateMember(f.ctx, admin, o, collab, org.MemberUpdate{ProductIDs: &[]string{p1, foreign}}, audit.Meta{})
		if e := apperr.As(err); e == nil || e.Code != "validation_failed" || e.Attribute != "product_ids" {
			t.Errorf("foreign product: %v", err)
		}
		_, err = f.orgs.UpdateMember(f.ctx, admin, o, collab, org.MemberUpdate{Role: ptr("owner")}, audit.Meta{})
		if e := apperr.As(err); e == nil || e.Attribute != "role" {
			t.Errorf("unknown role: %v", err)
		}
		if m, _ := f.orgs.Member(f.ctx, admin, o, collab); !slices.Equal(m.ProductIDs, sorted(p1, p2)) {
			t.Errorf("refused update changed grants: %v", m.ProductIDs)
		}
		// The billing right applies to collaborators: promoting clears it.
		m, err = f.orgs.UpdateMember(f.ctx, admin, o, collab, org.MemberUpdate{Role: ptr(org.RoleAdministrator), ProductIDs: &[]string{}}, audit.Meta{})
		if err != nil || m.Billing || len(m.ProductIDs) != 0 {
			t.Fatalf("promotion: %+v, %v", m, err)
		}
		if n := f.count(`SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'member.updated'`, collab); n != 3 {
			t.Errorf("%d member.updated events for collab, want 3", n)
		}
	})
}

func sorted(s ...string) []string { slices.Sort(s); return s }

// ORG-6: the last legal representative cannot be removed, demoted or leave,
// alone or in a bulk removal; appointing another first makes it possible.
func TestORG6_LastLegalRepresentativeIsKept(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "")
		o := f.organization(lr, "Acme")
		admin := f.member(o, "Ada", "Admin", org.RoleAdministrator)
		last := func(what string, err error) {
			t.Helper()
			e := apperr.As(err)
			if e == nil || e.Code != "last_legal_representative" || e.Status != 409 || !strings.Contains(e.Message, "appoint another") {
				t.Errorf("%s: %v, want last_legal_representative 409", what, err)
			}
		}
		last("remove self", f.orgs.RemoveMembers(f.ctx, lr, o, []string{lr}, audit.Meta{}))
		last("bulk remove", f.orgs.RemoveMembers(f.ctx, lr, o, []string{admin, lr}, audit.Meta{}))
		_, err := f.orgs.UpdateMember(f.ctx, lr, o, lr, org.MemberUpdate{Role: ptr(org.RoleAdministrator)}, audit.Meta{})
		last("demote self", err)
		last("leave", f.orgs.Leave(f.ctx, lr, o, audit.Meta{}))
		if f.role(o, lr) != org.RoleLegalRepresentative || f.role(o, admin) != org.RoleAdministrator {
			t.Fatal("a refused change was kept")
		}
		// Two legal representatives: removing both at once is still refused.
		lr2 := f.member(o, "Luc", "Second", org.RoleLegalRepresentative)
		last("bulk remove of all LRs", f.orgs.RemoveMembers(f.ctx, lr, o, []string{lr, lr2}, audit.Meta{}))
		if f.role(o, lr2) != org.RoleLegalRepresentative {
			t.Fatal("bulk removal was partly kept")
		}
		if err := f.orgs.Leave(f.ctx, lr, o, audit.Meta{}); err != nil {
			t.Fatalf("leaving after appointing another: %v", err)
		}
		_, err = f.orgs.UpdateMember(f.ctx, lr2, o, lr2, org.MemberUpdate{Role: ptr(org.RoleCollaborator)}, audit.Meta{})
		last("demote the new last", err)
		if n := f.count(`SELECT COUNT(*) FROM outbox WHERE template = 'role_changed'`); n != 0 {
			t.Errorf("refused role changes sent %d e-mails", n)
		}
	})
}

// ORG-6 under concurrency: two legal representatives removing each other, or
// leaving, at the same time never leave the organization without one.
func TestORG6_ConcurrentChangesKeepALegalRepresentative(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for round := range 8 {
			a := f.person("A", "A", "")
			o := f.organization(a, "Acme")
			b := f.member(o, "B", "B", org.RoleLegalRepresentative)
			ops := []func() error{
				func() error { return f.orgs.RemoveMembers(f.ctx, a, o, []string{b}, audit.Meta{}) },
				func() error { return f.orgs.RemoveMembers(f.ctx, b, o, []string{a}, audit.Meta{}) },
			}
			switch round % 4 {
			case 1:
				ops = []func() error{
					func() error { return f.orgs.Leave(f.ctx, a, o, audit.Meta{}) },
					func() error { return f.orgs.Leave(f.ctx, b, o, audit.Meta{}) },
				}
			case 2:
				ops = []func() error{
					func() error {
						_, err := f.orgs.UpdateMember(f.ctx, a, o, b, org.MemberUpdate{Role: ptr(org.RoleAdministrator)}, audit.Meta{})
						return err
					},
					func() error {
						_, err := f.orgs.UpdateMember(f.ctx, b, o, a, org.MemberUpdate{Role: ptr(org.RoleAdministrator)}, audit.Meta{})
						return err
					},
				}
			case 3:
				ops = []func() error{
					func() error { return f.orgs.Leave(f.ctx, a, o, audit.Meta{}) },
					func() error {
						_, err := f.orgs.UpdateMember(f.ctx, b, o, b, org.MemberUpdate{Role: ptr(org.RoleCollaborator)}, audit.Meta{})
						return err
					},
				}
			}
			errs := make(chan error, len(ops))
			start := make(chan struct{})
			for _, op := range ops {
				go func() { <-start; errs <- op() }()
			}
			close(start)
			ok := 0
			for range ops {
				err := <-errs
				switch {
				case err == nil:
					ok++
				case errors.Is(err, org.ErrLastLegalRepresentative), errors.Is(err, apperr.NotFound),
					errors.Is(err, apperr.As(err)) && apperr.As(err).Status == 403:
				default:
					t.Fatalf("round %d: unexpected error %v", round, err)
				}
			}
			if n := f.count(`SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND role = 'legal_representative'`, o); n != 1 || ok != 1 {
				t.Fatalf("round %d: %d legal representatives left and %d changes succeeded, want 1 and 1", round, n, ok)
			}
		}
	})
}

// ORG-7: a role change e-mails the person a summary in their language, in
// the transaction of the change.
func TestORG7_RoleChangeEmailsSummary(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "")
		o := f.organization(lr, "Fromagerie Alpine")
		c := f.person("Chloé", "Martin", "fr")
		f.add(o, c, org.RoleCollaborator, false, nil, nil)
		if _, err := f.orgs.UpdateMember(f.ctx, lr, o, c, org.MemberUpdate{ContactPreferences: &[]string{"legal"}}, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if msgs, _ := f.notifier.List(f.ctx, f.email(c), 10); len(msgs) != 0 {
			t.Fatalf("a change without a role change sent %d e-mails", len(msgs))
		}
		if _, err := f.orgs.UpdateMember(f.ctx, lr, o, c, org.MemberUpdate{Role: ptr(org.RoleAdministrator)}, audit.Meta{ActorID: lr}); err != nil {
			t.Fatal(err)
		}
		msgs, err := f.notifier.List(f.ctx, f.email(c), 10)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("outbox = %+v, %v; want one message", msgs, err)
		}
		m := msgs[0]
		if m.Template != "role_changed" || m.Language != "fr" || !strings.Contains(m.Subject, "Fromagerie Alpine") {
			t.Errorf("message %s/%s %q", m.Template, m.Language, m.Subject)
		}
		for _, want := range []string{"Chloé", "Fromagerie Alpine", "Collaborateur", "Administrateur", "Lea Rossi"} {
			if !strings.Contains(m.BodyText, want) || !strings.Contains(m.BodyHTML, want) {
				t.Errorf("summary lacks %q:\n%s", want, m.BodyText)
			}
		}
		events, _ := audit.ForUser(f.ctx, db, c, 5)
		if len(events) == 0 || events[0].Action != "member.updated" || events[0].Data["role"] != org.RoleAdministrator ||
			events[0].Data["old_role"] != org.RoleCollaborator || events[0].ActorID != lr {
			t.Errorf("audit = %+v", events)
		}
	})
}

// ORG-9: ids of other organizations, of non-members or malformed are "not found".
func TestORG9_ForeignIdsAreNotFound(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "")
		o := f.organization(lr, "Acme")
		olr := f.person("Otto", "Other", "")
		other := f.organization(olr, "Other")
		otherTeam := f.team(other, "Theirs", olr)
		for _, uid := range []string{olr, "x", id.New()} {
			if _, err := f.orgs.Member(f.ctx, lr, o, uid); !errors.Is(err, apperr.NotFound) {
				t.Errorf("Member(%s) = %v", uid, err)
			}
			if _, err := f.orgs.UpdateMember(f.ctx, lr, o, uid, org.MemberUpdate{Role: ptr(org.RoleCollaborator)}, audit.Meta{}); !errors.Is(err, apperr.NotFound) {
				t.Errorf("UpdateMember(%s) = %v", uid, err)
			}
			if err := f.orgs.RemoveMembers(f.ctx, lr, o, []string{uid}, audit.Meta{}); !errors.Is(err, apperr.NotFound) {
				t.Errorf("RemoveMembers(%s) = %v", uid, err)
			}
		}
		for _, orgID := range []string{other, "x"} {
			if _, err := f.orgs.Members(f.ctx, lr, orgID, org.MemberFilter{}); !errors.Is(err, apperr.NotFound) {
				t.Errorf("Members(%s) = %v", orgID, err)
			}
			if _, err := f.orgs.Member(f.ctx, lr, orgID, olr); !errors.Is(err, apperr.NotFound) {
				t.Errorf("Member(org %s) = %v", orgID, err)
			}
			if err := f.orgs.Leave(f.ctx, lr, orgID, audit.Meta{}); !errors.Is(err, apperr.NotFound) {
				t.Errorf("Leave(%s) = %v", orgID, err)
			}
			if err := f.orgs.RemoveMembers(f.ctx, lr, orgID, []string{olr}, audit.Meta{}); !errors.Is(err, apperr.NotFound) {
				t.Errorf("RemoveMembers(org %s) = %v", orgID, err)
			}
			if _, err := f.orgs.UpdateLegalDetails(f.ctx, lr, orgID, org.LegalDetails{Name: "X", LegalForm: "company", Country: "CH"}, audit.Meta{}); !errors.Is(err, apperr.NotFound) {
				t.Errorf("UpdateLegalDetails(%s) = %v", orgID, err)
			}
		}
		if _, err := f.orgs.Members(f.ctx, lr, o, org.MemberFilter{TeamID: otherTeam}); !errors.Is(err, apperr.NotFound) {
			t.Errorf("filter by another organization's team: %v", err)
		}
		if f.role(other, olr) != org.RoleLegalRepresentative {
			t.Error("the other organization was changed")
		}
	})
}

// Members lists everyone with externals, sorted, filtered by role or team;
// an external user cannot list members (ORG-1).
func TestMembersFiltersAndOrder(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Zürcher", "")
		o := f.organization(lr, "Acme")
		c1 := f.member(o, "Bea", "Meier", org.RoleCollaborator)
		c2 := f.member(o, "Anna", "Meier", org.RoleCollaborator)
		ext := f.member(o, "Eve", "Amsler", org.RoleExternal)
		tm := f.team(o, "Web", c1, ext)
		all, err := f.orgs.Members(f.ctx, c1, o, org.MemberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got := userIDs(all); !slices.Equal(got, []string{ext, c2, c1, lr}) {
			t.Errorf("order = %v, want Amsler, Anna Meier, Bea Meier, Zürcher", got)
		}
		if all[0].Role != org.RoleExternal || !slices.Equal(all[0].TeamIDs, []string{tm}) || all[0].Email != f.email(ext) {
			t.Errorf("external row = %+v", all[0])
		}
		collabs, _ := f.orgs.Members(f.ctx, lr, o, org.MemberFilter{Role: org.RoleCollaborator})
		if got := userIDs(collabs); !slices.Equal(got, []string{c2, c1}) {
			t.Errorf("role filter = %v", got)
		}
		team, _ := f.orgs.Members(f.ctx, lr, o, org.MemberFilter{TeamID: tm})
		if got := userIDs(team); !slices.Equal(got, []string{ext, c1}) {
			t.Errorf("team filter = %v", got)
		}
		both, _ := f.orgs.Members(f.ctx, lr, o, org.MemberFilter{TeamID: tm, Role: org.RoleCollaborator})
		if got := userIDs(both); !slices.Equal(got, []string{c1}) {
			t.Errorf("team+role filter = %v", got)
		}
		if _, err := f.orgs.Members(f.ctx, lr, o, org.MemberFilter{Role: "boss"}); apperr.As(err) == nil || apperr.As(err).Attribute != "role" {
			t.Errorf("bad role filter: %v", err)
		}
		_, err = f.orgs.Members(f.ctx, ext, o, org.MemberFilter{})
		wantCode(t, "external lists members", err, "external_user")
		_, err = f.orgs.Member(f.ctx, ext, o, lr)
		wantCode(t, "external reads a member", err, "external_user")
		if me, err := f.orgs.Member(f.ctx, ext, o, ext); err != nil || me.Role != org.RoleExternal {
			t.Errorf("external reads self: %+v, %v", me, err)
		}
	})
}

func userIDs(ms []org.Member) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.UserID)
	}
	return out
}

// ORG-1, ORG-3: organization-wide notices go to members whose preferences
// include the category, never to external users.
func TestORG1_ContactsForExcludesExternals(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "de")
		o := f.organization(lr, "Acme")
		if _, err := f.orgs.UpdateMember(f.ctx, lr, o, lr, org.MemberUpdate{ContactPreferences: &[]string{"billing", "legal"}}, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		c := f.person("Carl", "Collab", "")
		f.add(o, c, org.RoleCollaborator, true, []string{"billing"}, nil)
		f.add(o, f.person("Eve", "External", ""), org.RoleExternal, false, []string{"billing", "technical"}, nil)
		f.add(o, f.person("Tom", "Tech", ""), org.RoleAdministrator, false, []string{"technical"}, nil)
		got, err := org.ContactsFor(f.ctx, db, o, "billing")
		if err != nil {
			t.Fatal(err)
		}
		want := []org.Contact{{UserID: c, Email: f.email(c), FirstName: "Carl", Language: "en"},
			{UserID: lr, Email: f.email(lr), FirstName: "Lea", Language: "de"}}
		if !slices.Equal(got, want) {
			t.Errorf("billing contacts = %+v\nwant %+v", got, want)
		}
		if tech, _ := org.ContactsFor(f.ctx, db, o, "technical"); len(tech) != 1 || tech[0].FirstName != "Tom" {
			t.Errorf("technical contacts = %+v (the external must not be there)", tech)
		}
		if _, err := org.ContactsFor(f.ctx, db, o, "gossip"); apperr.As(err) == nil {
			t.Error("an unknown category was accepted")
		}
	})
}

// ORG-5: a full form sent by the member themself, with unchanged role,
// billing and products, only changes the contact preferences.
func TestORG5_OwnFullFormChangesOnlyContacts(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rossi", "")
		o := f.organization(lr, "Acme")
		p := f.product(o, "a.ch")
		c := f.person("Carl", "Collab", "")
		f.add(o, c, org.RoleCollaborator, false, nil, []string{p})
		m, err := f.orgs.UpdateMember(f.ctx, c, o, c, org.MemberUpdate{Role: ptr(org.RoleCollaborator), Billing: ptr(false),
			ProductIDs: &[]string{p}, ContactPreferences: &[]string{"marketing"}}, audit.Meta{})
		if err != nil || !slices.Equal(m.ContactPreferences, []string{"marketing"}) {
			t.Fatalf("own full form: %+v, %v", m, err)
		}
		_, err = f.orgs.UpdateMember(f.ctx, c, o, c, org.MemberUpdate{Billing: ptr(true), ContactPreferences: &[]string{}}, audit.Meta{})
		wantCode(t, "own billing right", err, "administrator_required")
	})
}

// ORG-8: the billing right belongs to collaborators only. Found in review: an
// administrator invited "with billing" kept the flag and, once changed to
// collaborator, saw billing without anyone granting it.
func TestORG8_BillingRightOnlyForCollaborators(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rep", "")
		o := f.organization(lr, "Billing AG")
		admin := f.person("Adam", "Admin", "")
		f.add(o, admin, org.RoleAdministrator, true, nil, nil)
		var stored bool
		if err := db.QueryRowContext(f.ctx, `SELECT billing FROM memberships WHERE organization_id = $1 AND user_id = $2`,
			o, admin).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored {
			t.Fatal("an administrator was stored with the billing right")
		}
		collab := org.RoleCollaborator
		m, err := f.orgs.UpdateMember(f.ctx, lr, o, admin, org.MemberUpdate{Role: &collab}, audit.Meta{ActorID: lr})
		if err != nil {
			t.Fatal(err)
		}
		if m.Billing {
			t.Fatal("demoted to collaborator, the member has a billing right nobody gave")
		}
		a, err := org.ActorOf(f.ctx, db, admin, o)
		if err != nil || a.Billing {
			t.Fatalf("ActorOf = %+v, %v; want no billing right", a, err)
		}
	})
}

// ORG-2: two changes of different legal details at the same moment both
// stay (found in review: the API read the organization, then wrote every
// field back in a second transaction, losing the other change).
func TestORG2_ConcurrentPatchesOfLegalDetailsBothStay(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lr := f.person("Lea", "Rep", "")
		for round := range 5 {
			o := f.organization(lr, fmt.Sprintf("Patch %d AG", round))
			city, vat := "Bern", "CHE-123.456.789 MWST"
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, p := range []org.LegalDetailsPatch{{City: &city}, {VATNumber: &vat}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = f.orgs.PatchLegalDetails(f.ctx, lr, o, p, audit.Meta{ActorID: lr})
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("round %d: %v", round, errs)
			}
			got, err := f.orgs.GetForUser(f.ctx, lr, o)
			if err != nil || got.City != city || got.VATNumber != vat {
				t.Fatalf("round %d: city %q, VAT %q (%v); want both changes", round, got.City, got.VATNumber, err)
			}
		}
	})
}
