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

// lcAdmins lists the organization's legal representatives and
// administrators but the user except.
func lcAdmins(ctx context.Context, tx *sql.Tx, orgID, except string) ([]lcRecipient, error) {
	rows, err := tx.QueryContext(ctx, `SELECT CAST(u.id AS text), u.email, u.first_name, u.last_name, u.language
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.organization_id = $1 AND m.role IN ('legal_representative', 'administrator')
		ORDER BY u.last_name, u.first_name, u.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("renewal: listing the administrators: %w", err)
	}
	defer rows.Close()
	var admins []lcRecipient
	for rows.Next() {
		var r lcRecipient
		if err := rows.Scan(&r.UserID, &r.Email, &r.FirstName, &r.LastName, &r.Language); err != nil {
			return nil, fmt.Errorf("renewal: reading an administrator: %w", err)
		}
		if r.UserID != except {
			admins = append(admins, r)
		}
	}
	return admins, rows.Err()
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
	admins, err := lcAdmins(ctx, tx, p.OrgID, requesterID)
	if err != nil {
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

// mailTerminationCanceled tells the requester of t and the organization's
// other administrators that a renewal paid until due keeps the product
// whose termination t had confirmed.
func (s *Service) mailTerminationCanceled(ctx context.Context, tx *sql.Tx, t Termination, due string) error {
	if s.notifier == nil {
		return nil
	}
	requester, known, err := lcUser(ctx, tx, t.RequestedBy)
	if err != nil {
		return err
	}
	orgName, err := org.Name(ctx, tx, t.OrganizationID)
	if err != nil {
		return err
	}
	to, err := lcAdmins(ctx, tx, t.OrganizationID, t.RequestedBy)
	if err != nil {
		return err
	}
	if known {
		to = append([]lcRecipient{requester}, to...)
	}
	for _, r := range to {
		if err := s.lcSend(ctx, tx, r, t.OrganizationID, "termination_canceled", map[string]any{
			"FirstName": r.FirstName, "OrganizationName": orgName, "ProductName": t.ProductName, "RequesterName": requester.name(),
			"Date": lcFormatDay(t.EffectiveDate, r.Language), "DueDate": lcFormatDay(due, r.Language),
		}); err != nil {
			return err
		}
	}
	return nil
}
