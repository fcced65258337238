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
	if !id.Valid(orgID) {
		return apperr.NotFound
	}
	if s.db.Engine != store.Postgres {
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
