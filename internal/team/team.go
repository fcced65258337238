package team

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
)

// ErrNameTaken refuses a team name already used in the organization.
var ErrNameTaken = apperr.Register("team_name_taken", http.StatusConflict,
	"Another team of this organization already has this name: choose another one.")

// maxNameLength bounds a team name, in characters.
const maxNameLength = 100

// Team is a work team of an organization (TEAM-1..3).
type Team struct {
	ID             string
	OrganizationID string
	Name           string
	LeaderID       string   // empty: no leader
	MemberIDs      []string // user ids, in the order they joined
	ProductIDs     []string // products granted to the team, sorted
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Input creates or changes a team; a nil field is left as it is.
type Input struct {
	Name       *string
	LeaderID   *string // "" clears the leader
	ProductIDs *[]string
}

// Service runs teams.
type Service struct {
	db    *store.DB
	clock clock.Clock
}

// New returns the team service.
func New(db *store.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk}
}

// allow loads actorID's membership of orgID and checks action.
func allow(ctx context.Context, q store.Querier, actorID, orgID string, action authz.Action) (authz.Actor, error) {
	if !id.Valid(orgID) || !id.Valid(actorID) {
		return authz.Actor{}, apperr.NotFound
	}
	actor, err := org.ActorOf(ctx, q, actorID, orgID)
	if err != nil {
		return authz.Actor{}, err
	}
	return actor, authz.Allow(actor, action)
}

func validateName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > maxNameLength {
		return "", apperr.Validation.With("The team name must be between 1 and 100 characters.").Field("name", name)
	}
	return name, nil
}

// checkMembers returns userIDs without duplicates, or validation_failed on
// attribute when one of them is neither a member nor an external user of orgID.
func checkMembers(ctx context.Context, q store.Querier, orgID string, userIDs []string, attribute string) ([]string, error) {
	ids := dedupe(userIDs)
	var strangers []string
	for _, u := range ids {
		if !id.Valid(u) {
			strangers = append(strangers, u)
			continue
		}
		var one int
		err := q.QueryRowContext(ctx, `SELECT 1 FROM memberships WHERE organization_id = $1 AND user_id = $2`,
			orgID, u).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			strangers = append(strangers, u)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("team: checking membership: %w", err)
		}
	}
	if len(strangers) > 0 {
		return nil, apperr.Validation.With("Only members and external users of the organization can be in its teams.").
			Field(attribute, strangers...)
	}
	return ids, nil
}

// checkProducts returns productIDs without duplicates, or validation_failed
// on product_ids when one of them is not a product of orgID.
func checkProducts(ctx context.Context, q store.Querier, orgID string, productIDs []string) ([]string, error) {
	ids := dedupe(productIDs)
	var foreign []string
	for _, p := range ids {
		if !id.Valid(p) {
			foreign = append(foreign, p)
			continue
		}
		var one int
		err := q.QueryRowContext(ctx, `SELECT 1 FROM products WHERE organization_id = $1 AND id = $2`,
			orgID, p).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			foreign = append(foreign, p)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("team: checking product: %w", err)
		}
	}
	if len(foreign) > 0 {
		return nil, apperr.Validation.With("A team can only be granted products of its organization.").
			Field("product_ids", foreign...)
	}
	return ids, nil
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// addMemberTx puts userID in teamID unless already there.
func addMemberTx(ctx context.Context, tx *sql.Tx, teamID, userID string, now time.Time) (added bool, err error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (team_id, user_id) DO NOTHING`, teamID, userID, now)
	if err != nil {
		return false, fmt.Errorf("team: adding member: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// setProductsTx replaces the products granted to teamID.
func setProductsTx(ctx context.Context, tx *sql.Tx, teamID string, productIDs []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM team_products WHERE team_id = $1`, teamID); err != nil {
		return fmt.Errorf("team: clearing products: %w", err)
	}
	for _, p := range productIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_products (team_id, product_id) VALUES ($1, $2)`,
			teamID, p); err != nil {
			return fmt.Errorf("team: granting product: %w", err)
		}
	}
	return nil
}

// load returns team teamID of orgID, or apperr.NotFound.
func load(ctx context.Context, q store.Querier, orgID, teamID string) (Team, error) {
	if !id.Valid(teamID) {
		return Team{}, apperr.NotFound
	}
	var t Team
	var leader sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, organization_id, name, leader_id, created_at, updated_at
		FROM teams WHERE organization_id = $1 AND id = $2`, orgID, teamID).
		Scan(&t.ID, &t.OrganizationID, &t.Name, &leader, &t.CreatedAt, &t.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Team{}, apperr.NotFound
	}
	if err != nil {
		return Team{}, fmt.Errorf("team: loading team: %w", err)
	}
	t.LeaderID = leader.String
	if t.MemberIDs, err = column(ctx, q, `SELECT user_id FROM team_members WHERE team_id = $1
		ORDER BY created_at, user_id`, t.ID); err != nil {
		return Team{}, fmt.Errorf("team: loading members: %w", err)
	}
	if t.ProductIDs, err = column(ctx, q, `SELECT product_id FROM team_products WHERE team_id = $1
		ORDER BY product_id`, t.ID); err != nil {
		return Team{}, fmt.Errorf("team: loading products: %w", err)
	}
	return t, nil
}

// column returns the one string column of a query.
func column(ctx context.Context, q store.Querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
