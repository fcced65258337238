package invite_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/team"
	"github.com/alpage/alpage/internal/testutil"
)

func TestORG3_InviteNewPersonSignsUpWithoutNewOrganization(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		granted := newProduct(t, b, "domain", "muster.ch")
		viaTeam := newProduct(t, b, "web_hosting", "muster.ch")
		newProduct(t, b, "mail", "muster.ch") // neither granted nor in the team
		web := newTeam(t, b, "Web", viaTeam)
		gone := newTeam(t, b, "Gone")

		inv, err := b.invites.Create(ctx, b.admin.ID, b.org, invite.Input{Email: " Nina@Example.CH ", Role: "collaborator",
			Billing: true, ContactPreferences: []string{"technical", "billing"}, ProductIDs: []string{granted},
			TeamIDs: []string{web, gone}}, meta(b.admin.ID))
		if err != nil {
			t.Fatal(err)
		}
		if inv.Email != "nina@example.ch" || inv.Status != "pending" || inv.OrganizationName != "Muster AG" ||
			inv.InvitedByName != "Adam Meier" || !inv.ExpiresAt.Equal(b.clock.Now().Add(14*24*time.Hour)) {
			t.Fatalf("invitation %+v", inv)
		}
		// The e-mail: in the inviter's language (no account yet), who, where, role, link, expiry.
		msgs := invitations(t, b, "nina@example.ch")
		if len(msgs) != 1 {
			t.Fatalf("%d invitation e-mails", len(msgs))
		}
		m := msgs[0]
		for _, want := range []string{"Adam Meier", "Muster AG", "Mitarbeiter", "06.12.2026", "http://console.test/invitations/"} {
			if !strings.Contains(m.BodyText, want) {
				t.Errorf("the e-mail lacks %q:\n%s", want, m.BodyText)
			}
		}
		if m.Language != "de" {
			t.Errorf("e-mail in %s, want the inviter's de", m.Language)
		}
		token := linkToken(t, b, "nina@example.ch")
		if strings.Contains(m.BodyText, inv.ID) {
			t.Error("the link uses the invitation id instead of a secret")
		}
		var stored string
		db.QueryRowContext(ctx, `SELECT token_hash FROM invitations WHERE id = $1`, inv.ID).Scan(&stored)
		if stored == token || len(stored) != 64 {
			t.Fatalf("token stored as %q", stored)
		}
		if got, err := b.invites.ByToken(ctx, token); err != nil || got.ID != inv.ID {
			t.Fatalf("ByToken: %+v, %v", got, err)
		}
		// A team deleted meanwhile is skipped.
		if err := b.teams.Delete(ctx, b.admin.ID, b.org, gone, meta(b.admin.ID)); err != nil {
			t.Fatal(err)
		}

		u, err := b.invites.SignUpAndAccept(ctx, token, account.SignUpInput{Email: "someone.else@example.ch",
			Password: "correct horse battery", FirstName: "Nina", LastName: "Weber", Language: "fr",
			OrganizationName: "Should Not Exist"}, meta(""))
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "nina@example.ch" || !u.EmailConfirmed {
			t.Fatalf("account %+v: want the invited address, confirmed", u)
		}
		orgs, err := b.orgs.ListForUser(ctx, u.ID)
		if err != nil || len(orgs) != 1 || orgs[0].ID != b.org || orgs[0].Role != org.RoleCollaborator {
			t.Fatalf("organizations %+v, %v: want only Muster AG as collaborator", orgs, err)
		}
		var billing bool
		var prefs string
		db.QueryRowContext(ctx, `SELECT billing, contact_preferences FROM memberships WHERE organization_id = $1 AND user_id = $2`,
			b.org, u.ID).Scan(&billing, &prefs)
		if !billing || prefs != "billing technical" {
			t.Errorf("membership billing=%v prefs=%q", billing, prefs)
		}
		ps, err := b.products.ListForUser(ctx, u.ID, b.org, product.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var reach []string
		for _, p := range ps {
			reach = append(reach, p.ID)
		}
		if slices.Sort(reach); !slices.Equal(reach, sortedOf(granted, viaTeam)) {
			t.Fatalf("reaches %v, want the granted product and the team's", reach)
		}
		teams, err := b.teams.List(ctx, u.ID, b.org)
		if err != nil || len(teams) != 1 || teams[0].ID != web || !slices.Contains(teams[0].MemberIDs, u.ID) {
			t.Fatalf("teams %+v, %v", teams, err)
		}
		if got, _ := b.notifier.List(ctx, "nina@example.ch", 10); len(got) != 1 {
			t.Errorf("%d messages to the invitee, want only the invitation (no confirmation e-mail)", len(got))
		}
		// The link works once.
		if _, err := b.invites.ByToken(ctx, token); !errors.Is(err, invite.ErrInvitationInvalid) {
			t.Fatalf("used link: %v", err)
		}
		if pending, _ := b.invites.List(ctx, b.admin.ID, b.org); len(pending) != 0 {
			t.Fatalf("still pending: %+v", pending)
		}
		if auditCount(t, b, "invitation.created") != 1 || auditCount(t, b, "invitation.accepted") != 1 {
			t.Error("invitation not audited")
		}
	})
}

