package team_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/team"
	"github.com/alpage/alpage/internal/testutil"
)

func wantCode(t *testing.T, err error, code string) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
	return e
}

func TestTEAM1_AdministratorsCreateRenameAndDeleteTeams(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		for _, actor := range []string{b.lr, b.admin} {
			name := "Web " + actor
			tm, err := b.teams.Create(ctx, actor, b.org, team.Input{Name: ptr(" " + name + " ")}, meta(actor))
			if err != nil {
				t.Fatal(err)
			}
			if tm.Name != name || tm.OrganizationID != b.org || len(tm.MemberIDs) != 0 || tm.LeaderID != "" {
				t.Fatalf("created %+v", tm)
			}
			renamed, err := b.teams.Update(ctx, actor, b.org, tm.ID, team.Input{Name: ptr("Renamed " + actor)}, meta(actor))
			if err != nil || renamed.Name != "Renamed "+actor {
				t.Fatalf("rename: %+v, %v", renamed, err)
			}
			if err := b.teams.Delete(ctx, actor, b.org, tm.ID, meta(actor)); err != nil {
				t.Fatal(err)
			}
			if _, err := b.teams.Get(ctx, actor, b.org, tm.ID); !errors.Is(err, apperr.NotFound) {
				t.Fatalf("deleted team: %v", err)
			}
		}
		for action, want := range map[string]int{"team.created": 2, "team.updated": 2, "team.deleted": 2} {
			if got := auditCount(t, b, action); got != want {
				t.Errorf("%s audited %d times, want %d", action, got, want)
			}
		}
	})
}

func TestTEAM1_CollaboratorCannotManageTeams(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		tm := newTeam(t, b, "Web")
		stranger := newUser(t, b, "stranger@example.ch")
		for actor, code := range map[string]string{b.collab: "administrator_required",
			b.external: "administrator_required", stranger: "object_not_found"} {
			_, err := b.teams.Create(ctx, actor, b.org, team.Input{Name: ptr("Mine")}, meta(actor))
			wantCode(t, err, code)
			_, err = b.teams.Update(ctx, actor, b.org, tm.ID, team.Input{Name: ptr("Mine")}, meta(actor))
			wantCode(t, err, code)
			_, err = b.teams.AddMembers(ctx, actor, b.org, tm.ID, []string{b.collab}, meta(actor))
			wantCode(t, err, code)
			wantCode(t, b.teams.Delete(ctx, actor, b.org, tm.ID, meta(actor)), code)
		}
		if got, err := b.teams.Get(ctx, b.admin, b.org, tm.ID); err != nil || got.Name != "Web" || len(got.MemberIDs) != 0 {
			t.Fatalf("the team changed: %+v, %v", got, err)
		}
		if _, err := b.teams.List(ctx, stranger, b.org); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("a stranger listed teams: %v", err)
		}
	})
}

func TestTEAM1_NameUniquePerOrganization(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		newTeam(t, b, "Web")
		other := newTeam(t, b, "Mail")
		_, err := b.teams.Create(ctx, b.admin, b.org, team.Input{Name: ptr("Web")}, meta(b.admin))
		if e := wantCode(t, err, "team_name_taken"); e.Status != 409 || e.Attribute != "name" {
			t.Fatalf("clash: %+v", e)
		}
		_, err = b.teams.Update(ctx, b.admin, b.org, other.ID, team.Input{Name: ptr("Web")}, meta(b.admin))
		wantCode(t, err, "team_name_taken")
		_, err = b.teams.Create(ctx, b.admin, b.org, team.Input{Name: ptr("  ")}, meta(b.admin))
		if e := wantCode(t, err, "validation_failed"); e.Attribute != "name" {
			t.Fatalf("empty name: %+v", e)
		}
		// Another organization may use the same name.
		org2 := newOrg(t, b, "Other SA")
		join(t, b, org2, b.admin, "administrator")
		if _, err := b.teams.Create(ctx, b.admin, org2, team.Input{Name: ptr("Web")}, meta(b.admin)); err != nil {
			t.Fatalf("same name in another organization: %v", err)
		}
	})
}

