package team

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/id"
)

// AddMembers puts several users in a team at once (TEAM-3): each must be a
// member or an external user of the organization, else nobody is added
// (validation_failed on user_ids, naming the strangers). Users already in the
// team are left as they are. They reach the team's products at once (TEAM-2).
func (s *Service) AddMembers(ctx context.Context, actorID, orgID, teamID string, userIDs []string, meta audit.Meta) (Team, error) {
	if len(userIDs) == 0 {
		return Team{}, apperr.Validation.With("Choose at least one person to add.").Field("user_ids")
	}
	var t Team
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := allow(ctx, tx, actorID, orgID, authz.ManageTeams); err != nil {
			return err
		}
		if _, err := load(ctx, tx, orgID, teamID); err != nil {
			return err
		}
		ids, err := checkMembers(ctx, tx, orgID, userIDs, "user_ids")
		if err != nil {
			return err
		}
		now := s.clock.Now()
		for _, u := range ids {
			added, err := addMemberTx(ctx, tx, teamID, u, now)
			if err != nil {
				return err
			}
			if !added {
				continue
			}
			if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u, OrganizationID: orgID,
				Action: "team.member_added", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
				Data: map[string]string{"team_id": teamID}}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE teams SET updated_at = $1 WHERE id = $2`, now, teamID); err != nil {
			return fmt.Errorf("team: touching team: %w", err)
		}
		t, err = load(ctx, tx, orgID, teamID)
		return err
	})
	return t, err
}

// RemoveMember takes userID out of a team; they lose the products they
// reached only through it at once (TEAM-2). Removing the leader clears the
// leader. A user not in the team is apperr.NotFound.
func (s *Service) RemoveMember(ctx context.Context, actorID, orgID, teamID, userID string, meta audit.Meta) (Team, error) {
	if !id.Valid(userID) {
		return Team{}, apperr.NotFound
	}
	var t Team
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := allow(ctx, tx, actorID, orgID, authz.ManageTeams); err != nil {
			return err
		}
		if _, err := load(ctx, tx, orgID, teamID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, teamID, userID)
		if err != nil {
			return fmt.Errorf("team: removing member: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound
		}
		now := s.clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE teams SET updated_at = $1,
			leader_id = CASE WHEN leader_id = $2 THEN NULL ELSE leader_id END WHERE id = $3`,
			now, userID, teamID); err != nil {
			return fmt.Errorf("team: updating leader: %w", err)
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: userID, OrganizationID: orgID,
			Action: "team.member_removed", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
			Data: map[string]string{"team_id": teamID}}); err != nil {
			return err
		}
		t, err = load(ctx, tx, orgID, teamID)
		return err
	})
	return t, err
}
