package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// ContactCategories are the subjects a member may be contacted about (ORG-3, ORG-5).
var ContactCategories = []string{"billing", "technical", "legal", "security", "marketing"}

// ActorOf returns userID as a member of orgID, for authz decisions, or
// apperr.NotFound when userID is a stranger to it (ORG-9).
func ActorOf(ctx context.Context, q store.Querier, userID, orgID string) (authz.Actor, error) {
	if !id.Valid(userID) || !id.Valid(orgID) {
		return authz.Actor{}, apperr.NotFound
	}
	a := authz.Actor{UserID: userID}
	var role string
	err := q.QueryRowContext(ctx, `SELECT role, billing FROM memberships
		WHERE organization_id = $1 AND user_id = $2`, orgID, userID).Scan(&role, &a.Billing)
	if errors.Is(err, sql.ErrNoRows) {
		return authz.Actor{}, apperr.NotFound
	}
	if err != nil {
		return authz.Actor{}, fmt.Errorf("org: loading membership: %w", err)
	}
	a.Role = authz.Role(role)
	return a, nil
}

// AddMemberTx adds userID to orgID in tx with the given rights (used when an
// invitation is accepted, ORG-3). Product ids must be the organization's
// (validation_failed on product_ids); contact preferences must be among
// ContactCategories. ErrAlreadyMember when userID already belongs to orgID.
// The caller records the audit event.
func AddMemberTx(ctx context.Context, tx *sql.Tx, now time.Time, orgID, userID, role string, billing bool, contactPrefs, productIDs []string) error {
	if !authz.Role(role).Valid() {
		return apperr.Validation.With("The role must be legal_representative, administrator, collaborator or external.").
			Field("role", role)
	}
	prefs, err := normalizeContacts(contactPrefs)
	if err != nil {
		return err
	}
	if err := checkProducts(ctx, tx, orgID, productIDs); err != nil {
		return err
	}
	billing = billing && role == RoleCollaborator // ORG-8: the billing right is a collaborator's
	_, err = tx.ExecContext(ctx, `INSERT INTO memberships (organization_id, user_id, role, billing, contact_preferences, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, orgID, userID, role, billing, strings.Join(prefs, " "), now)
	if store.IsUniqueViolation(err) {
		return ErrAlreadyMember
	}
	if err != nil {
		return fmt.Errorf("org: adding member: %w", err)
	}
	return grantProducts(ctx, tx, now, orgID, userID, dedupe(productIDs))
}

// normalizeContacts validates categories and returns them deduplicated in
// the order of ContactCategories.
func normalizeContacts(prefs []string) ([]string, error) {
	for _, p := range prefs {
		if !slices.Contains(ContactCategories, p) {
			return nil, apperr.Validation.With("Contact preferences must be among billing, technical, legal, security and marketing.").
				Field("contact_preferences", p)
		}
	}
	out := []string{}
	for _, c := range ContactCategories {
		if slices.Contains(prefs, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// checkProducts refuses product ids that are not products of orgID.
func checkProducts(ctx context.Context, q store.Querier, orgID string, productIDs []string) error {
	for _, pid := range dedupe(productIDs) {
		bad := apperr.Validation.With("Some products do not belong to this organization.").Field("product_ids", pid)
		if !id.Valid(pid) {
			return bad
		}
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM products WHERE id = $1 AND organization_id = $2`,
			pid, orgID).Scan(&n); err != nil {
			return fmt.Errorf("org: checking product: %w", err)
		}
		if n == 0 {
			return bad
		}
	}
	return nil
}

// grantProducts inserts direct grants of productIDs to userID.
func grantProducts(ctx context.Context, tx *sql.Tx, now time.Time, orgID, userID string, productIDs []string) error {
	for _, pid := range productIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO product_grants (organization_id, user_id, product_id, created_at)
			VALUES ($1, $2, $3, $4)`, orgID, userID, pid, now); err != nil {
			return fmt.Errorf("org: granting product: %w", err)
		}
	}
	return nil
}

// dedupe returns ids without repeats, sorted.
func dedupe(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
