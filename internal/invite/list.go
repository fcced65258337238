package invite

import (
	"context"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/id"
)

// List returns the pending, unexpired invitations of orgID, oldest first
// (authz.ManageMembers).
func (s *Service) List(ctx context.Context, actorID, orgID string) ([]Invitation, error) {
	if err := allow(ctx, s.db, actorID, orgID, authz.ManageMembers); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	return list(ctx, s.db, now, `WHERE i.organization_id = $1 AND i.status = $2 AND i.expires_at > $3
		ORDER BY i.created_at, i.id`, orgID, StatusPending, now)
}

// ListForUser returns the pending, unexpired invitations to userID's login
// address, oldest first. An unconfirmed address has none: it is not yet
// proven to be the user's.
func (s *Service) ListForUser(ctx context.Context, userID string) ([]Invitation, error) {
	if !id.Valid(userID) {
		return nil, apperr.NotFound
	}
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("invite: loading user: %w", err)
	}
	if !u.EmailConfirmed {
		return []Invitation{}, nil
	}
	now := s.clock.Now()
	return list(ctx, s.db, now, `WHERE i.email = $1 AND i.status = $2 AND i.expires_at > $3
		ORDER BY i.created_at, i.id`, u.Email, StatusPending, now)
}
