// Package org holds organizations and their members' roles (SPEC ACC-4,
// ORG-1..10). A user belongs to any number of organizations; every query is
// scoped by the caller's membership, so an organization the caller cannot see
// is "not found".
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// Role spellings (ORG-1), as in the API.
const (
	RoleLegalRepresentative = string(authz.LegalRepresentative)
	RoleAdministrator       = string(authz.Administrator)
	RoleCollaborator        = string(authz.Collaborator)
	RoleExternal            = string(authz.External)
)

// Legal forms of an organization.
var LegalForms = []string{"individual", "company", "public_body"}

// ErrNameInvalid refuses an empty or overlong organization name.
var ErrNameInvalid = apperr.Register("organization_name_invalid", http.StatusUnprocessableEntity,
	"The organization name must be between 1 and 200 characters.")

// Organization is an organization as seen by one user: Role is that user's role.
type Organization struct {
	ID        string
	Name      string
	LegalForm string
	Role      string
	CreatedAt time.Time
}

// Service reads and changes organizations.
type Service struct {
	db    *store.DB
	clock clock.Clock
}

// New returns the organization service.
func New(db *store.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk}
}

// CreateTx creates an organization in tx with ownerID as its legal
// representative (ACC-2). Sign-up and "create another organization" (ACC-4)
// both call it.
func CreateTx(ctx context.Context, tx *sql.Tx, now time.Time, name, legalForm, ownerID string) (Organization, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 200 {
		return Organization{}, ErrNameInvalid.Field("organization_name", name)
	}
	if legalForm == "" {
		legalForm = "individual"
	}
	o := Organization{ID: id.New(), Name: name, LegalForm: legalForm, Role: RoleLegalRepresentative, CreatedAt: now}
	if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, name, legal_form, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4)`, o.ID, o.Name, o.LegalForm, now); err != nil {
		return Organization{}, fmt.Errorf("org: creating organization: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (organization_id, user_id, role, created_at)
		VALUES ($1, $2, $3, $4)`, o.ID, ownerID, RoleLegalRepresentative, now); err != nil {
		return Organization{}, fmt.Errorf("org: adding the legal representative: %w", err)
	}
	return o, nil
}

// ListForUser lists the organizations userID belongs to, with userID's role,
// by name.
func (s *Service) ListForUser(ctx context.Context, userID string) ([]Organization, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT o.id, o.name, o.legal_form, m.role, o.created_at
		FROM memberships m JOIN organizations o ON o.id = m.organization_id
		WHERE m.user_id = $1 ORDER BY o.name, o.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("org: listing organizations: %w", err)
	}
	defer rows.Close()
	var out []Organization
	for rows.Next() {
		var o Organization
		if err := rows.Scan(&o.ID, &o.Name, &o.LegalForm, &o.Role, &o.CreatedAt); err != nil {
			return nil, fmt.Errorf("org: reading organization: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// GetForUser returns organization orgID as seen by userID, or
// apperr.NotFound when userID is not in it (ORG-9).
func (s *Service) GetForUser(ctx context.Context, userID, orgID string) (Organization, error) {
	if !id.Valid(orgID) {
		return Organization{}, apperr.NotFound
	}
	var o Organization
	err := s.db.QueryRowContext(ctx, `SELECT o.id, o.name, o.legal_form, m.role, o.created_at
		FROM memberships m JOIN organizations o ON o.id = m.organization_id
		WHERE m.user_id = $1 AND o.id = $2`, userID, orgID).
		Scan(&o.ID, &o.Name, &o.LegalForm, &o.Role, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Organization{}, apperr.NotFound
	}
	if err != nil {
		return Organization{}, fmt.Errorf("org: loading organization: %w", err)
	}
	if err := authz.Allow(authz.Actor{UserID: userID, Role: authz.Role(o.Role)}, authz.ViewOrganization); err != nil {
		return Organization{}, err
	}
	return o, nil
}

// Create makes another organization with userID as its legal representative
// (ACC-4).
func (s *Service) Create(ctx context.Context, userID, name, legalForm string, meta audit.Meta) (Organization, error) {
	if !slices.Contains(LegalForms, legalForm) {
		return Organization{}, apperr.Validation.With("The legal form must be individual, company or public_body.").
			Field("legal_form", legalForm)
	}
	var o Organization
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var err error
		if o, err = CreateTx(ctx, tx, now, name, legalForm, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: userID, OrganizationID: o.ID,
			Action: "organization.created", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now})
	})
	return o, err
}
