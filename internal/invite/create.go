package invite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
)

// Create invites in.Email to orgID with the role, rights, products and
// teams of in, and e-mails the link (ORG-3). The address may or may not have
// an account.
func (s *Service) Create(ctx context.Context, actorID, orgID string, in Input, meta audit.Meta) (Invitation, error) {
	email, err := validateEmail(in.Email)
	if err != nil {
		return Invitation{}, err
	}
	if !authz.Role(in.Role).Valid() {
		return Invitation{}, apperr.Validation.With("The role must be legal_representative, administrator, collaborator or external.").
			Field("role", in.Role)
	}
	prefs, err := validateContacts(in.ContactPreferences)
	if err != nil {
		return Invitation{}, err
	}
	var inv Invitation
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := allow(ctx, tx, actorID, orgID, rightsToInvite(in.Role)...); err != nil {
			return err
		}
		products, err := checkIDs(ctx, tx, `SELECT 1 FROM products WHERE organization_id = $1 AND id = $2`,
			orgID, in.ProductIDs, "product_ids", "Some products do not belong to this organization.")
		if err != nil {
			return err
		}
		teams, err := checkIDs(ctx, tx, `SELECT 1 FROM teams WHERE organization_id = $1 AND id = $2`,
			orgID, in.TeamIDs, "team_ids", "Some teams do not belong to this organization.")
		if err != nil {
			return err
		}
		var member int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.organization_id = $1 AND u.email = $2`, orgID, email).Scan(&member)
		if err == nil {
			return org.ErrAlreadyMember.Field("email", email)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("invite: checking membership: %w", err)
		}
		now := s.clock.Now()
		// An expired invitation no longer blocks a new one.
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET status = $1, responded_at = $2
			WHERE organization_id = $3 AND email = $4 AND status = $5 AND expires_at <= $2`,
			StatusCancelled, now, orgID, email, StatusPending); err != nil {
			return fmt.Errorf("invite: retiring an expired invitation: %w", err)
		}
		secret, hash, err := newSecret()
		if err != nil {
			return err
		}
		invID := id.New()
		_, err = tx.ExecContext(ctx, `INSERT INTO invitations (id, organization_id, email, role, billing,
			contact_preferences, product_ids, team_ids, token_hash, invited_by, status, expires_at, created_at, sent_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)`,
			invID, orgID, email, in.Role, in.Billing && in.Role == org.RoleCollaborator, strings.Join(prefs, " "), strings.Join(products, " "),
			strings.Join(teams, " "), hash, actorID, StatusPending, s.expiry(now), now)
		if store.IsUniqueViolation(err) {
			return ErrInvitationPending.Field("email", email)
		}
		if err != nil {
			return fmt.Errorf("invite: storing invitation: %w", err)
		}
		if inv, err = byID(ctx, tx, now, orgID, invID); err != nil {
			return err
		}
		subject, err := s.sendTx(ctx, tx, actorID, inv, secret)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: subject, OrganizationID: orgID,
			Action: "invitation.created", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
			Data: map[string]string{"invitation_id": inv.ID, "email": inv.Email, "role": inv.Role}})
	})
	return inv, err
}

// sendTx e-mails the invitation with the link of secret, in the invitee's
// language when they have an account, else in the inviter's. It returns the
// invitee's user id, if any.
func (s *Service) sendTx(ctx context.Context, tx *sql.Tx, inviterID string, inv Invitation, secret string) (string, error) {
	type person struct{ id, first, last, lang, country, tz string }
	load := func(where string, arg string) (person, error) {
		var p person
		err := tx.QueryRowContext(ctx, `SELECT id, first_name, last_name, language, country, time_zone
			FROM users WHERE `+where, arg).Scan(&p.id, &p.first, &p.last, &p.lang, &p.country, &p.tz)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return p, fmt.Errorf("invite: loading user: %w", err)
		}
		return p, nil
	}
	inviter, err := load("id = $1", inviterID)
	if err != nil {
		return "", err
	}
	invitee, err := load("email = $1", inv.Email)
	if err != nil {
		return "", err
	}
	reader := inviter
	if invitee.id != "" {
		reader = invitee
	}
	inviterName := strings.TrimSpace(inviter.first + " " + inviter.last)
	if inviterName == "" {
		inviterName = inv.OrganizationName
	}
	_, err = s.notify.Send(ctx, tx, notify.Message{
		Channel: notify.ChannelEmail, To: inv.Email, Language: reader.lang, Template: "invitation",
		UserID: invitee.id, OrganizationID: inv.OrganizationID,
		Data: map[string]any{
			"InviterName":      inviterName,
			"OrganizationName": inv.OrganizationName,
			"RoleName":         i18n.T(reader.lang, "role."+inv.Role),
			"Link":             s.notify.BaseURL() + "/invitations/" + secret,
			"ExpiresOn":        i18n.FormatDate(inv.ExpiresAt, reader.lang, reader.country, reader.tz),
		},
	})
	return invitee.id, err
}

// validateEmail returns the address lower-cased, or validation_failed.
func validateEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		return "", apperr.Validation.With("Enter a valid e-mail address, such as anna@example.ch.").Field("email", email)
	}
	return email, nil
}

// validateContacts returns prefs deduplicated in the order of
// org.ContactCategories, or validation_failed.
func validateContacts(prefs []string) ([]string, error) {
	out := []string{}
	for _, p := range prefs {
		if !slices.Contains(org.ContactCategories, p) {
			return nil, apperr.Validation.With("Contact preferences must be among billing, technical, legal, security and marketing.").
				Field("contact_preferences", p)
		}
	}
	for _, c := range org.ContactCategories {
		if slices.Contains(prefs, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// checkIDs returns ids deduplicated, or validation_failed on attribute
// naming those for which query (with orgID and the id) finds no row.
func checkIDs(ctx context.Context, q store.Querier, query, orgID string, ids []string, attribute, message string) ([]string, error) {
	out := []string{}
	var bad []string
	for _, v := range ids {
		v = strings.TrimSpace(v)
		if slices.Contains(out, v) || slices.Contains(bad, v) {
			continue
		}
		if !id.Valid(v) {
			bad = append(bad, v)
			continue
		}
		var one int
		err := q.QueryRowContext(ctx, query, orgID, v).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			bad = append(bad, v)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("invite: checking %s: %w", attribute, err)
		}
		out = append(out, v)
	}
	if len(bad) > 0 {
		return nil, apperr.Validation.With(message).Field(attribute, bad...)
	}
	return out, nil
}

// expiry is when a link sent at now stops working.
func (s *Service) expiry(now time.Time) time.Time { return now.Add(s.opts.TTL) }
