package org

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// lockLegalRepresentatives takes row locks on orgID's legal representatives
// on PostgreSQL, so that concurrent changes that could each remove one are
// serialized and the ORG-6 check after the change sees the others' effect.
// SQLite has one writer at a time and needs nothing. Call it first in the
// transaction, before reading the actor's membership.
func (s *Service) lockLegalRepresentatives(ctx context.Context, tx *sql.Tx, orgID string) error {
	return LockLegalRepresentativesTx(ctx, tx, s.db.Engine, orgID)
}

// LockLegalRepresentativesTx is lockLegalRepresentatives for other packages
// whose change may remove a legal representative (closing an account, ACC-5):
// lock first, change, then check with KeepsLegalRepresentativeTx (ORG-6).
// Lock several organizations in a stable order (by id) to avoid deadlocks.
func LockLegalRepresentativesTx(ctx context.Context, tx *sql.Tx, engine store.Engine, orgID string) error {
	if !id.Valid(orgID) {
		return apperr.NotFound
	}
	if engine != store.Postgres {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT user_id FROM memberships
		WHERE organization_id = $1 AND role = 'legal_representative' ORDER BY user_id FOR UPDATE`, orgID)
	if err != nil {
		return fmt.Errorf("org: locking legal representatives: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// KeepsLegalRepresentativeTx returns ErrLastLegalRepresentative when orgID has
// no legal representative left after the change made in tx (ORG-6).
func KeepsLegalRepresentativeTx(ctx context.Context, tx *sql.Tx, orgID string) error {
	return keepsLegalRepresentative(ctx, tx, orgID)
}

// keepsLegalRepresentative returns ErrLastLegalRepresentative when orgID has
// no legal representative left after the change made in tx (ORG-6); the
// caller's transaction then rolls back.
func keepsLegalRepresentative(ctx context.Context, tx *sql.Tx, orgID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships
		WHERE organization_id = $1 AND role = 'legal_representative'`, orgID).Scan(&n); err != nil {
		return fmt.Errorf("org: counting legal representatives: %w", err)
	}
	if n == 0 {
		return ErrLastLegalRepresentative
	}
	return nil
}
