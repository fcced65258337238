package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/notify"
)

// sendRoleChanged enqueues, in tx, the "role_changed" summary to userID
// (ORG-7): the organization, the old and new role named in the person's
// language, and who made the change.
func (s *Service) sendRoleChanged(ctx context.Context, tx *sql.Tx, orgID, userID, actorID, oldRole, newRole string) error {
	if s.notifier == nil {
		return errors.New("org: no notifier to send the role change summary (use org.WithNotifier)")
	}
	var email, first, lang, orgName string
	if err := tx.QueryRowContext(ctx, `SELECT u.email, u.first_name, u.language, o.name
		FROM users u, organizations o WHERE u.id = $1 AND o.id = $2`, userID, orgID).
		Scan(&email, &first, &lang, &orgName); err != nil {
		return fmt.Errorf("org: loading the role change recipient: %w", err)
	}
	var actorFirst, actorLast string
	if err := tx.QueryRowContext(ctx, `SELECT first_name, last_name FROM users WHERE id = $1`, actorID).
		Scan(&actorFirst, &actorLast); err != nil {
		return fmt.Errorf("org: loading who changed the role: %w", err)
	}
	_, err := s.notifier.Send(ctx, tx, notify.Message{
		Channel: notify.ChannelEmail, To: email, Language: lang, Template: "role_changed",
		UserID: userID, OrganizationID: orgID,
		Data: map[string]any{
			"FirstName":        first,
			"OrganizationName": orgName,
			"OldRole":          i18n.T(lang, "role."+oldRole),
			"NewRole":          i18n.T(lang, "role."+newRole),
			"ChangedBy":        strings.TrimSpace(actorFirst + " " + actorLast),
		},
	})
	if err != nil {
		return fmt.Errorf("org: sending the role change summary: %w", err)
	}
	return nil
}