func TestACC2_FailedSignUpFromInvitationLeavesNothing(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		invite1(t, b, b.admin.ID, "nina@example.ch", "administrator")
		token := linkToken(t, b, "nina@example.ch")
		_, err := b.invites.SignUpAndAccept(ctx, token, account.SignUpInput{Password: "short", FirstName: "N", LastName: "W"}, meta(""))
		if err == nil {
			t.Fatal("a too short password was accepted")
		}
		if _, err := b.accounts.GetByEmail(ctx, "nina@example.ch"); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("an account was left: %v", err)
		}
		if _, err := b.invites.ByToken(ctx, token); err != nil {
			t.Fatalf("the link stopped working after a failed sign-up: %v", err)
		}
	})
}

func TestORG3_ExistingAccountAcceptsAndDeclines(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		paul := signUp(t, b, "paul@example.ch", "Paul", "Favre", "fr", "")
		inv := invite1(t, b, b.admin.ID, "PAUL@example.ch", "administrator")
		if m := invitations(t, b, "paul@example.ch")[0]; m.Language != "fr" || !strings.Contains(m.BodyText, "Administrateur") {
			t.Errorf("e-mail in %s, want the invitee's fr:\n%s", m.Language, m.BodyText)
		}
		mine, err := b.invites.ListForUser(ctx, paul.ID)
		if err != nil || len(mine) != 1 || mine[0].ID != inv.ID || mine[0].OrganizationName != "Muster AG" {
			t.Fatalf("ListForUser: %+v, %v", mine, err)
		}
		// Someone else cannot answer it.
		if _, err := b.invites.Accept(ctx, b.collab.ID, inv.ID, meta(b.collab.ID)); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("another user accepted: %v", err)
		}
		if err := b.invites.Decline(ctx, b.collab.ID, inv.ID, meta(b.collab.ID)); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("another user declined: %v", err)
		}
		_, err = b.invites.AcceptByToken(ctx, b.collab.ID, linkToken(t, b, "paul@example.ch"), meta(b.collab.ID))
		wantCode(t, err, "invitation_for_another_email")

		if got, err := b.invites.Accept(ctx, paul.ID, inv.ID, meta(paul.ID)); err != nil || got.ID != inv.ID || got.Status != "accepted" {
			t.Fatalf("Accept: %+v, %v", got, err)
		}
		orgs, _ := b.orgs.ListForUser(ctx, paul.ID)
		if len(orgs) != 2 { // his own and Muster AG
			t.Fatalf("organizations %+v", orgs)
		}
		for _, o := range orgs {
			if o.ID == b.org && o.Role != org.RoleAdministrator {
				t.Fatalf("role %s in Muster AG", o.Role)
			}
		}
		if _, err := b.invites.Accept(ctx, paul.ID, inv.ID, meta(paul.ID)); !errors.Is(err, invite.ErrInvitationInvalid) {
			t.Fatalf("accepted twice: %v", err)
		}
		// Inviting a member is refused.
		_, err = b.invites.Create(ctx, b.admin.ID, b.org, invite.Input{Email: "paul@example.ch", Role: "collaborator"}, meta(b.admin.ID))
		wantCode(t, err, "already_member")

		// Declining.
		vera := signUp(t, b, "vera@example.ch", "Vera", "Rossi", "it", "")
		inv2 := invite1(t, b, b.lr.ID, "vera@example.ch", "collaborator")
		if err := b.invites.Decline(ctx, vera.ID, inv2.ID, meta(vera.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.invites.Accept(ctx, vera.ID, inv2.ID, meta(vera.ID)); !errors.Is(err, invite.ErrInvitationInvalid) {
			t.Fatalf("accepted after declining: %v", err)
		}
		if orgs, _ := b.orgs.ListForUser(ctx, vera.ID); len(orgs) != 1 {
			t.Fatalf("declining joined: %+v", orgs)
		}
		if auditCount(t, b, "invitation.declined") != 1 {
			t.Error("decline not audited")
		}

		// Through the link, signed in, and declining through the link.
		inv3 := invite1(t, b, b.lr.ID, "ugo@example.ch", "external")
		ugo := signUp(t, b, "ugo@example.ch", "Ugo", "Bianchi", "it", "")
		got, err := b.invites.AcceptByToken(ctx, ugo.ID, linkToken(t, b, "ugo@example.ch"), meta(ugo.ID))
		if err != nil || got.ID != inv3.ID || got.Status != "accepted" {
			t.Fatalf("AcceptByToken: %+v, %v", got, err)
		}
		invite1(t, b, b.lr.ID, "zoe@example.ch", "collaborator")
		token := linkToken(t, b, "zoe@example.ch")
		if err := b.invites.DeclineByToken(ctx, token, meta("")); err != nil {
			t.Fatal(err)
		}
		if _, err := b.invites.ByToken(ctx, token); !errors.Is(err, invite.ErrInvitationInvalid) {
			t.Fatalf("declined link: %v", err)
		}
	})
}

