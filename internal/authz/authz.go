// Package authz is the one place that answers "may this actor do this to
// that?" (DESIGN.md "Authorization"). Console and API reach it only through
// domain functions, so a rule is decided once.
//
// Today it decides from the actor's role in an organization (ORG-1, ORG-2);
// product grants, teams, partner delegation and support grants join here.
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

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case LegalRepresentative, Administrator, Collaborator, External:
		return true
	}
	return false
}

// Action is something an actor may try on an organization.
type Action string

const (
	ViewOrganization  Action = "organization.view"
	EditLegalDetails  Action = "organization.edit_legal_details" // ORG-2
	ManageMembers     Action = "organization.manage_members"     // ORG-2
	AppointLegalRep   Action = "organization.appoint_legal_rep"  // ORG-2
	ViewOrgWideMember Action = "organization.view_members"       // ORG-1: externals are not members
)

// ErrLegalRepresentativeRequired refuses what only a legal representative may do (ORG-2).
var ErrLegalRepresentativeRequired = apperr.Register("legal_representative_required", http.StatusForbidden,
	"Only a legal representative of the organization can do this.")

// Allow returns nil when a user with role may do action in the organization,
// or the refusal to show (ORG-10: the console shows the action disabled with
// this reason). A user with no role (not a member) is refused with "not found"
// (ORG-9), so that identifiers leak nothing.
func Allow(role Role, action Action) error {
	if !role.Valid() {
		return apperr.NotFound
	}
	switch action {
	case ViewOrganization:
		return nil
	case EditLegalDetails, AppointLegalRep:
		if role == LegalRepresentative {
			return nil
		}
		return ErrLegalRepresentativeRequired
	case ManageMembers:
		if role == LegalRepresentative || role == Administrator {
			return nil
		}
		return apperr.AccessDenied.With("Only legal representatives and administrators manage users.")
	case ViewOrgWideMember:
		if role == External {
			return apperr.AccessDenied.With("External users only reach what they were granted.")
		}
		return nil
	}
	return apperr.AccessDenied
}
