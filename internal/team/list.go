package team

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/store"
)

// List returns the teams of orgID by name. Members see every team; an
// external user sees only the teams they are in.
func (s *Service) List(ctx context.Context, actorID, orgID string) ([]Team, error) {
	ownOnly, err := s.viewer(ctx, actorID, orgID)
	if err != nil {
		return nil, err
	}
	// Three queries whatever the number of teams: the teams, then their
	// members and their products, attached by team id.
	filter, args := "", []any{orgID}
	if ownOnly {
		filter = ` AND t.id IN (SELECT team_id FROM team_members WHERE user_id = $2)`
		args = append(args, actorID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT t.id, t.organization_id, t.name, t.leader_id, t.created_at, t.updated_at
		FROM teams t WHERE t.organization_id = $1`+filter+` ORDER BY t.name, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("team: listing teams: %w", err)
	}
	out := []Team{}
	index := map[string]int{}
	for rows.Next() {
		var t Team
		var leader sql.NullString
		if err := rows.Scan(&t.ID, &t.OrganizationID, &t.Name, &leader, &t.CreatedAt, &t.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("team: reading team: %w", err)
		}
		t.LeaderID, t.MemberIDs, t.ProductIDs = leader.String, []string{}, []string{}
		index[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("team: listing teams: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	for _, part := range []struct {
		query string
		add   func(t *Team, v string)
	}{
		{`SELECT CAST(m.team_id AS text), CAST(m.user_id AS text) FROM team_members m JOIN teams t ON t.id = m.team_id
			WHERE t.organization_id = $1 ORDER BY m.created_at, m.user_id`,
			func(t *Team, v string) { t.MemberIDs = append(t.MemberIDs, v) }},
		{`SELECT CAST(p.team_id AS text), CAST(p.product_id AS text) FROM team_products p JOIN teams t ON t.id = p.team_id
			WHERE t.organization_id = $1 ORDER BY p.product_id`,
			func(t *Team, v string) { t.ProductIDs = append(t.ProductIDs, v) }},
	} {
		if err := eachPair(ctx, s.db, part.query, orgID, func(teamID, v string) {
			if i, ok := index[teamID]; ok {
				part.add(&out[i], v)
			}
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eachPair runs a two-column text query with orgID and calls fn per row.
func eachPair(ctx context.Context, q store.Querier, query, orgID string, fn func(a, b string)) error {
	rows, err := q.QueryContext(ctx, query, orgID)
	if err != nil {
		return fmt.Errorf("team: listing members and products: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return fmt.Errorf("team: reading members and products: %w", err)
		}
		fn(a, b)
	}
	return rows.Err()
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
