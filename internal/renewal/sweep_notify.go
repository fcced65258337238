package renewal

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
)

// tell sends template to every billing contact of orgID (BIL-8), each in
// their language, in tx: data is completed per recipient by fill.
func (s *Service) tell(ctx context.Context, tx *sql.Tx, orgID, template string, fill func(lang string) map[string]any) error {
	if s.notifier == nil {
		return nil
	}
	contacts, err := org.ContactsFor(ctx, tx, orgID, "billing")
	if err != nil {
		return err
	}
	if len(contacts) == 0 {
		return nil
	}
	orgName, err := org.Name(ctx, tx, orgID)
	if err != nil {
		return err
	}
	for _, c := range contacts {
		data := fill(c.Language)
		data["FirstName"], data["OrganizationName"] = c.FirstName, orgName
		if _, err := s.notifier.Send(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: c.Email, Language: c.Language,
			Template: template, Data: data, UserID: c.UserID, OrganizationID: orgID}); err != nil {
			return fmt.Errorf("renewal: sending %s: %w", template, err)
		}
	}
	return nil
}