func TestORG3_UnconfirmedAccountCannotAcceptById(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		u, err := b.accounts.SignUp(ctx, account.SignUpInput{Email: "squat@example.ch", Password: "correct horse battery",
			FirstName: "S", LastName: "Q"}, meta(""))
		if err != nil {
			t.Fatal(err)
		}
		inv := invite1(t, b, b.admin.ID, "squat@example.ch", "administrator")
		if mine, _ := b.invites.ListForUser(ctx, u.ID); len(mine) != 0 {
			t.Fatalf("an unconfirmed address lists invitations: %+v", mine)
		}
		_, err = b.invites.Accept(ctx, u.ID, inv.ID, meta(u.ID))
		wantCode(t, err, "email_not_confirmed")
	})
}

func TestORG3_InvitationExpiresAfter14Days(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		inv := invite1(t, b, b.admin.ID, "late@example.ch", "collaborator")
		token := linkToken(t, b, "late@example.ch")
		b.clock.Advance(14*24*time.Hour - time.Second)
		if _, err := b.invites.ByToken(ctx, token); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		b.clock.Advance(time.Second)
		if _, err := b.invites.ByToken(ctx, token); !errors.Is(err, invite.ErrInvitationInvalid) {
			t.Fatalf("after 14 days: %v", err)
		}
		if e := apperr.As(invite.ErrInvitationInvalid); e.Status != 410 {
			t.Errorf("status %d", e.Status)
		}
		_, err := b.invites.SignUpAndAccept(ctx, token, account.SignUpInput{Password: "correct horse battery",
			FirstName: "L", LastName: "Ate"}, meta(""))
		wantCode(t, err, "invitation_invalid")
		if pending, _ := b.invites.List(ctx, b.admin.ID, b.org); len(pending) != 0 {
			t.Fatalf("expired invitation listed: %+v", pending)
		}
		// An expired invitation does not block a new one.
		again := invite1(t, b, b.admin.ID, "late@example.ch", "collaborator")
		if again.ID == inv.ID {
			t.Fatal("same invitation")
		}
		if _, err := b.invites.ByToken(ctx, linkToken(t, b, "late@example.ch")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestORG3_ResendInvalidatesTheOldLink(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		inv := invite1(t, b, b.admin.ID, "slow@example.ch", "collaborator")
		old := linkToken(t, b, "slow@example.ch")
		b.clock.Advance(20 * 24 * time.Hour) // expired: resending revives it
		got, err := b.invites.Resend(ctx, b.lr.ID, b.org, inv.ID, meta(b.lr.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !got.ExpiresAt.Equal(b.clock.Now().Add(14*24*time.Hour)) || got.Status != "pending" || got.InvitedByName != "Lena Roth" {
			t.Fatalf("resent %+v", got)
		}
		if n := len(invitations(t, b, "slow@example.ch")); n != 2 {
			t.Fatalf("%d e-mails, want 2", n)
		}
		fresh := linkToken(t, b, "slow@example.ch")
		if fresh == old {
			t.Fatal("same token")
		}
		if _, err := b.invites.ByToken(ctx, old); !errors.Is(err, invite.ErrInvitationInvalid) {
			t.Fatalf("old link: %v", err)
		}
		if _, err := b.invites.ByToken(ctx, fresh); err != nil {
			t.Fatalf("new link: %v", err)
		}
		if auditCount(t, b, "invitation.resent") != 1 {
			t.Error("resend not audited")
		}
		_, err = b.invites.Resend(ctx, b.collab.ID, b.org, inv.ID, meta(b.collab.ID))
		wantCode(t, err, "administrator_required")
	})
}

func TestORG3_CancelInvitation(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		inv := invite1(t, b, b.admin.ID, "no@example.ch", "collaborator")
		token := linkToken(t, b, "no@example.ch")
		wantCode(t, b.invites.Cancel(ctx, b.collab.ID, b.org, inv.ID, meta(b.collab.ID)), "administrator_required")
		if err := b.invites.Cancel(ctx, b.admin.ID, b.org, inv.ID, meta(b.admin.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.invites.ByToken(ctx, token); !errors.Is(err, invite.ErrInvitationInvalid) {
			t.Fatalf("cancelled link: %v", err)
		}
		if pending, _ := b.invites.List(ctx, b.admin.ID, b.org); len(pending) != 0 {
			t.Fatalf("cancelled invitation listed: %+v", pending)
		}
		if err := b.invites.Cancel(ctx, b.admin.ID, b.org, inv.ID, meta(b.admin.ID)); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("cancelled twice: %v", err)
		}
		if _, err := b.invites.Resend(ctx, b.admin.ID, b.org, inv.ID, meta(b.admin.ID)); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("resent a cancelled invitation: %v", err)
		}
		if auditCount(t, b, "invitation.cancelled") != 1 {
			t.Error("cancel not audited")
		}
		// The address can be invited again.
		invite1(t, b, b.admin.ID, "no@example.ch", "collaborator")
	})
}

