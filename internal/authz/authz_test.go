package authz

import (
	"errors"
	"testing"

	"github.com/alpage/alpage/internal/apperr"
)

func TestORG2_OnlyLegalRepresentativeEditsLegalDetails(t *testing.T) {
	t.Parallel()
	cases := map[Role]error{
		LegalRepresentative: nil,
		Administrator:       ErrLegalRepresentativeRequired,
		Collaborator:        ErrLegalRepresentativeRequired,
		External:            ErrLegalRepresentativeRequired,
	}
	for role, want := range cases {
		got := Allow(role, EditLegalDetails)
		if (want == nil) != (got == nil) || (want != nil && !errors.Is(got, want)) {
			t.Errorf("Allow(%s, EditLegalDetails) = %v, want %v", role, got, want)
		}
	}
}

func TestORG2_ManageMembers(t *testing.T) {
	t.Parallel()
	for role, ok := range map[Role]bool{LegalRepresentative: true, Administrator: true, Collaborator: false, External: false} {
		if err := Allow(role, ManageMembers); (err == nil) != ok {
			t.Errorf("Allow(%s, ManageMembers) = %v", role, err)
		}
	}
}

func TestORG9_NonMemberGetsNotFound(t *testing.T) {
	t.Parallel()
	if err := Allow("", ViewOrganization); !errors.Is(err, apperr.NotFound) {
		t.Fatalf("a non-member got %v, want object_not_found", err)
	}
}
