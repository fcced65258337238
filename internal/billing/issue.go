package billing

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/invoicepdf"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/qrbill"
	"github.com/alpage/alpage/internal/store"
)

// nextNumber takes the next number of kind in year, in tx: the sequence row
// is created or incremented in one statement, which locks it until tx ends,
// so numbers are gapless in issue order (a rolled-back issue gives its
// number back).
func nextNumber(ctx context.Context, tx *sql.Tx, kind string, year int) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO invoice_sequences (kind, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (kind, year) DO UPDATE SET last = invoice_sequences.last + 1 RETURNING last`, kind, year).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("billing: taking the next %s number: %w", kind, err)
	}
	return n, nil
}

// formatNumber writes "2026-000001", "P2026-000001" or "C2026-000001".
func formatNumber(kind string, year, n int) string {
	prefix := map[string]string{KindInvoice: "", KindProforma: "P", KindCreditNote: "C"}[kind]
	return fmt.Sprintf("%s%04d-%06d", prefix, year, n)
}

// issueSpec describes an invoice to issue.
type issueSpec struct {
	orgID, userID     string
	kind, status      string // status: paid or unpaid
	currency          string
	language          string
	lines             []draft
	paid              int64
	creditedInvoiceID string
	cat               catalog.Catalog
	today             calendar.Date
}

// issued is an invoice just issued with the period of each line.
type issued struct {
	Invoice
	periods []linePeriod
}

// linePeriod is what a line covers: from start to end, both included.
type linePeriod struct{ start, end calendar.Date }

// periodOf computes what a line covers as of today: a new product from
// today, a renewal from the product's current due date (REN-6).
func periodOf(ctx context.Context, tx *sql.Tx, d draft, today calendar.Date) (linePeriod, error) {
	if d.Months == 0 || d.ProductID == "" {
		return linePeriod{}, nil
	}
	start := today
	if d.OrderID == "" {
		var due sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT due_date FROM products WHERE id = $1`, d.ProductID).Scan(&due); err != nil {
			return linePeriod{}, fmt.Errorf("billing: reading the due date of a renewed product: %w", err)
		}
		if due.Valid && due.String != "" {
			if dd, err := calendar.Parse(due.String); err == nil {
				start = dd
			}
		}
	}
	return linePeriod{start: start, end: start.AddMonths(d.Months).AddDays(-1)}, nil
}

// periodText names a period in lang: "1 year", "3 months".
func periodText(lang string, months int) string {
	switch {
	case months%12 == 0 && months == 12:
		return i18n.T(lang, "billing.period.year")
	case months%12 == 0:
		return i18n.T(lang, "billing.period.years", months/12)
	case months == 1:
		return i18n.T(lang, "billing.period.month")
	}
	return i18n.T(lang, "billing.period.months", months)
}

