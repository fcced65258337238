// Package authz is the one place that answers "may this actor do this to
// that?" (DESIGN.md "Authorization"). Console and API reach it only through
// domain functions, so a rule is decided once.
//
// It decides from the actor's membership in an organization: role (ORG-1,
// ORG-2), billing right (ORG-8), and the products granted directly or through
// a team (ORG-8, TEAM-2). Partner delegation (PAR-2) and support grants
// (SUP-1) join here later. The table in authz_test.go is the policy's
// documentation.
package authz

import (
	"net/http"

	"github.com/alpage/alpage/internal/apperr"
)

// Role is a user's role in an organization (ORG-1), spelled as in the API.
type Role string

const (
	LegalRepresentative Role = "legal_representative"
	Administrator       Role = "administrator"
	Collaborator        Role = "collaborator"
	External            Role = "external"
)

// Roles lists the roles, strongest first.
var Roles = []Role{LegalRepresentative, Administrator, Collaborator, External}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case LegalRepresentative, Administrator, Collaborator, External:
		return true
	}
	return false
}

// Actor is a user as a member of one organization. The zero Actor (no role)
// is a stranger to the organization.
type Actor struct {
	UserID  string
	Role    Role
	Billing bool // the billing right of a collaborator (ORG-8)
}

// Action is something an actor may try in an organization.
type Action string

const (
	ViewOrganization Action = "organization.view"
	EditLegalDetails Action = "organization.edit_legal_details" // ORG-2
	ViewMembers      Action = "members.view"                    // ORG-1: externals are not members
	ManageMembers    Action = "members.manage"                  // ORG-2: invite, remove, change rights
	AppointLegalRep  Action = "members.appoint_legal_rep"       // ORG-2
	Leave            Action = "organization.leave"              // ORG-4 (ORG-6 is checked by org)
	EditOwnContacts  Action = "members.edit_own_contact_prefs"  // ORG-5
	ViewTeams        Action = "teams.view"
	ManageTeams      Action = "teams.manage"      // TEAM-1
	ViewAllProducts  Action = "products.view_all" // ORG-8: others see their grants only
	ViewBilling      Action = "billing.view"      // ORG-8
)

// Refusals of this package.
var (
	ErrLegalRepresentativeRequired = apperr.Register("legal_representative_required", http.StatusForbidden,
		"Only a legal representative of the organization can do this.")
	ErrAdministratorRequired = apperr.Register("administrator_required", http.StatusForbidden,
		"Only legal representatives and administrators can do this: ask one of them.")
	ErrExternalUser = apperr.Register("external_user", http.StatusForbidden,
		"External users only reach the products and teams they were granted.")
	ErrBillingRightRequired = apperr.Register("billing_right_required", http.StatusForbidden,
		"Billing is visible only with the billing right: ask an administrator to grant it.")
)

// Allow returns nil when actor may do action, or the refusal to show (ORG-10:
// the console shows the action disabled with this reason). A stranger is
// refused with "not found" (ORG-9), so identifiers leak nothing.
func Allow(actor Actor, action Action) error {
	r := actor.Role
	if !r.Valid() {
		return apperr.NotFound
	}
	admin := r == LegalRepresentative || r == Administrator
	switch action {
	case ViewOrganization, Leave, EditOwnContacts:
		return nil
	case EditLegalDetails, AppointLegalRep:
		if r == LegalRepresentative {
			return nil
		}
		return ErrLegalRepresentativeRequired
	case ManageMembers, ManageTeams:
		if admin {
			return nil
		}
		return ErrAdministratorRequired
	case ViewMembers, ViewTeams:
		if r == External {
			return ErrExternalUser
		}
		return nil
	case ViewAllProducts:
		if admin {
			return nil
		}
		if r == External {
			return ErrExternalUser
		}
		return ErrAdministratorRequired
	case ViewBilling:
		if admin || (r == Collaborator && actor.Billing) {
			return nil
		}
		return ErrBillingRightRequired
	}
	return apperr.AccessDenied
}

// CanReachProduct reports whether actor reaches a product of the
// organization, given whether the product is granted to the actor directly
// or through one of the actor's teams (ORG-8, TEAM-2).
func CanReachProduct(actor Actor, granted bool) bool {
	if Allow(actor, ViewAllProducts) == nil {
		return true
	}
	return actor.Role.Valid() && granted
}
