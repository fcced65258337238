package org

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// Member is a person in an organization (a member or an external user,
// ORG-1) with their rights there. ProductIDs are the direct grants; TeamIDs
// the organization's teams the person is in.
type Member struct {
	UserID             string
	Email              string
	FirstName          string
	LastName           string
	Role               string
	Billing            bool
	ContactPreferences []string
	ProductIDs         []string
	TeamIDs            []string
	JoinedAt           time.Time
}

// MemberFilter narrows Members: Role is one of the four roles, TeamID a team
// of the organization; empty means any.
type MemberFilter struct {
	Role   string
	TeamID string
}

// Members lists the people of orgID, externals included, sorted by last then
// first name (authz.ViewMembers).
func (s *Service) Members(ctx context.Context, actorID, orgID string, f MemberFilter) ([]Member, error) {
	actor, err := ActorOf(ctx, s.db, actorID, orgID)
	if err != nil {
		return nil, err
	}
	if err := authz.Allow(actor, authz.ViewMembers); err != nil {
		return nil, err
	}
	if f.Role != "" && !authz.Role(f.Role).Valid() {
		return nil, apperr.Validation.With("The role filter must be legal_representative, administrator, collaborator or external.").
			Field("role", f.Role)
	}
	if f.TeamID != "" {
		if err := teamOfOrg(ctx, s.db, orgID, f.TeamID); err != nil {
			return nil, err
		}
	}
	return loadMembers(ctx, s.db, orgID, "", f)
}

// Member returns one person of orgID: oneself always, others with
// authz.ViewMembers. A user who is not in orgID is not found.
func (s *Service) Member(ctx context.Context, actorID, orgID, userID string) (Member, error) {
	actor, err := ActorOf(ctx, s.db, actorID, orgID)
	if err != nil {
		return Member{}, err
	}
	if userID != actorID {
		if err := authz.Allow(actor, authz.ViewMembers); err != nil {
			return Member{}, err
		}
	}
	return loadMember(ctx, s.db, orgID, userID)
}

// teamOfOrg returns apperr.NotFound unless teamID is a team of orgID (ORG-9).
func teamOfOrg(ctx context.Context, q store.Querier, orgID, teamID string) error {
	if !id.Valid(teamID) {
		return apperr.NotFound
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = $1 AND organization_id = $2`,
		teamID, orgID).Scan(&n); err != nil {
		return fmt.Errorf("org: checking team: %w", err)
	}
	if n == 0 {
		return apperr.NotFound
	}
	return nil
}

// loadMember returns userID's membership in orgID, or apperr.NotFound.
func loadMember(ctx context.Context, q store.Querier, orgID, userID string) (Member, error) {
	if !id.Valid(userID) {
		return Member{}, apperr.NotFound
	}
	ms, err := loadMembers(ctx, q, orgID, userID, MemberFilter{})
	if err != nil {
		return Member{}, err
	}
	if len(ms) == 0 {
		return Member{}, apperr.NotFound
	}
	return ms[0], nil
}

// loadMembers reads the people of orgID (only userID when not empty) with
// their grants and teams, in three queries.
func loadMembers(ctx context.Context, q store.Querier, orgID, userID string, f MemberFilter) ([]Member, error) {
	query := `SELECT u.id, u.email, u.first_name, u.last_name, m.role, m.billing, m.contact_preferences, m.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = $1`
	args := []any{orgID}
	if userID != "" {
		args = append(args, userID)
		query += fmt.Sprintf(" AND m.user_id = $%d", len(args))
	}
	if f.Role != "" {
		args = append(args, f.Role)
		query += fmt.Sprintf(" AND m.role = $%d", len(args))
	}
	if f.TeamID != "" {
		args = append(args, f.TeamID)
		query += fmt.Sprintf(" AND m.user_id IN (SELECT user_id FROM team_members WHERE team_id = $%d)", len(args))
	}
	query += " ORDER BY u.last_name, u.first_name, u.id"
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("org: listing members: %w", err)
	}
	var out []Member
	index := map[string]int{}
	for rows.Next() {
		var m Member
		var prefs string
		if err := rows.Scan(&m.UserID, &m.Email, &m.FirstName, &m.LastName, &m.Role, &m.Billing, &prefs, &m.JoinedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("org: reading member: %w", err)
		}
		m.JoinedAt = m.JoinedAt.UTC()
		m.ContactPreferences = nonNil(strings.Fields(prefs))
		m.ProductIDs, m.TeamIDs = []string{}, []string{}
		index[m.UserID] = len(out)
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("org: listing members: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// Grants and teams of the organization, attached to the listed people.
	for _, part := range []struct {
		query string
		add   func(m *Member, v string)
	}{
		{`SELECT CAST(user_id AS text), CAST(product_id AS text) FROM product_grants WHERE organization_id = $1`,
			func(m *Member, v string) { m.ProductIDs = append(m.ProductIDs, v) }},
		{`SELECT CAST(tm.user_id AS text), CAST(tm.team_id AS text) FROM team_members tm
			JOIN teams t ON t.id = tm.team_id WHERE t.organization_id = $1`,
			func(m *Member, v string) { m.TeamIDs = append(m.TeamIDs, v) }},
	} {
		if err := eachPair(ctx, q, part.query, orgID, func(uid, v string) {
			if i, ok := index[uid]; ok {
				part.add(&out[i], v)
			}
		}); err != nil {
			return nil, err
		}
	}
	for i := range out {
		slices.Sort(out[i].ProductIDs)
		slices.Sort(out[i].TeamIDs)
	}
	return out, nil
}

// eachPair runs a two-column text query with orgID and calls fn per row.
func eachPair(ctx context.Context, q store.Querier, query, orgID string, fn func(a, b string)) error {
	rows, err := q.QueryContext(ctx, query, orgID)
	if err != nil {
		return fmt.Errorf("org: listing member rights: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return fmt.Errorf("org: reading member rights: %w", err)
		}
		fn(a, b)
	}
	return rows.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