// issue numbers and stores an invoice, pro-forma or credit note in tx, with
// the seller and buyer snapshots, its lines (VAT per line rounded half-up,
// the invoice's VAT their sum) and, for a pro-forma, a payment reference
// (QRR with the seller's QR-IBAN, else SCOR). The due date is the issue date
// plus the seller's payment terms.
func (s *Service) issue(ctx context.Context, tx *sql.Tx, sp issueSpec) (issued, error) {
	now := s.clock.Now().UTC()
	year := sp.today.Year
	n, err := nextNumber(ctx, tx, sp.kind, year)
	if err != nil {
		return issued{}, err
	}
	seller := sp.cat.Seller
	inv := Invoice{ID: id.New(), OrganizationID: sp.orgID, Kind: sp.kind, Number: formatNumber(sp.kind, year, n),
		Status: sp.status, Currency: sp.currency, Language: sp.language, IssueDate: sp.today.String(),
		DueDate: sp.today.String(), IssuedAt: now, CreditedInvoiceID: sp.creditedInvoiceID,
		Seller: Party{Name: seller.Name, Street: seller.Street, BuildingNumber: seller.BuildingNumber,
			PostalCode: seller.PostalCode, Town: seller.Town, Country: seller.Country, VATNumber: seller.VATNumber}}
	if sp.kind != KindCreditNote {
		inv.DueDate = sp.today.AddDays(seller.PaymentTermsDays).String()
	}
	if sp.kind == KindProforma {
		base := strconv.Itoa(year) + fmt.Sprintf("%06d", n)
		if seller.QRIBAN != "" {
			inv.Reference, err = qrbill.QRRReference(base)
			inv.SellerIBAN = seller.QRIBAN
		} else {
			inv.Reference, err = qrbill.SCORReference(base)
			inv.SellerIBAN = seller.IBAN
		}
		if err != nil {
			return issued{}, fmt.Errorf("billing: making the payment reference: %w", err)
		}
	}
	if inv.Buyer, err = buyer(ctx, tx, sp.orgID); err != nil {
		return issued{}, err
	}
	out := issued{Invoice: inv}
	var net, vat int64
	for i, d := range sp.lines {
		p, err := periodOf(ctx, tx, d, sp.today)
		if err != nil {
			return issued{}, err
		}
		out.periods = append(out.periods, p)
		l := InvoiceLine{Position: i + 1, Description: d.Description, Type: d.Type, ProductID: d.ProductID,
			OrderID: d.OrderID, Period: d.Period, Quantity: d.Quantity, VATRate: d.VATRate,
			Unit: amt(d.Unit, sp.currency), Net: amt(d.net(), sp.currency), VAT: amt(d.vat(), sp.currency),
			Total: amt(d.net()+d.vat(), sp.currency)}
		if d.Months > 0 && !p.start.IsZero() {
			l.PeriodStart, l.PeriodEnd = p.start.String(), p.end.String()
			l.Detail = periodText(sp.language, d.Months) + ", " + invoicepdf.FormatDate(p.start, sp.language) +
				" – " + invoicepdf.FormatDate(p.end, sp.language)
		}
		net += d.net()
		vat += d.vat()
		out.Lines = append(out.Lines, l)
	}
	out.Net, out.VAT, out.Total = amt(net, sp.currency), amt(vat, sp.currency), amt(net+vat, sp.currency)
	out.Paid = amt(sp.paid, sp.currency)
	var paidAt any
	if sp.status == "paid" {
		paidAt = now
		out.PaidAt = &now
	}
	sellerJSON, _ := json.Marshal(struct {
		Party
		IBAN   string `json:"iban,omitempty"`
		QRIBAN string `json:"qr_iban,omitempty"`
		Email  string `json:"email,omitempty"`
		Phone  string `json:"phone,omitempty"`
		Web    string `json:"website,omitempty"`
		Terms  int    `json:"payment_terms_days"`
	}{out.Seller, seller.IBAN, seller.QRIBAN, seller.Email, seller.Phone, seller.Website, seller.PaymentTermsDays})
	buyerJSON, _ := json.Marshal(out.Buyer)
	if _, err := tx.ExecContext(ctx, `INSERT INTO invoices (id, organization_id, kind, number, status, currency, net_minor,
		vat_minor, total_minor, paid_minor, seller, buyer, language, issue_date, due_date, reference, credited_invoice_id,
		created_by, issued_at, paid_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		out.ID, sp.orgID, sp.kind, out.Number, sp.status, sp.currency, net, vat, net+vat, sp.paid, string(sellerJSON),
		string(buyerJSON), sp.language, out.IssueDate, out.DueDate, out.Reference, nullable(sp.creditedInvoiceID),
		nullable(sp.userID), now, paidAt); err != nil {
		return issued{}, fmt.Errorf("billing: storing invoice %s: %w", out.Number, err)
	}
	for _, l := range out.Lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO invoice_lines (id, invoice_id, position, description, detail, type,
			product_id, order_id, period, period_start, period_end, quantity, unit_minor, net_minor, vat_rate, vat_minor, total_minor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			id.New(), out.ID, l.Position, l.Description, l.Detail, l.Type, nullable(l.ProductID), nullable(l.OrderID),
			l.Period, l.PeriodStart, l.PeriodEnd, l.Quantity, l.Unit.Minor, l.Net.Minor, l.VATRate, l.VAT.Minor, l.Total.Minor); err != nil {
			return issued{}, fmt.Errorf("billing: storing a line of invoice %s: %w", out.Number, err)
		}
	}
	if err := s.publish(ctx, tx, EventInvoiceIssued, sp.orgID, map[string]any{"invoice_id": out.ID, "number": out.Number,
		"kind": sp.kind, "status": sp.status, "total": out.Total.String(), "currency": sp.currency}); err != nil {
		return issued{}, err
	}
	return out, nil
}

func amt(minor int64, currency string) money.Amount {
	return money.Amount{Minor: minor, Currency: currency}
}

// nullable is NULL for an empty id.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nowUTC is the clock's time in UTC.
func (s *Service) nowUTC() time.Time { return s.clock.Now().UTC() }

// buyer is organization orgID's legal details for its invoices (read once
// per batch of changes, store.Remember).
func buyer(ctx context.Context, tx *sql.Tx, orgID string) (Party, error) {
	return store.Remember(ctx, "billing.buyer\x00"+orgID, func() (Party, error) {
		var b Party
		if err := tx.QueryRowContext(ctx, `SELECT name, legal_form, street, postcode, city, country, vat_number
			FROM organizations WHERE id = $1`, orgID).Scan(&b.Name, &b.LegalForm, &b.Street,
			&b.PostalCode, &b.Town, &b.Country, &b.VATNumber); err != nil {
			return Party{}, fmt.Errorf("billing: reading the buyer's legal details: %w", err)
		}
		return b, nil
	})
}