func TestORG2_OnlyAdministratorsInviteAndOnlyLegalRepresentativesInviteOne(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ext := signUp(t, b, "ext@example.ch", "E", "X", "en", "")
		join(t, b, b.org, ext.ID, "external")
		stranger := signUp(t, b, "stranger@example.ch", "S", "T", "en", "")
		for actor, code := range map[string]string{b.collab.ID: "administrator_required", ext.ID: "administrator_required",
			stranger.ID: "object_not_found"} {
			_, err := b.invites.Create(ctx, actor, b.org, invite.Input{Email: "new@example.ch", Role: "collaborator"}, meta(actor))
			wantCode(t, err, code)
			_, err = b.invites.List(ctx, actor, b.org)
			wantCode(t, err, code)
		}
		_, err := b.invites.Create(ctx, b.admin.ID, b.org, invite.Input{Email: "boss@example.ch", Role: "legal_representative"}, meta(b.admin.ID))
		wantCode(t, err, "legal_representative_required")
		inv := invite1(t, b, b.lr.ID, "boss@example.ch", "legal_representative")
		// An administrator cannot resend or cancel it either.
		_, err = b.invites.Resend(ctx, b.admin.ID, b.org, inv.ID, meta(b.admin.ID))
		wantCode(t, err, "legal_representative_required")
		wantCode(t, b.invites.Cancel(ctx, b.admin.ID, b.org, inv.ID, meta(b.admin.ID)), "legal_representative_required")
		invite1(t, b, b.admin.ID, "helper@example.ch", "administrator")
		if pending, err := b.invites.List(ctx, b.admin.ID, b.org); err != nil || len(pending) != 2 {
			t.Fatalf("pending %+v, %v", pending, err)
		}
		if n := len(invitations(t, b, "new@example.ch")); n != 0 {
			t.Fatalf("a refused invitation sent %d e-mails", n)
		}
	})
}

