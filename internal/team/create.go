package team

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// Create makes a team in orgID (TEAM-1). in.Name is required; a leader is
// added as a member; products must be the organization's. A name already
// used in the organization is ErrNameTaken.
func (s *Service) Create(ctx context.Context, actorID, orgID string, in Input, meta audit.Meta) (Team, error) {
	if in.Name == nil {
		return Team{}, apperr.Validation.With("The team needs a name.").Field("name")
	}
	name, err := validateName(*in.Name)
	if err != nil {
		return Team{}, err
	}
	var t Team
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := allow(ctx, tx, actorID, orgID, authz.ManageTeams); err != nil {
			return err
		}
		now := s.clock.Now()
		teamID := id.New()
		_, err := tx.ExecContext(ctx, `INSERT INTO teams (id, organization_id, name, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4)`, teamID, orgID, name, now)
		if store.IsUniqueViolation(err) {
			return ErrNameTaken.Field("name", name)
		}
		if err != nil {
			return fmt.Errorf("team: creating team: %w", err)
		}
		if err := applyLeaderAndProducts(ctx, tx, orgID, teamID, in, now); err != nil {
			return err
		}
		if t, err = load(ctx, tx, orgID, teamID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, OrganizationID: orgID,
			Action: "team.created", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
			Data: map[string]string{"team_id": t.ID, "name": t.Name}})
	})
	return t, err
}
