package team

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
)

// List returns the teams of orgID by name. Members see every team; an
// external user sees only the teams they are in.
func (s *Service) List(ctx context.Context, actorID, orgID string) ([]Team, error) {
	ownOnly, err := s.viewer(ctx, actorID, orgID)
	if err != nil {
		return nil, err
	}
	query := `SELECT id FROM teams WHERE organization_id = $1 ORDER BY name, id`
	args := []any{orgID}
	if ownOnly {
		query = `SELECT t.id FROM teams t JOIN team_members m ON m.team_id = t.id
			WHERE t.organization_id = $1 AND m.user_id = $2 ORDER BY t.name, t.id`
		args = append(args, actorID)
	}
	ids, err := column(ctx, s.db, query, args...)
	if err != nil {
		return nil, fmt.Errorf("team: listing teams: %w", err)
	}
	out := make([]Team, 0, len(ids))
	for _, teamID := range ids {
		t, err := load(ctx, s.db, orgID, teamID)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Get returns team teamID of orgID, or apperr.NotFound (also for an external
// user who is not in it).
func (s *Service) Get(ctx context.Context, actorID, orgID, teamID string) (Team, error) {
	ownOnly, err := s.viewer(ctx, actorID, orgID)
	if err != nil {
		return Team{}, err
	}
	t, err := load(ctx, s.db, orgID, teamID)
	if err != nil {
		return Team{}, err
	}
	if ownOnly && !slices.Contains(t.MemberIDs, actorID) {
		return Team{}, apperr.NotFound
	}
	return t, nil
}

// viewer checks that actorID may see teams of orgID. Those refused
// authz.ViewTeams as external users still see the teams they are in:
// ownOnly is then true.
func (s *Service) viewer(ctx context.Context, actorID, orgID string) (ownOnly bool, err error) {
	_, err = allow(ctx, s.db, actorID, orgID, authz.ViewTeams)
	if errors.Is(err, authz.ErrExternalUser) {
		return true, nil
	}
	return false, err
}
