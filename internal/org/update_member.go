package org

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
)

// MemberUpdate lists the rights to change; nil fields stay as they are.
type MemberUpdate struct {
	Role               *string
	ProductIDs         *[]string // replaces the direct grants
	Billing            *bool     // the billing right; kept only for collaborators (ORG-8)
	ContactPreferences *[]string // among ContactCategories
}

// UpdateMember changes userID's rights in orgID (ORG-5). Anyone may change
// their own contact preferences; everything else needs authz.ManageMembers.
// Giving the legal-representative role, or changing another legal
// representative, needs authz.AppointLegalRep (ORG-2). The last legal
// representative cannot be demoted (ORG-6). A role change e-mails the person
// a summary (ORG-7).
func (s *Service) UpdateMember(ctx context.Context, actorID, orgID, userID string, u MemberUpdate, meta audit.Meta) (Member, error) {
	var out Member
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if u.Role != nil {
			if err := s.lockLegalRepresentatives(ctx, tx, orgID); err != nil {
				return err
			}
		}
		actor, err := ActorOf(ctx, tx, actorID, orgID)
		if err != nil {
			return err
		}
		self := actorID == userID
		if !self {
			// Only people allowed to see members learn whether userID is one.
			if err := authz.Allow(actor, authz.ViewMembers); err != nil {
				return err
			}
		}
		cur, err := loadMember(ctx, tx, orgID, userID)
		if err != nil {
			return err
		}
		if err := checkUpdateRights(actor, cur, u, self); err != nil {
			return err
		}
		next, err := applyUpdate(cur, u)
		if err != nil {
			return err
		}
		if u.ProductIDs != nil {
			if err := checkProducts(ctx, tx, orgID, *u.ProductIDs); err != nil {
				return err
			}
		}
		changes := diff(cur, next)
		if len(changes) == 0 {
			out = cur
			return nil
		}
		now := s.clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET role = $1, billing = $2, contact_preferences = $3
			WHERE organization_id = $4 AND user_id = $5`,
			next.Role, next.Billing, strings.Join(next.ContactPreferences, " "), orgID, userID); err != nil {
			return fmt.Errorf("org: updating member: %w", err)
		}
		if _, ok := changes["product_ids"]; ok {
			if _, err := tx.ExecContext(ctx, `DELETE FROM product_grants WHERE organization_id = $1 AND user_id = $2`,
				orgID, userID); err != nil {
				return fmt.Errorf("org: revoking products: %w", err)
			}
			if err := grantProducts(ctx, tx, now, orgID, userID, next.ProductIDs); err != nil {
				return err
			}
		}
		if next.Role != cur.Role {
			if err := keepsLegalRepresentative(ctx, tx, orgID); err != nil {
				return err
			}
			if err := s.sendRoleChanged(ctx, tx, orgID, userID, actorID, cur.Role, next.Role); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: actorID, SubjectUserID: userID, OrganizationID: orgID,
			Action: "member.updated", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now, Data: changes}); err != nil {
			return err
		}
		out, err = loadMember(ctx, tx, orgID, userID)
		return err
	})
	return out, err
}

// checkUpdateRights decides through authz whether actor may apply u to cur.
func checkUpdateRights(actor authz.Actor, cur Member, u MemberUpdate, self bool) error {
	// Fields sent with their current value (a full form) change nothing.
	sameRole := u.Role == nil || *u.Role == cur.Role
	sameBilling := u.Billing == nil || *u.Billing == cur.Billing
	sameProducts := u.ProductIDs == nil || slices.Equal(nonNil(dedupe(*u.ProductIDs)), cur.ProductIDs)
	onlyContacts := sameRole && sameBilling && sameProducts
	if self && onlyContacts {
		return authz.Allow(actor, authz.EditOwnContacts)
	}
	if err := authz.Allow(actor, authz.ManageMembers); err != nil {
		return err
	}
	givesLR := u.Role != nil && *u.Role == RoleLegalRepresentative && cur.Role != RoleLegalRepresentative
	changesOtherLR := !self && cur.Role == RoleLegalRepresentative
	if givesLR || changesOtherLR {
		return authz.Allow(actor, authz.AppointLegalRep)
	}
	return nil
}

// applyUpdate returns cur with u applied and validated.
func applyUpdate(cur Member, u MemberUpdate) (Member, error) {
	next := cur
	if u.Role != nil {
		if !authz.Role(*u.Role).Valid() {
			return next, apperr.Validation.With("The role must be legal_representative, administrator, collaborator or external.").
				Field("role", *u.Role)
		}
		next.Role = *u.Role
	}
	if u.Billing != nil {
		next.Billing = *u.Billing
	}
	if next.Role != RoleCollaborator {
		next.Billing = false // LR and administrators see billing anyway; externals never (ORG-8)
	}
	if u.ContactPreferences != nil {
		prefs, err := normalizeContacts(*u.ContactPreferences)
		if err != nil {
			return next, err
		}
		next.ContactPreferences = prefs
	}
	if u.ProductIDs != nil {
		next.ProductIDs = nonNil(dedupe(*u.ProductIDs))
	}
	return next, nil
}

// diff lists the changed rights as audit data.
func diff(cur, next Member) map[string]string {
	d := map[string]string{}
	if cur.Role != next.Role {
		d["old_role"], d["role"] = cur.Role, next.Role
	}
	if cur.Billing != next.Billing {
		d["billing"] = fmt.Sprint(next.Billing)
	}
	if !slices.Equal(cur.ContactPreferences, next.ContactPreferences) {
		d["contact_preferences"] = strings.Join(next.ContactPreferences, " ")
	}
	if !slices.Equal(cur.ProductIDs, next.ProductIDs) {
		d["product_ids"] = strings.Join(next.ProductIDs, " ")
	}
	return d
}