func TestORG3_OnePendingInvitationPerAddressAndValidation(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		invite1(t, b, b.admin.ID, "dup@example.ch", "collaborator")
		_, err := b.invites.Create(ctx, b.lr.ID, b.org, invite.Input{Email: "DUP@example.ch", Role: "administrator"}, meta(b.lr.ID))
		if e := wantCode(t, err, "invitation_pending"); e.Status != 409 {
			t.Fatalf("status %d", e.Status)
		}
		// Another organization may invite the same address.
		other, _ := b.orgs.ListForUser(ctx, b.admin.ID) // the admin's own organization
		var own string
		for _, o := range other {
			if o.ID != b.org {
				own = o.ID
			}
		}
		if _, err := b.invites.Create(ctx, b.admin.ID, own, invite.Input{Email: "dup@example.ch", Role: "collaborator"}, meta(b.admin.ID)); err != nil {
			t.Fatalf("another organization: %v", err)
		}
		theirProduct, err := b.products.Create(ctx, own, "domain", "adam.ch", "")
		if err != nil {
			t.Fatal(err)
		}
		theirTeam, err := b.teams.Create(ctx, b.admin.ID, own, team.Input{Name: ptr("Theirs")}, meta(b.admin.ID))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			in        invite.Input
			attribute string
		}{
			{invite.Input{Email: "not an address", Role: "collaborator"}, "email"},
			{invite.Input{Email: "a@example.ch", Role: "owner"}, "role"},
			{invite.Input{Email: "a@example.ch", Role: "collaborator", ContactPreferences: []string{"gossip"}}, "contact_preferences"},
			{invite.Input{Email: "a@example.ch", Role: "collaborator", ProductIDs: []string{theirProduct.ID}}, "product_ids"},
			{invite.Input{Email: "a@example.ch", Role: "collaborator", TeamIDs: []string{theirTeam.ID}}, "team_ids"},
		} {
			_, err := b.invites.Create(ctx, b.admin.ID, b.org, c.in, meta(b.admin.ID))
			if e := wantCode(t, err, "validation_failed"); e.Attribute != c.attribute {
				t.Errorf("%+v: attribute %q, want %q", c.in, e.Attribute, c.attribute)
			}
		}
	})
}

func sortedOf(s ...string) []string {
	slices.Sort(s)
	return s
}

func ptr[T any](v T) *T { return &v }
