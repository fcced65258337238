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
	"github.com/alpage/alpage/internal/notify"
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

// Organization is an organization as seen by one user: Role and Billing are
// that user's role and billing right (ORG-8).
type Organization struct {
	ID        string
	Name      string
	LegalForm string
	Street    string
	Postcode  string
	City      string
	Country   string // ISO 3166-1 alpha-2
	VATNumber string
	Role      string
	Billing   bool
	// RequireTwoStep: the organization requires two-step sign-in from its
	// members (SEC-5).
	RequireTwoStep bool
	CreatedAt      time.Time
}

// orgColumns are the columns scanned by scanOrg, from organizations o and
// memberships m.
const orgColumns = `o.id, o.name, o.legal_form, o.street, o.postcode, o.city, o.country, o.vat_number,
	m.role, m.billing, o.require_two_step, o.created_at`

func scanOrg(row interface{ Scan(...any) error }, o *Organization) error {
	if err := row.Scan(&o.ID, &o.Name, &o.LegalForm, &o.Street, &o.Postcode, &o.City, &o.Country, &o.VATNumber,
		&o.Role, &o.Billing, &o.RequireTwoStep, &o.CreatedAt); err != nil {
		return err
	}
	o.CreatedAt = o.CreatedAt.UTC()
	return nil
}

// Service reads and changes organizations and their members.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	notifier *notify.Notifier
}

// Option configures the Service.
type Option func(*Service)

// WithNotifier gives the Service the notifier for the e-mails it sends (the
// role-change summary of ORG-7). Without one, a role change fails.
func WithNotifier(n *notify.Notifier) Option {
	return func(s *Service) { s.notifier = n }
}

// New returns the organization service.
func New(db *store.DB, clk clock.Clock, opts ...Option) *Service {
	s := &Service{db: db, clock: clk}
	for _, o := range opts {
		o(s)
	}
	return s
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
	o := Organization{ID: id.New(), Name: name, LegalForm: legalForm, Country: "CH", Role: RoleLegalRepresentative, CreatedAt: now}
	if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, name, legal_form, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4)`, o.ID, o.Name, o.LegalForm, now); err != nil {
		return Organization{}, fmt.Errorf("org: creating organization: %w", err)
	}
	// The founder is the contact for every notice but marketing until they
	// choose otherwise (ORG-3, BIL-8): a lone customer must hear of a
	// failed renewal.
	if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (organization_id, user_id, role, contact_preferences, created_at)
		VALUES ($1, $2, $3, $4, $5)`, o.ID, ownerID, RoleLegalRepresentative, FounderContactPreferences, now); err != nil {
		return Organization{}, fmt.Errorf("org: adding the legal representative: %w", err)
	}
	return o, nil
}

// FounderContactPreferences are the notices the creator of an organization
// receives until they change them.
const FounderContactPreferences = "billing technical legal security"

// ListForUser lists the organizations userID belongs to, with userID's role,
// by name.
func (s *Service) ListForUser(ctx context.Context, userID string) ([]Organization, error) {
	if !id.Valid(userID) {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+orgColumns+`
		FROM memberships m JOIN organizations o ON o.id = m.organization_id
		WHERE m.user_id = $1 ORDER BY o.name, o.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("org: listing organizations: %w", err)
	}
	defer rows.Close()
	var out []Organization
	for rows.Next() {
		var o Organization
		if err := scanOrg(rows, &o); err != nil {
			return nil, fmt.Errorf("org: reading organization: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// GetForUser returns organization orgID as seen by userID, or
// apperr.NotFound when userID is not in it (ORG-9).
func (s *Service) GetForUser(ctx context.Context, userID, orgID string) (Organization, error) {
	if !id.Valid(orgID) || !id.Valid(userID) {
		return Organization{}, apperr.NotFound
	}
	var o Organization
	err := scanOrg(s.db.QueryRowContext(ctx, `SELECT `+orgColumns+`
		FROM memberships m JOIN organizations o ON o.id = m.organization_id
		WHERE m.user_id = $1 AND o.id = $2`, userID, orgID), &o)
	if errors.Is(err, sql.ErrNoRows) {
		return Organization{}, apperr.NotFound
	}
	if err != nil {
		return Organization{}, fmt.Errorf("org: loading organization: %w", err)
	}
	if err := authz.Allow(authz.Actor{UserID: userID, Role: authz.Role(o.Role), Billing: o.Billing}, authz.ViewOrganization); err != nil {
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
