package account

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/org"
)

// Close deletes the account of userID (ACC-5), with its password
// (ErrCurrentPasswordWrong).
//
// It is refused with org.ErrLastLegalRepresentative while the user is the
// last legal representative (or the only member) of an organization that has
// other members or products that are not terminated: someone must stay
// answerable for them. Otherwise, in one transaction, the organizations where
// the user is the only member are deleted (with everything in them), then
// the user (memberships, sessions, API tokens, grants and team places go with
// it). The audit events stay, the last one being "account.closed".
func (s *Service) Close(ctx context.Context, userID, password string, meta audit.Meta) error {
	u, _, err := s.checkCurrentPassword(ctx, userID, password)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		// ORG-6 under concurrency: lock the legal representatives of the
		// user's organizations (by id, to avoid deadlocks) before reading, so
		// that two of them closing at once are serialized.
		lockIDs, err := organizationIDs(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		for _, orgID := range lockIDs {
			if err := org.LockLegalRepresentativesTx(ctx, tx, s.db.Engine, orgID); err != nil {
				return err
			}
		}
		orgs, err := closingOrganizations(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		var solo []string
		for _, o := range orgs {
			if o.last && (o.others > 0 || o.active > 0) {
				return org.ErrLastLegalRepresentative.With(fmt.Sprintf("You are the last legal representative of %s, "+
					"which still has members or products: appoint another legal representative, or remove the members "+
					"and terminate the products, before closing your account.", o.name))
			}
			if o.others == 0 {
				solo = append(solo, o.id)
			}
		}
		now := s.clock.Now()
		for _, orgID := range solo {
			if _, err := tx.ExecContext(ctx, `DELETE FROM organizations WHERE id = $1`, orgID); err != nil {
				return fmt.Errorf("account: deleting organization %s: %w", orgID, err)
			}
			if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID, OrganizationID: orgID,
				Action: "organization.deleted", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, u.ID); err != nil {
			return fmt.Errorf("account: deleting user: %w", err)
		}
		for _, o := range orgs {
			if o.others > 0 || o.active > 0 {
				if err := org.KeepsLegalRepresentativeTx(ctx, tx, o.id); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: "account.closed", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"organizations_deleted": strings.Join(solo, " ")}, CreatedAt: now})
	})
}

// closingOrg is one organization of a user who closes the account.
type closingOrg struct {
	id, name string
	last     bool // the user is its last legal representative, or its only member
	others   int  // other members, externals included
	active   int  // products not terminated
}

func closingOrganizations(ctx context.Context, tx *sql.Tx, userID string) ([]closingOrg, error) {
	rows, err := tx.QueryContext(ctx, `SELECT CAST(m.organization_id AS text), o.name,
		CASE WHEN m.role = $2 THEN 1 ELSE 0 END,
		(SELECT COUNT(*) FROM memberships x WHERE x.organization_id = m.organization_id
			AND x.user_id <> m.user_id AND x.role = $2),
		(SELECT COUNT(*) FROM memberships x WHERE x.organization_id = m.organization_id AND x.user_id <> m.user_id),
		(SELECT COUNT(*) FROM products p WHERE p.organization_id = m.organization_id AND p.status <> 'terminated')
		FROM memberships m JOIN organizations o ON o.id = m.organization_id
		WHERE m.user_id = $1 ORDER BY o.name`, userID, org.RoleLegalRepresentative)
	if err != nil {
		return nil, fmt.Errorf("account: listing organizations to close: %w", err)
	}
	defer rows.Close()
	var out []closingOrg
	for rows.Next() {
		var o closingOrg
		var isLR, otherLRs int
		if err := rows.Scan(&o.id, &o.name, &isLR, &otherLRs, &o.others, &o.active); err != nil {
			return nil, fmt.Errorf("account: reading organizations to close: %w", err)
		}
		o.last = o.others == 0 || (isLR == 1 && otherLRs == 0)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account: reading organizations to close: %w", err)
	}
	return out, nil
}

// organizationIDs lists the organizations userID belongs to, sorted by id.
func organizationIDs(ctx context.Context, tx *sql.Tx, userID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT CAST(organization_id AS text) FROM memberships
		WHERE user_id = $1 ORDER BY organization_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("account: listing organizations: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("account: reading organization: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
