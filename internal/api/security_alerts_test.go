package api

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSEC5_RequireTwoStepThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	adaID, ada := b.user(t, "ada@example.ch")
	bobID, bob := b.user(t, "bob@example.ch")
	orgID := b.ownOrganization(t, adaID)
	b.join(t, orgID, bobID, "collaborator", false)
	path := "/api/1/organizations/" + orgID

	before := b.do(t, "GET", path, ada, nil).wantStatus(t, http.StatusOK).data(t)
	if before["require_two_step"] != false {
		t.Fatalf("a new organization: %v", before)
	}
	name, _ := before["name"].(string)
	b.do(t, "PATCH", path, bob, map[string]any{"require_two_step": true}).
		wantError(t, http.StatusForbidden, "legal_representative_required")
	after := b.do(t, "PATCH", path, ada, map[string]any{"require_two_step": true}).wantStatus(t, http.StatusOK).data(t)
	if after["require_two_step"] != true || after["name"] != name {
		t.Fatalf("after PATCH: %v", after)
	}
	if seen := b.do(t, "GET", path, bob, nil).data(t); seen["require_two_step"] != true {
		t.Fatalf("bob sees %v", seen)
	}
	st := b.do(t, "GET", "/api/1/profile/security", bob, nil).data(t)
	if got := strs(st["required_by"]); len(got) != 1 || got[0] != name {
		t.Fatalf("required_by = %v, want [%s]", st["required_by"], name)
	}

	secret, _ := b.switchOnCodes(t, bob)
	b.clk.Advance(time.Minute)
	e := b.do(t, "POST", "/api/1/profile/security/totp/disable", bob,
		map[string]string{"password": testUserPassword, "code": b.totpCode(t, secret)}).
		wantError(t, http.StatusConflict, "two_step_required")
	if msg, _ := e["description"].(string); !strings.Contains(msg, name) {
		t.Errorf("the refusal does not name the organization: %v", e)
	}
}

func TestSEC7_AlertPreferencesThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, token := b.user(t, "ada@example.ch")
	events := []string{"new_signin", "signin_failed", "two_step_changed", "password_changed"}
	got := b.do(t, "GET", "/api/1/profile/security/alerts", token, nil).wantStatus(t, http.StatusOK).data(t)
	for _, ev := range events {
		if got[ev] != true {
			t.Errorf("%s is %v by default, want true", ev, got[ev])
		}
	}
	got = b.do(t, "PATCH", "/api/1/profile/security/alerts", token, map[string]any{"new_signin": false}).
		wantStatus(t, http.StatusOK).data(t)
	for _, ev := range events {
		if want := ev != "new_signin"; got[ev] != want {
			t.Errorf("after PATCH %s = %v, want %v", ev, got[ev], want)
		}
	}
	if again := b.do(t, "GET", "/api/1/profile/security/alerts", token, nil).data(t); again["new_signin"] != false {
		t.Errorf("new_signin not kept: %v", again)
	}
}
