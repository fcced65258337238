package org

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// Contact is a member to notify about one category of notices.
type Contact struct {
	UserID    string
	Email     string
	FirstName string
	Language  string
}

// ContactsFor lists the members of orgID whose contact preferences include
// category (ORG-3), by last then first name. External users are not members
// for organization-wide notices (ORG-1) and are never listed.
func ContactsFor(ctx context.Context, q store.Querier, orgID, category string) ([]Contact, error) {
	if !slices.Contains(ContactCategories, category) {
		return nil, apperr.Validation.With("Unknown contact category.").Field("category", category)
	}
	if !id.Valid(orgID) {
		return nil, apperr.NotFound
	}
	return store.Remember(ctx, "org.contacts\x00"+orgID+"\x00"+category, func() ([]Contact, error) {
		return contactsFor(ctx, q, orgID, category)
	})
}

// contactsFor is ContactsFor's read.
func contactsFor(ctx context.Context, q store.Querier, orgID, category string) ([]Contact, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.email, u.first_name, u.language, m.contact_preferences
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.organization_id = $1 AND m.role <> 'external'
		ORDER BY u.last_name, u.first_name, u.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("org: listing contacts: %w", err)
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		var c Contact
		var prefs string
		if err := rows.Scan(&c.UserID, &c.Email, &c.FirstName, &c.Language, &prefs); err != nil {
			return nil, fmt.Errorf("org: reading contact: %w", err)
		}
		if slices.Contains(strings.Fields(prefs), category) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// Name is organization orgID's name (read once per batch of changes,
// store.Remember).
func Name(ctx context.Context, q store.Querier, orgID string) (string, error) {
	return store.Remember(ctx, "org.name\x00"+orgID, func() (string, error) {
		var name string
		if err := q.QueryRowContext(ctx, `SELECT name FROM organizations WHERE id = $1`, orgID).Scan(&name); err != nil {
			return "", fmt.Errorf("org: reading the organization's name: %w", err)
		}
		return name, nil
	})
}