func TestTEAM3_SeveralUsersAtOnceIncludingExternals(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		web, mail := newTeam(t, b, "Web"), newTeam(t, b, "Mail")
		stranger := newUser(t, b, "stranger@example.ch")

		// A stranger in the list: nobody is added.
		_, err := b.teams.AddMembers(ctx, b.admin, b.org, web.ID, []string{b.collab, stranger, "junk"}, meta(b.admin))
		e := wantCode(t, err, "validation_failed")
		if e.Attribute != "user_ids" || !slices.Equal(e.Values, []string{stranger, "junk"}) {
			t.Fatalf("refusal: %+v", e)
		}
		if got, _ := b.teams.Get(ctx, b.admin, b.org, web.ID); len(got.MemberIDs) != 0 {
			t.Fatalf("partly added: %v", got.MemberIDs)
		}

		got, err := b.teams.AddMembers(ctx, b.admin, b.org, web.ID, []string{b.collab, b.external, b.collab}, meta(b.admin))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sorted(got.MemberIDs), sorted([]string{b.collab, b.external})) {
			t.Fatalf("members %v", got.MemberIDs)
		}
		// Adding again is harmless; a user can be in several teams.
		if _, err := b.teams.AddMembers(ctx, b.admin, b.org, web.ID, []string{b.collab}, meta(b.admin)); err != nil {
			t.Fatal(err)
		}
		if got, err := b.teams.AddMembers(ctx, b.admin, b.org, mail.ID, []string{b.collab}, meta(b.admin)); err != nil || len(got.MemberIDs) != 1 {
			t.Fatalf("second team: %+v, %v", got, err)
		}
		if n := auditCount(t, b, "team.member_added"); n != 3 {
			t.Errorf("member_added audited %d times, want 3", n)
		}
		if _, err := b.teams.AddMembers(ctx, b.admin, b.org, web.ID, nil, meta(b.admin)); err == nil {
			t.Fatal("adding nobody succeeded")
		}
	})
}

func TestTEAM3_LeaderIsAMember(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		stranger := newUser(t, b, "stranger@example.ch")
		_, err := b.teams.Create(ctx, b.admin, b.org, team.Input{Name: ptr("Web"), LeaderID: &stranger}, meta(b.admin))
		if e := wantCode(t, err, "validation_failed"); e.Attribute != "leader_id" {
			t.Fatalf("stranger as leader: %+v", e)
		}
		tm, err := b.teams.Create(ctx, b.admin, b.org, team.Input{Name: ptr("Web"), LeaderID: &b.external}, meta(b.admin))
		if err != nil {
			t.Fatal(err)
		}
		if tm.LeaderID != b.external || !slices.Equal(tm.MemberIDs, []string{b.external}) {
			t.Fatalf("leader not a member: %+v", tm)
		}
		tm, err = b.teams.Update(ctx, b.admin, b.org, tm.ID, team.Input{LeaderID: &b.collab}, meta(b.admin))
		if err != nil || tm.LeaderID != b.collab || len(tm.MemberIDs) != 2 {
			t.Fatalf("new leader: %+v, %v", tm, err)
		}
		// Removing the leader from the team clears the leader.
		tm, err = b.teams.RemoveMember(ctx, b.admin, b.org, tm.ID, b.collab, meta(b.admin))
		if err != nil || tm.LeaderID != "" || !slices.Equal(tm.MemberIDs, []string{b.external}) {
			t.Fatalf("after removing the leader: %+v, %v", tm, err)
		}
		if _, err := b.teams.RemoveMember(ctx, b.admin, b.org, tm.ID, b.collab, meta(b.admin)); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("removing a non-member: %v", err)
		}
		tm, _ = b.teams.Update(ctx, b.admin, b.org, tm.ID, team.Input{LeaderID: &b.external}, meta(b.admin))
		tm, err = b.teams.Update(ctx, b.admin, b.org, tm.ID, team.Input{LeaderID: ptr("")}, meta(b.admin))
		if err != nil || tm.LeaderID != "" || len(tm.MemberIDs) != 1 {
			t.Fatalf("clearing the leader: %+v, %v", tm, err)
		}
	})
}

