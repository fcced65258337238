package team

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
)

// Delete removes a team (TEAM-1); its members lose the products they reached
// only through it, at once (TEAM-2).
func (s *Service) Delete(ctx context.Context, actorID, orgID, teamID string, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := allow(ctx, tx, actorID, orgID, authz.ManageTeams); err != nil {
			return err
		}
		t, err := load(ctx, tx, orgID, teamID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM teams WHERE organization_id = $1 AND id = $2`,
			orgID, teamID); err != nil {
			return fmt.Errorf("team: deleting team: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID,
			Action: "team.deleted", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: s.clock.Now(),
			Data: map[string]string{"team_id": t.ID, "name": t.Name}})
	})
}
