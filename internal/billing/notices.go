package billing

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/invoicepdf"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
)

// Billing notices (BIL-8, ORG-8) go to the organization's members whose
// contact preferences include billing, each in their language, enqueued in
// the transaction of the change. They carry links, never the PDF.

// InvoicePDFPath is the API path of an invoice's PDF, as notices link it.
func InvoicePDFPath(orgID, invoiceID string) string {
	return "/api/1/organizations/" + orgID + "/invoices/" + invoiceID + "/pdf"
}

// formatMoney is "CHF 1'234.50" as a person reading lang expects.
func formatMoney(a money.Amount, lang string) string {
	return a.Currency + " " + invoicepdf.FormatAmount(a, lang)
}

// notice sends template to every billing contact of orgID, data completed
// per recipient by fill.
func (s *Service) notice(ctx context.Context, tx *sql.Tx, orgID, template string, fill func(lang string) map[string]any) error {
	if s.notifier == nil {
		return nil
	}
	contacts, err := org.ContactsFor(ctx, tx, orgID, "billing")
	if err != nil {
		return err
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
			return fmt.Errorf("billing: sending %s: %w", template, err)
		}
	}
	return nil
}

// noticeInvoice tells the billing contacts an invoice or pro-forma was issued.
func (s *Service) noticeInvoice(ctx context.Context, tx *sql.Tx, inv Invoice) error {
	due, _ := calendar.Parse(inv.DueDate)
	return s.notice(ctx, tx, inv.OrganizationID, "invoice_issued", func(lang string) map[string]any {
		return map[string]any{"Number": inv.Number, "Amount": formatMoney(inv.Total, lang),
			"DueDate": invoicepdf.FormatDate(due, lang), "PDFPath": InvoicePDFPath(inv.OrganizationID, inv.ID),
			"Proforma": inv.Kind == KindProforma, "Paid": inv.Status == "paid", "Reference": inv.Reference}
	})
}

// noticePayment tells the billing contacts a payment was received.
func (s *Service) noticePayment(ctx context.Context, tx *sql.Tx, orgID, template string, amount money.Amount, method, number, invoiceID string) error {
	return s.notice(ctx, tx, orgID, template, func(lang string) map[string]any {
		return map[string]any{"Amount": formatMoney(amount, lang), "Method": i18n.T(lang, "billing.method."+method),
			"Number": number}
	})
}

// noticeFailed tells the billing contacts a payment failed and what to do.
func (s *Service) noticeFailed(ctx context.Context, tx *sql.Tx, orgID string, amount money.Amount, code string) error {
	return s.notice(ctx, tx, orgID, "payment_failed", func(lang string) map[string]any {
		return map[string]any{"Amount": formatMoney(amount, lang), "Reason": i18n.T(lang, declineError(code).Key())}
	})
}
