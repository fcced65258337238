package authz

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/apperr"
)

// The permission matrix: each kind of actor × each action. This table is the
// documentation of the policy; a change of policy is a change of this table.
// "ok" allows; anything else is the error code of the refusal.
var matrix = []struct {
	action Action
	want   map[string]string // actor → "ok" or error code
}{
	{ViewOrganization, row("ok", "ok", "ok", "ok", "ok", "object_not_found")},
	{EditLegalDetails, row("ok", "legal_representative_required", "legal_representative_required", "legal_representative_required", "legal_representative_required", "object_not_found")},
	{AppointLegalRep, row("ok", "legal_representative_required", "legal_representative_required", "legal_representative_required", "legal_representative_required", "object_not_found")},
	{ViewMembers, row("ok", "ok", "ok", "ok", "external_user", "object_not_found")},
	{ManageMembers, row("ok", "ok", "administrator_required", "administrator_required", "administrator_required", "object_not_found")},
	{Leave, row("ok", "ok", "ok", "ok", "ok", "object_not_found")},
	{EditOwnContacts, row("ok", "ok", "ok", "ok", "ok", "object_not_found")},
	{ViewTeams, row("ok", "ok", "ok", "ok", "external_user", "object_not_found")},
	{ManageTeams, row("ok", "ok", "administrator_required", "administrator_required", "administrator_required", "object_not_found")},
	{ViewAllProducts, row("ok", "ok", "administrator_required", "administrator_required", "external_user", "object_not_found")},
	{ViewBilling, row("ok", "ok", "billing_right_required", "ok", "billing_right_required", "object_not_found")},
}

// actors, in the order of row's arguments.
var actors = []struct {
	name  string
	actor Actor
}{
	{"legal_representative", Actor{Role: LegalRepresentative}},
	{"administrator", Actor{Role: Administrator}},
	{"collaborator", Actor{Role: Collaborator}},
	{"collaborator+billing", Actor{Role: Collaborator, Billing: true}},
	{"external", Actor{Role: External}},
	{"stranger", Actor{}},
}

func row(v ...string) map[string]string {
	m := map[string]string{}
	for i, a := range actors {
		m[a.name] = v[i]
	}
	return m
}

func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	for _, r := range matrix {
		for _, a := range actors {
			got := "ok"
			if err := Allow(a.actor, r.action); err != nil {
				e := apperr.As(err)
				if e == nil {
					t.Fatalf("%s × %s: %v is not an apperr", a.name, r.action, err)
				}
				got = e.Code
			}
			if want := r.want[a.name]; got != want {
				t.Errorf("%-22s × %-34s = %s, want %s", a.name, r.action, got, want)
			}
		}
	}
}

// Every refusal says what to do (ORG-10 shows it beside the disabled action).
func TestORG10_RefusalsExplain(t *testing.T) {
	t.Parallel()
	for _, e := range []*apperr.Error{ErrLegalRepresentativeRequired, ErrAdministratorRequired, ErrExternalUser, ErrBillingRightRequired} {
		if e.Status != 403 || len(strings.Fields(e.Message)) < 6 {
			t.Errorf("%s: status %d, message %q", e.Code, e.Status, e.Message)
		}
	}
}

func TestORG8_ProductReach(t *testing.T) {
	t.Parallel()
	cases := []struct {
		actor   Actor
		granted bool
		want    bool
	}{
		{Actor{Role: LegalRepresentative}, false, true},
		{Actor{Role: Administrator}, false, true},
		{Actor{Role: Collaborator}, false, false},
		{Actor{Role: Collaborator}, true, true},
		{Actor{Role: External}, false, false},
		{Actor{Role: External}, true, true},
		{Actor{}, true, false},
	}
	for _, c := range cases {
		if got := CanReachProduct(c.actor, c.granted); got != c.want {
			t.Errorf("CanReachProduct(%+v, granted=%v) = %v", c.actor, c.granted, got)
		}
	}
}

func TestORG9_StrangerGetsNotFound(t *testing.T) {
	t.Parallel()
	if err := Allow(Actor{UserID: "x"}, ViewOrganization); !errors.Is(err, apperr.NotFound) {
		t.Fatalf("a stranger got %v, want object_not_found", err)
	}
}

func ExampleAllow() {
	err := Allow(Actor{Role: Administrator}, AppointLegalRep)
	fmt.Println(apperr.As(err).Code)
	// Output: legal_representative_required
}
