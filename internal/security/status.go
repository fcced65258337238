package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// Kinds of Method.
const (
	MethodTOTP        = "totp"
	MethodPush        = "push"    // a linked phone (SEC-3, SEC-4)
	MethodPasskey     = "passkey" // WebAuthn
	MethodBackupCodes = "backup_codes"
)

// Method is one way to pass the second step.
type Method struct {
	Kind      string     // MethodTOTP, MethodPush, MethodPasskey or MethodBackupCodes
	Enabled   bool       // usable at sign-in
	Count     int        // phones (MethodPush) or passkeys (MethodPasskey)
	Remaining int        // backup codes left (MethodBackupCodes only)
	CreatedAt *time.Time // when it was switched on; nil when off
}

// Status is the state of two-step sign-in of a user, for the security page.
type Status struct {
	Enabled    bool      // two-step sign-in is on: at least one method
	Methods    []Method  // every kind, on or off: push, TOTP, passkey, then backup codes
	Phones     []Phone   // linked phones, never nil
	Passkeys   []Passkey // never nil
	RequiredBy []string  // names of the user's organizations that require two-step sign-in
	// SwitchOff is the waiting request to switch two-step sign-in off
	// without a working method (SEC-5), or nil.
	SwitchOff *IdentityRequest
}

// Status returns the two-step state of userID.
func (s *Service) Status(ctx context.Context, userID string) (Status, error) {
	if !id.Valid(userID) {
		return Status{}, apperr.NotFound
	}
	totpM := Method{Kind: MethodTOTP}
	var confirmed sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT confirmed_at FROM totp_secrets WHERE user_id = $1`, userID).Scan(&confirmed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Status{}, fmt.Errorf("security: loading one-time-code state: %w", err)
	}
	if confirmed.Valid {
		t := confirmed.Time.UTC()
		totpM.Enabled, totpM.CreatedAt = true, &t
	}
	st := Status{RequiredBy: []string{}}
	if st.Phones, err = phones(ctx, s.db, userID); err != nil {
		return Status{}, err
	}
	if st.Passkeys, err = passkeys(ctx, s.db, userID); err != nil {
		return Status{}, err
	}
	pushM := Method{Kind: MethodPush, Count: len(st.Phones), Enabled: len(st.Phones) > 0}
	if pushM.Enabled {
		t := st.Phones[len(st.Phones)-1].LinkedAt
		pushM.CreatedAt = &t
	}
	passkeyM := Method{Kind: MethodPasskey, Count: len(st.Passkeys), Enabled: len(st.Passkeys) > 0}
	if passkeyM.Enabled {
		t := st.Passkeys[0].CreatedAt
		passkeyM.CreatedAt = &t
	}
	st.Enabled = totpM.Enabled || pushM.Enabled || passkeyM.Enabled
	backupM := Method{Kind: MethodBackupCodes}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM backup_codes
		WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&backupM.Remaining); err != nil {
		return Status{}, fmt.Errorf("security: counting backup codes: %w", err)
	}
	if st.Enabled && backupM.Remaining > 0 {
		var created time.Time
		// Not MAX(created_at): SQLite's aggregate loses the column's type.
		if err := s.db.QueryRowContext(ctx, `SELECT created_at FROM backup_codes WHERE user_id = $1
			ORDER BY created_at DESC LIMIT 1`, userID).Scan(&created); err != nil {
			return Status{}, fmt.Errorf("security: loading backup codes: %w", err)
		}
		created = created.UTC()
		backupM.Enabled, backupM.CreatedAt = true, &created
	}
	st.Methods = []Method{pushM, totpM, passkeyM, backupM}
	if st.RequiredBy, err = requiredBy(ctx, s.db, userID); err != nil {
		return Status{}, err
	}
	if req, found, err := waitingRequest(ctx, s.db, userID); err != nil {
		return Status{}, err
	} else if found {
		st.SwitchOff = &req
	}
	return st, nil
}

// Required reports whether sign-in of userID needs the second step: true
// when the user has at least one method.
func (s *Service) Required(ctx context.Context, userID string) (bool, error) {
	if !id.Valid(userID) {
		return false, apperr.NotFound
	}
	n, err := methodCount(ctx, s.db, userID)
	return n > 0, err
}

// requiredBy lists the names of userID's organizations that require
// two-step sign-in (SEC-5), by name; never nil.
func requiredBy(ctx context.Context, q store.Querier, userID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.name FROM organizations o
		JOIN memberships m ON m.organization_id = o.id
		WHERE m.user_id = $1 AND o.require_two_step ORDER BY o.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("security: listing organizations requiring two-step sign-in: %w", err)
	}
	defer rows.Close()
	names := []string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("security: reading organizations: %w", err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("security: reading organizations: %w", err)
	}
	return names, nil
}
