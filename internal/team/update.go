package team

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/store"
)

// Update renames a team, names or clears its leader and replaces its
// products (TEAM-1..3); nil fields of in are left as they are.
func (s *Service) Update(ctx context.Context, actorID, orgID, teamID string, in Input, meta audit.Meta) (Team, error) {
	var name string
	if in.Name != nil {
		var err error
		if name, err = validateName(*in.Name); err != nil {
			return Team{}, err
		}
	}
	var t Team
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := allow(ctx, tx, actorID, orgID, authz.ManageTeams); err != nil {
			return err
		}
		before, err := load(ctx, tx, orgID, teamID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if in.Name != nil {
			_, err := tx.ExecContext(ctx, `UPDATE teams SET name = $1 WHERE id = $2`, name, teamID)
			if store.IsUniqueViolation(err) {
				return ErrNameTaken.Field("name", name)
			}
			if err != nil {
				return fmt.Errorf("team: renaming team: %w", err)
			}
		}
		if err := applyLeaderAndProducts(ctx, tx, orgID, teamID, in, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE teams SET updated_at = $1 WHERE id = $2`, now, teamID); err != nil {
			return fmt.Errorf("team: touching team: %w", err)
		}
		if t, err = load(ctx, tx, orgID, teamID); err != nil {
			return err
		}
		data := map[string]string{"team_id": t.ID, "name": t.Name}
		if before.Name != t.Name {
			data["previous_name"] = before.Name
		}
		if in.LeaderID != nil {
			data["leader_id"] = t.LeaderID
		}
		if in.ProductIDs != nil {
			data["product_ids"] = strings.Join(t.ProductIDs, " ")
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID,
			Action: "team.updated", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: data})
	})
	return t, err
}

// applyLeaderAndProducts sets the leader (adding them as a member) and the
// products of teamID as asked by in.
func applyLeaderAndProducts(ctx context.Context, tx *sql.Tx, orgID, teamID string, in Input, now time.Time) error {
	if in.LeaderID != nil {
		var leader any // NULL clears the leader
		if l := strings.TrimSpace(*in.LeaderID); l != "" {
			if _, err := checkMembers(ctx, tx, orgID, []string{l}, "leader_id"); err != nil {
				return err
			}
			if _, err := addMemberTx(ctx, tx, teamID, l, now); err != nil {
				return err
			}
			leader = l
		}
		if _, err := tx.ExecContext(ctx, `UPDATE teams SET leader_id = $1 WHERE id = $2`, leader, teamID); err != nil {
			return fmt.Errorf("team: setting leader: %w", err)
		}
	}
	if in.ProductIDs != nil {
		ids, err := checkProducts(ctx, tx, orgID, *in.ProductIDs)
		if err != nil {
			return err
		}
		if err := setProductsTx(ctx, tx, teamID, ids); err != nil {
			return err
		}
	}
	return nil
}
