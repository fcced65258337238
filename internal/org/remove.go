package org

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
)

// RemoveMembers removes several people from orgID at once, all or nothing
// (ORG-4), with their product grants and team memberships there. It needs
// authz.ManageMembers, and authz.AppointLegalRep to remove another legal
// representative (ORG-2). A user id that is not in orgID is not found; no one
// is removed if the organization would be left without a legal
// representative (ORG-6).
func (s *Service) RemoveMembers(ctx context.Context, actorID, orgID string, userIDs []string, meta audit.Meta) error {
	userIDs = dedupe(userIDs)
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockLegalRepresentatives(ctx, tx, orgID); err != nil {
			return err
		}
		actor, err := ActorOf(ctx, tx, actorID, orgID)
		if err != nil {
			return err
		}
		if err := authz.Allow(actor, authz.ManageMembers); err != nil {
			return err
		}
		if len(userIDs) == 0 {
			return apperr.Validation.With("Choose at least one member to remove.").Field("user_ids")
		}
		for _, uid := range userIDs {
			m, err := loadMember(ctx, tx, orgID, uid)
			if err != nil {
				return err
			}
			if m.Role == RoleLegalRepresentative && uid != actorID {
				if err := authz.Allow(actor, authz.AppointLegalRep); err != nil {
					return err
				}
			}
		}
		now := s.clock.Now()
		for _, uid := range userIDs {
			if err := removeMemberTx(ctx, tx, orgID, uid); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx, audit.Event{ActorID: actorID, SubjectUserID: uid, OrganizationID: orgID,
				Action: "member.removed", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now}); err != nil {
				return err
			}
		}
		return keepsLegalRepresentative(ctx, tx, orgID)
	})
}

// Leave takes userID out of orgID by their own decision (ORG-4); the last
// legal representative cannot leave (ORG-6).
func (s *Service) Leave(ctx context.Context, userID, orgID string, meta audit.Meta) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockLegalRepresentatives(ctx, tx, orgID); err != nil {
			return err
		}
		actor, err := ActorOf(ctx, tx, userID, orgID)
		if err != nil {
			return err
		}
		if err := authz.Allow(actor, authz.Leave); err != nil {
			return err
		}
		if err := removeMemberTx(ctx, tx, orgID, userID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: userID, SubjectUserID: userID, OrganizationID: orgID,
			Action: "member.left", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: s.clock.Now()}); err != nil {
			return err
		}
		return keepsLegalRepresentative(ctx, tx, orgID)
	})
}

// removeMemberTx deletes userID's membership in orgID with their grants,
// team memberships and team leadership there.
func removeMemberTx(ctx context.Context, tx *sql.Tx, orgID, userID string) error {
	for _, q := range []string{
		`DELETE FROM product_grants WHERE organization_id = $1 AND user_id = $2`,
		`DELETE FROM team_members WHERE user_id = $2 AND team_id IN (SELECT id FROM teams WHERE organization_id = $1)`,
		`UPDATE teams SET leader_id = NULL WHERE organization_id = $1 AND leader_id = $2`,
		`DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2`,
	} {
		if _, err := tx.ExecContext(ctx, q, orgID, userID); err != nil {
			return fmt.Errorf("org: removing member: %w", err)
		}
	}
	return nil
}
