package org

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
)

// SetRequireTwoStep switches on or off the organization's requirement of
// two-step sign-in from its members (SEC-5); only a legal representative may
// (authz.EditLegalDetails, ORG-2). Members without two-step sign-in are asked
// to switch it on, and those with it cannot switch it off while they belong
// to the organization (package security).
func (s *Service) SetRequireTwoStep(ctx context.Context, actorID, orgID string, on bool, meta audit.Meta) (Organization, error) {
	var o Organization
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		actor, err := ActorOf(ctx, tx, actorID, orgID)
		if err != nil {
			return err
		}
		if err := authz.Allow(actor, authz.EditLegalDetails); err != nil {
			return err
		}
		now := s.clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE organizations SET require_two_step = $1, updated_at = $2
			WHERE id = $3`, on, now, orgID); err != nil {
			return fmt.Errorf("org: changing the two-step requirement: %w", err)
		}
		action := "organization.two_step_not_required"
		if on {
			action = "organization.two_step_required"
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: actorID, SubjectUserID: actorID, OrganizationID: orgID,
			Action: action, IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now}); err != nil {
			return err
		}
		return scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+`
			FROM memberships m JOIN organizations o ON o.id = m.organization_id
			WHERE m.user_id = $1 AND o.id = $2`, actorID, orgID), &o)
	})
	return o, err
}