// TEAM-2: a collaborator reaches a team's products as soon as they are added
// to the team, and no longer once removed or the team is deleted.
func TestTEAM2_ReachFollowsTeamMembershipAtOnce(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		products := product.New(db, b.clock)
		site := newProduct(t, b, b.org, "web_hosting", "example.ch")
		newProduct(t, b, b.org, "domain", "example.ch")
		foreign := newProduct(t, b, newOrg(t, b, "Other SA"), "web_hosting", "other.ch")

		_, err := b.teams.Create(ctx, b.admin, b.org, team.Input{Name: ptr("Web"), ProductIDs: &[]string{site, foreign}}, meta(b.admin))
		if e := wantCode(t, err, "validation_failed"); e.Attribute != "product_ids" || !slices.Equal(e.Values, []string{foreign}) {
			t.Fatalf("foreign product: %+v", e)
		}
		web := newTeam(t, b, "Web", site)
		if !slices.Equal(web.ProductIDs, []string{site}) {
			t.Fatalf("products %v", web.ProductIDs)
		}
		reach := func() []string {
			t.Helper()
			ps, err := products.ListForUser(ctx, b.collab, b.org, product.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
			return ids
		}
		if got := reach(); len(got) != 0 {
			t.Fatalf("before joining: %v", got)
		}
		if _, err := b.teams.AddMembers(ctx, b.admin, b.org, web.ID, []string{b.collab}, meta(b.admin)); err != nil {
			t.Fatal(err)
		}
		if got := reach(); !slices.Equal(got, []string{site}) {
			t.Fatalf("after joining: %v", got)
		}
		if _, err := b.teams.RemoveMember(ctx, b.admin, b.org, web.ID, b.collab, meta(b.admin)); err != nil {
			t.Fatal(err)
		}
		if got := reach(); len(got) != 0 {
			t.Fatalf("after leaving: %v", got)
		}
		// Products of the team change the reach of its members too.
		b.teams.AddMembers(ctx, b.admin, b.org, web.ID, []string{b.collab}, meta(b.admin))
		if _, err := b.teams.Update(ctx, b.admin, b.org, web.ID, team.Input{ProductIDs: &[]string{}}, meta(b.admin)); err != nil {
			t.Fatal(err)
		}
		if got := reach(); len(got) != 0 {
			t.Fatalf("after the team lost the product: %v", got)
		}
		b.teams.Update(ctx, b.admin, b.org, web.ID, team.Input{ProductIDs: &[]string{site}}, meta(b.admin))
		if got := reach(); len(got) != 1 {
			t.Fatalf("after the team got the product back: %v", got)
		}
		if err := b.teams.Delete(ctx, b.admin, b.org, web.ID, meta(b.admin)); err != nil {
			t.Fatal(err)
		}
		if got := reach(); len(got) != 0 {
			t.Fatalf("after deleting the team: %v", got)
		}
	})
}

func TestTEAM_ExternalSeesOnlyTheirTeams(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		web, mail := newTeam(t, b, "Web"), newTeam(t, b, "Mail")
		b.teams.AddMembers(ctx, b.admin, b.org, web.ID, []string{b.external}, meta(b.admin))
		got, err := b.teams.List(ctx, b.external, b.org)
		if err != nil || len(got) != 1 || got[0].ID != web.ID {
			t.Fatalf("external's teams: %+v, %v", got, err)
		}
		if _, err := b.teams.Get(ctx, b.external, b.org, mail.ID); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("external got another team: %v", err)
		}
		if _, err := b.teams.Get(ctx, b.external, b.org, web.ID); err != nil {
			t.Fatal(err)
		}
		all, err := b.teams.List(ctx, b.collab, b.org)
		if err != nil || len(all) != 2 || all[0].Name != "Mail" {
			t.Fatalf("collaborator's view: %+v, %v", all, err)
		}
	})
}

// ORG-9: a team of another organization, or a malformed id, is not found.
func TestORG9_TeamsOfAnotherOrganizationAreNotFound(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		org2 := newOrg(t, b, "Other SA")
		boss := newMember(t, b, org2, "boss@other.ch", "legal_representative")
		theirs, err := b.teams.Create(ctx, boss, org2, team.Input{Name: ptr("Theirs")}, meta(boss))
		if err != nil {
			t.Fatal(err)
		}
		for _, teamID := range []string{theirs.ID, "not-an-id"} {
			if _, err := b.teams.Get(ctx, b.admin, b.org, teamID); !errors.Is(err, apperr.NotFound) {
				t.Errorf("Get(%s): %v", teamID, err)
			}
			if _, err := b.teams.AddMembers(ctx, b.admin, b.org, teamID, []string{b.collab}, meta(b.admin)); !errors.Is(err, apperr.NotFound) {
				t.Errorf("AddMembers(%s): %v", teamID, err)
			}
			if err := b.teams.Delete(ctx, b.admin, b.org, teamID, meta(b.admin)); !errors.Is(err, apperr.NotFound) {
				t.Errorf("Delete(%s): %v", teamID, err)
			}
		}
		if _, err := b.teams.List(ctx, b.admin, org2); !errors.Is(err, apperr.NotFound) {
			t.Errorf("listing another organization's teams: %v", err)
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
