package api

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/team"
	"github.com/alpage/alpage/internal/token"
)

// isolationExempt lists the routes with no path parameter naming an
// object: they act on the caller's own account or list what is the
// caller's. Every other route is walked by TestORG9_….
var isolationExempt = map[string]string{
	"GET /catalog":                              "the provider's catalog, the same for every customer",
	"GET /profile":                              "the caller's own account",
	"PATCH /profile":                            "the caller's own account",
	"POST /profile/email":                       "the caller's own account",
	"POST /profile/password":                    "the caller's own account",
	"POST /profile/close":                       "the caller's own account",
	"GET /profile/tokens":                       "lists the caller's own tokens",
	"POST /profile/tokens":                      "creates a token of the caller",
	"GET /profile/security":                     "the caller's own two-step state",
	"GET /profile/security/passkeys":            "lists the caller's own passkeys",
	"POST /profile/security/totp":               "links an authenticator to the caller's own account",
	"POST /profile/security/totp/confirm":       "switches the caller's own codes on",
	"POST /profile/security/totp/disable":       "switches the caller's own codes off",
	"POST /profile/security/backup-codes":       "the caller's own backup codes",
	"GET /profile/security/alerts":              "the caller's own security e-mail choices",
	"POST /profile/security/identity-request":   "asks to verify the caller's own identity",
	"POST /profile/recovery-email/confirmation": "sends the caller's own recovery e-mail link",
	"PATCH /profile/security/alerts":            "changes the caller's own security e-mail choices",
	"GET /profile/activity":                     "lists the caller's own events",
	"GET /profile/sessions":                     "lists the caller's own sessions",
	"GET /organizations":                        "lists the caller's organizations",
	"POST /organizations":                       "creates an organization of the caller",
	"GET /invitations":                          "lists the invitations to the caller's e-mail",
	"GET /_dev/clock":                           "test mode, no organization",
	"POST /_dev/clock":                          "test mode, no organization",
	"GET /_dev/outbox":                          "test mode, no organization",
}

// isolationBodies are minimal valid bodies of the routes that take one;
// "{user}" stands for a user id. A route with a body not listed is sent {}.
var isolationBodies = map[string]string{
	"POST /organizations/{org}/users/remove":       `{"user_ids":["{user}"]}`,
	"POST /organizations/{org}/invitations":        `{"email":"newcomer@example.ch","role":"collaborator"}`,
	"POST /organizations/{org}/teams":              `{"name":"Isolation"}`,
	"POST /organizations/{org}/teams/{team}/users": `{"user_ids":["{user}"]}`,
	"PATCH /organizations/{org}":                   `{"name":"Taken over"}`,
	"PATCH /organizations/{org}/users/{user}":      `{"role":"administrator"}`,
	"PATCH /organizations/{org}/teams/{team}":      `{"name":"Renamed"}`,
	"PATCH /profile/security/passkeys/{passkey}":   `{"name":"Taken over"}`,
	"DELETE /profile/security/passkeys/{passkey}":  `{"password":"correct horse battery staple"}`,
}

var paramRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// ORG-9: every route that names an object answers 404 object_not_found
// when the object belongs to an organization the caller is not in — with
// the other organization's id, and with the caller's own organization and
// the other's object. The route table is read, so a new route is walked
// without editing this test, or the test fails until it is listed exempt.
func TestORG9_EveryRouteHidesForeignObjects(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{dev: true, rateLimit: 1_000_000})
	ctx := context.Background()

	// The caller: legal representative of her own organization, with a
	// product, a team and an invitation of her own.
	annaID, secret := b.user(t, "anna@example.ch")
	mine := b.ownOrganization(t, annaID)
	b.product(t, mine, "domain", "anna.example")

	// Another organization the caller is not in, with one object of each kind.
	zoeID, _ := b.user(t, "zoe@example.ch")
	theirs := b.ownOrganization(t, zoeID)
	maxID, _ := b.user(t, "max@example.ch")
	b.join(t, theirs, maxID, org.RoleCollaborator, false)
	theirProduct := b.product(t, theirs, "web_hosting", "zoe.example")
	name := "Their team"
	theirTeam, err := b.teams.Create(ctx, zoeID, theirs, team.Input{Name: &name, ProductIDs: &[]string{theirProduct}}, audit.Meta{ActorID: zoeID})
	if err != nil {
		t.Fatal(err)
	}
	theirInvitation, err := b.invites.Create(ctx, zoeID, theirs, invite.Input{Email: "someone@example.ch", Role: org.RoleCollaborator}, audit.Meta{ActorID: zoeID})
	if err != nil {
		t.Fatal(err)
	}
	zoeTokens, err := b.tokens.List(ctx, zoeID)
	if err != nil || len(zoeTokens) != 1 {
		t.Fatalf("zoe's tokens: %v, %v", zoeTokens, err)
	}
	_, zoeSession, err := b.accounts.CreateSession(ctx, zoeID, audit.Meta{IP: "203.0.113.9", UserAgent: "Zoe's browser"})
	if err != nil {
		t.Fatal(err)
	}
	theirPasskey := b.passkey(t, zoeID, "Zoe's")
	foreign := map[string]string{
		"org": theirs, "user": maxID, "team": theirTeam.ID, "product": theirProduct,
		"invitation": theirInvitation.ID, "token": zoeTokens[0].ID, "session": zoeSession.ID,
		"passkey": theirPasskey.ID,
	}
	for k, v := range b.billingObjects(t, zoeID, theirs) { // order, invoice, checkout, payment_method
		foreign[k] = v
	}

	walked := map[string]bool{}
	for _, rt := range b.s.routes {
		key := rt.Method + " " + rt.Path
		if _, ok := deviceRoutes[key]; ok {
			continue // a phone's route: TestSEC4_PhoneRoutesHideOtherAccounts walks it with a phone's token
		}
		if rt.scope() == token.ScopeOperator {
			continue // no organization: TestAPI1_OperatorScopeIsNeverImpliedNorGrantedToCustomers refuses a customer's token on each
		}
		params := paramRE.FindAllStringSubmatch(rt.Path, -1)
		if len(params) == 0 {
			if _, ok := isolationExempt[key]; !ok {
				t.Errorf("%s names no object and is not listed in isolationExempt: add it there or give it a path parameter", key)
			}
			continue
		}
		if _, ok := isolationExempt[key]; ok {
			t.Errorf("%s is listed exempt but has path parameters: walk it", key)
		}
		for _, p := range params {
			if _, ok := foreign[p[1]]; !ok {
				t.Errorf("%s: no foreign object for parameter {%s}: teach the test this kind", key, p[1])
			}
		}
		walked[key] = true

		// Every parameter another organization's; then, when the route names
		// an object besides the organization (in its path or its body), the
		// caller's organization with the other's object.
		variants := []map[string]string{foreign}
		if strings.HasPrefix(rt.Path, "/organizations/{org}") && (len(params) > 1 || strings.Contains(isolationBodies[key], "{user}")) {
			mixed := map[string]string{}
			for k, v := range foreign {
				mixed[k] = v
			}
			mixed["org"] = mine
			variants = append(variants, mixed)
		}
		for _, sub := range variants {
			for _, path := range []string{rt.versionedPath(), rt.Path} {
				p := paramRE.ReplaceAllStringFunc(path, func(m string) string { return sub[strings.Trim(m, "{}")] })
				var body any
				if rt.hasBody {
					raw, ok := isolationBodies[key]
					if !ok {
						raw, ok = billingIsolationBodies[key]
					}
					if !ok {
						raw = `{}`
					}
					body = strings.ReplaceAll(raw, "{user}", sub["user"])
				}
				r := b.do(t, rt.Method, "/api"+p, secret, body)
				if r.status != http.StatusNotFound || r.body["result"] != "error" ||
					r.body["error"].(map[string]any)["code"] != "object_not_found" {
					t.Errorf("%s /api%s (org %s): %d %s, want 404 object_not_found",
						rt.Method, p, map[bool]string{true: "mine", false: "theirs"}[sub["org"] == mine], r.status, r.raw)
				}
			}
		}
	}
	for key := range isolationExempt {
		found := false
		for _, rt := range b.s.routes {
			found = found || rt.Method+" "+rt.Path == key
		}
		if !found {
			t.Errorf("isolationExempt lists %s, which is not a route any more", key)
		}
	}
	if len(walked) < 20 {
		t.Errorf("only %d routes walked", len(walked))
	}
	t.Logf("%d routes walked, %d exempt", len(walked), len(isolationExempt))
	for _, must := range []string{
		"GET /organizations/{org}", "PATCH /organizations/{org}/users/{user}", "DELETE /organizations/{org}/teams/{team}/users/{user}",
		"GET /organizations/{org}/products/{product}", "POST /invitations/{invitation}/accept", "DELETE /profile/tokens/{token}",
		"DELETE /profile/sessions/{session}",
	} {
		if !walked[must] {
			t.Errorf("%s was not walked", must)
		}
	}

	// Query filters naming another organization's object are not found either.
	for _, q := range []string{"/users?filter[team_id]=" + theirTeam.ID, "/users?filter[team_id]=nope"} {
		b.do(t, "GET", "/api/1/organizations/"+mine+q, secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
	}

	// Nothing of the other organization changed.
	if o, err := b.orgs.GetForUser(ctx, zoeID, theirs); err != nil || o.Name == "Taken over" {
		t.Errorf("their organization: %+v, %v", o, err)
	}
	if ms, err := b.orgs.Members(ctx, zoeID, theirs, org.MemberFilter{}); err != nil || len(ms) != 2 {
		t.Errorf("their members: %+v, %v", ms, err)
	}
	if tm, err := b.teams.Get(ctx, zoeID, theirs, theirTeam.ID); err != nil || tm.Name != name {
		t.Errorf("their team: %+v, %v", tm, err)
	}
	if is, err := b.invites.List(ctx, zoeID, theirs); err != nil || len(is) != 1 {
		t.Errorf("their invitations: %+v, %v", is, err)
	}
	if ts, err := b.tokens.List(ctx, zoeID); err != nil || len(ts) != 1 {
		t.Errorf("zoe's tokens: %+v, %v", ts, err)
	}
	if pks, err := b.security.Passkeys(ctx, zoeID); err != nil || len(pks) != 1 || pks[0].Name != "Zoe's" {
		t.Errorf("zoe's passkeys: %+v, %v", pks, err)
	}
	if ss, err := b.accounts.Sessions(ctx, zoeID); err != nil || len(ss) != 1 || ss[0].ID != zoeSession.ID {
		t.Errorf("zoe's sessions: %+v, %v", ss, err)
	}
}
