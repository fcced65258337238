package org

import (
	"net/http"

	"github.com/alpage/alpage/internal/apperr"
)

// Refusals of this package.
var (
	// ErrLastLegalRepresentative refuses a change that would leave an
	// organization without a legal representative (ORG-6).
	ErrLastLegalRepresentative = apperr.Register("last_legal_representative", http.StatusConflict,
		"An organization needs at least one legal representative: appoint another legal representative first.")
	// ErrAlreadyMember refuses adding someone who already belongs to the organization.
	ErrAlreadyMember = apperr.Register("already_member", http.StatusConflict,
		"This person is already a member of the organization.")
)
