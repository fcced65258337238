package org

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/store"
)

// LegalDetails are the organization's legal name, form, address and VAT
// number, which only a legal representative changes (ORG-2).
type LegalDetails struct {
	Name      string
	LegalForm string
	Street    string
	Postcode  string
	City      string
	Country   string // ISO 3166-1 alpha-2, like CH
	VATNumber string // empty, a Swiss UID (CHE-123.456.789 MWST) or an EU VAT number
}

// Swiss UID with optional VAT suffix, and EU-style VAT numbers (country
// prefix, then 2 to 13 letters or digits), checked loosely.
var (
	swissVAT = regexp.MustCompile(`^CHE-?\d{3}\.?\d{3}\.?\d{3}( ?(MWST|TVA|IVA|VAT))?$`)
	euVAT    = regexp.MustCompile(`^[A-Z]{2}[0-9A-Z+*]{2,13}$`)
)

// UpdateLegalDetails replaces orgID's legal details; only a legal
// representative may (ORG-2). Fields are validated one by one
// (validation_failed with the attribute; organization_name_invalid for the name).
func (s *Service) UpdateLegalDetails(ctx context.Context, actorID, orgID string, d LegalDetails, meta audit.Meta) (Organization, error) {
	return s.changeLegalDetails(ctx, actorID, orgID, func(LegalDetails) LegalDetails { return d }, meta)
}

// LegalDetailsPatch lists the legal details to change; nil keeps a field.
type LegalDetailsPatch struct {
	Name, LegalForm, Street, Postcode, City, Country, VATNumber *string
}

func (p LegalDetailsPatch) apply(d LegalDetails) LegalDetails {
	for _, f := range []struct{ dst, v *string }{{&d.Name, p.Name}, {&d.LegalForm, p.LegalForm},
		{&d.Street, p.Street}, {&d.Postcode, p.Postcode}, {&d.City, p.City}, {&d.Country, p.Country},
		{&d.VATNumber, p.VATNumber}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return d
}

// PatchLegalDetails changes only the fields set in p (ORG-2), reading and
// writing in one transaction so that two changes of different fields at the
// same time both stay.
func (s *Service) PatchLegalDetails(ctx context.Context, actorID, orgID string, p LegalDetailsPatch, meta audit.Meta) (Organization, error) {
	return s.changeLegalDetails(ctx, actorID, orgID, p.apply, meta)
}

// changeLegalDetails applies change to orgID's current legal details in one
// transaction (the row is locked on PostgreSQL) and stores the result.
func (s *Service) changeLegalDetails(ctx context.Context, actorID, orgID string, change func(LegalDetails) LegalDetails, meta audit.Meta) (Organization, error) {
	var o Organization
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		actor, err := ActorOf(ctx, tx, actorID, orgID)
		if err != nil {
			return err
		}
		if err := authz.Allow(actor, authz.EditLegalDetails); err != nil {
			return err
		}
		lock := ""
		if s.db.Engine == store.Postgres {
			lock = " FOR UPDATE"
		}
		var cur LegalDetails
		if err := tx.QueryRowContext(ctx, `SELECT name, legal_form, street, postcode, city, country, vat_number
			FROM organizations WHERE id = $1`+lock, orgID).Scan(&cur.Name, &cur.LegalForm, &cur.Street,
			&cur.Postcode, &cur.City, &cur.Country, &cur.VATNumber); err != nil {
			return fmt.Errorf("org: reading legal details: %w", err)
		}
		d, err := validateLegal(change(cur))
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE organizations SET name = $1, legal_form = $2, street = $3,
			postcode = $4, city = $5, country = $6, vat_number = $7, updated_at = $8 WHERE id = $9`,
			d.Name, d.LegalForm, d.Street, d.Postcode, d.City, d.Country, d.VATNumber, now, orgID); err != nil {
			return fmt.Errorf("org: updating legal details: %w", err)
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: actorID, SubjectUserID: actorID, OrganizationID: orgID,
			Action: "organization.legal_details_updated", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
			Data: map[string]string{"name": d.Name, "legal_form": d.LegalForm, "country": d.Country, "vat_number": d.VATNumber}}); err != nil {
			return err
		}
		return scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+`
			FROM memberships m JOIN organizations o ON o.id = m.organization_id
			WHERE m.user_id = $1 AND o.id = $2`, actorID, orgID), &o)
	})
	return o, err
}

// validateLegal trims and checks d, returning it normalized.
func validateLegal(d LegalDetails) (LegalDetails, error) {
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" || len([]rune(d.Name)) > 200 {
		return d, ErrNameInvalid.Field("name", d.Name)
	}
	if !slices.Contains(LegalForms, d.LegalForm) {
		return d, apperr.Validation.With("The legal form must be individual, company or public_body.").
			Field("legal_form", d.LegalForm)
	}
	for _, f := range []struct {
		attr string
		v    *string
		max  int
	}{{"street", &d.Street, 200}, {"postcode", &d.Postcode, 20}, {"city", &d.City, 100}} {
		*f.v = strings.TrimSpace(*f.v)
		if len([]rune(*f.v)) > f.max {
			return d, apperr.Validation.With(fmt.Sprintf("The %s must be at most %d characters.", f.attr, f.max)).
				Field(f.attr, *f.v)
		}
	}
	d.Country = strings.ToUpper(strings.TrimSpace(d.Country))
	if len(d.Country) != 2 || d.Country[0] < 'A' || d.Country[0] > 'Z' || d.Country[1] < 'A' || d.Country[1] > 'Z' {
		return d, apperr.Validation.With("The country must be a two-letter ISO code, like CH.").Field("country", d.Country)
	}
	d.VATNumber = strings.Join(strings.Fields(strings.ToUpper(d.VATNumber)), " ")
	if d.VATNumber != "" && !swissVAT.MatchString(d.VATNumber) && !euVAT.MatchString(strings.ReplaceAll(d.VATNumber, " ", "")) {
		return d, apperr.Validation.With("The VAT number must look like CHE-123.456.789 MWST or an EU VAT number like DE123456789.").
			Field("vat_number", d.VATNumber)
	}
	return d, nil
}
