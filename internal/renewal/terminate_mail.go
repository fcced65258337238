package renewal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/invoicepdf"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
)

// The e-mails of termination (PRD-4), enqueued in the transaction of the
// change: termination_confirm (the link, to the requester),
// termination_notice (to the organization's other legal representatives
// and administrators) and termination_done (to the requester, once the
// product is terminated).

type lcRecipient struct {
	UserID, Email, FirstName, LastName, Language string
}

func (r lcRecipient) name() string { return strings.TrimSpace(r.FirstName + " " + r.LastName) }

func lcUser(ctx context.Context, tx *sql.Tx, userID string) (lcRecipient, bool, error) {
	r := lcRecipient{UserID: userID}
	if userID == "" {
		return r, false, nil
	}
	err := tx.QueryRowContext(ctx, `SELECT email, first_name, last_name, language FROM users WHERE id = $1`, userID).
		Scan(&r.Email, &r.FirstName, &r.LastName, &r.Language)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("renewal: reading a user: %w", err)
	}
	return r, true, nil
}

func (s *Service) lcSend(ctx context.Context, tx *sql.Tx, r lcRecipient, orgID, template string, data map[string]any) error {
	if _, err := s.notifier.Send(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: r.Email, Language: r.Language,
		Template: template, Data: data, UserID: r.UserID, OrganizationID: orgID}); err != nil {
		return fmt.Errorf("renewal: sending %s: %w", template, err)
	}
	return nil
}

func lcFormatDay(day, lang string) string {
	d, err := calendar.Parse(day)
	if err != nil {
		return day
	}
	return invoicepdf.FormatDate(d, lang)
}

// mailTerminationLink e-mails the confirmation link to the requester.
func (s *Service) mailTerminationLink(ctx context.Context, tx *sql.Tx, userID string, p lcProduct, when, secret string) error {
	if s.notifier == nil {
		return nil
	}
	r, ok, err := lcUser(ctx, tx, userID)
	if err != nil || !ok {
		return err
	}
	orgName, err := org.Name(ctx, tx, p.OrgID)
	if err != nil {
		return err
	}
	date := ""
	if when == WhenDueDate {
		date = lcFormatDay(p.Due, r.Language)
	}
	return s.lcSend(ctx, tx, r, p.OrgID, "termination_confirm", map[string]any{
		"FirstName": r.FirstName, "OrganizationName": orgName, "ProductName": p.Name,
		"Scheduled": when == WhenDueDate, "Date": date,
		"Link": s.notifier.BaseURL() + "/terminate/confirm?token=" + secret,
		"Days": strconv.Itoa(int(TerminationLinkTTL.Hours() / 24)),
	})
}

// mailTerminationNotice tells the organization's other legal
// representatives and administrators that p is terminated (day "") or
// will be on day.
func (s *Service) mailTerminationNotice(ctx context.Context, tx *sql.Tx, requesterID string, p lcProduct, day string) error {
	if s.notifier == nil {
		return nil
	}
	requester, _, err := lcUser(ctx, tx, requesterID)
	if err != nil {
		return err
	}
	orgName, err := org.Name(ctx, tx, p.OrgID)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT CAST(u.id AS text), u.email, u.first_name, u.last_name, u.language
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.organization_id = $1 AND m.role IN ('legal_representative', 'administrator')
		ORDER BY u.last_name, u.first_name, u.id`, p.OrgID)
	if err != nil {
		return fmt.Errorf("renewal: listing the administrators: %w", err)
	}
	var admins []lcRecipient
	for rows.Next() {
		var r lcRecipient
		if err := rows.Scan(&r.UserID, &r.Email, &r.FirstName, &r.LastName, &r.Language); err != nil {
			rows.Close()
			return fmt.Errorf("renewal: reading an administrator: %w", err)
		}
		if r.UserID != requesterID {
			admins = append(admins, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	who := requester.name()
	for _, r := range admins {
		if err := s.lcSend(ctx, tx, r, p.OrgID, "termination_notice", map[string]any{
			"FirstName": r.FirstName, "OrganizationName": orgName, "ProductName": p.Name, "RequesterName": who,
			"Scheduled": day != "", "Date": lcFormatDay(day, r.Language),
		}); err != nil {
			return err
		}
	}
	return nil
}

// mailTerminationDone tells the requester that p is terminated.
func (s *Service) mailTerminationDone(ctx context.Context, tx *sql.Tx, requesterID string, p lcProduct) error {
	if s.notifier == nil {
		return nil
	}
	r, ok, err := lcUser(ctx, tx, requesterID)
	if err != nil || !ok {
		return err
	}
	orgName, err := org.Name(ctx, tx, p.OrgID)
	if err != nil {
		return err
	}
	return s.lcSend(ctx, tx, r, p.OrgID, "termination_done", map[string]any{
		"FirstName": r.FirstName, "OrganizationName": orgName, "ProductName": p.Name,
	})
}
