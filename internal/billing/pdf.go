package billing

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/invoicepdf"
	"github.com/alpage/alpage/internal/qrbill"
)

// InvoicePDF renders an invoice, pro-forma or credit note of orgID as a PDF
// in its language (BIL-6) and returns it with its file name
// ("invoice-2026-000001.pdf"). An unpaid pro-forma carries the Swiss
// QR-bill for what is left to pay. object_not_found as GetInvoice.
func (s *Service) InvoicePDF(ctx context.Context, userID, orgID, invoiceID string) ([]byte, string, error) {
	inv, err := s.GetInvoice(ctx, userID, orgID, invoiceID)
	if err != nil {
		return nil, "", err
	}
	var sellerJSON string
	if err := s.db.QueryRowContext(ctx, `SELECT seller FROM invoices WHERE id = $1`, inv.ID).Scan(&sellerJSON); err != nil {
		return nil, "", fmt.Errorf("billing: reading the seller: %w", err)
	}
	var seller catalog.Seller
	if err := json.Unmarshal([]byte(sellerJSON), &seller); err != nil {
		return nil, "", fmt.Errorf("billing: decoding the seller: %w", err)
	}
	credited := ""
	if inv.CreditedInvoiceID != "" {
		_ = s.db.QueryRowContext(ctx, `SELECT number FROM invoices WHERE id = $1`, inv.CreditedInvoiceID).Scan(&credited)
	}
	doc := documentOf(inv, seller, credited)
	out, err := invoicepdf.Render(doc)
	if err != nil {
		return nil, "", fmt.Errorf("billing: rendering %s: %w", inv.Number, err)
	}
	prefix := map[string]string{KindInvoice: "invoice", KindProforma: "proforma", KindCreditNote: "credit-note"}[inv.Kind]
	return out, prefix + "-" + inv.Number + ".pdf", nil
}

// documentOf maps an invoice to what invoicepdf prints.
func documentOf(inv Invoice, seller catalog.Seller, credited string) invoicepdf.Document {
	issue, _ := calendar.Parse(inv.IssueDate)
	due, _ := calendar.Parse(inv.DueDate)
	doc := invoicepdf.Document{Kind: invoicepdf.Kind(inv.Kind), Number: inv.Number, IssueDate: issue, Language: inv.Language,
		Seller: seller, Net: inv.Net, VAT: inv.VAT, Total: inv.Total, Reference: inv.Reference, CreditedInvoice: credited,
		Buyer: invoicepdf.Buyer{Organization: inv.Buyer.Name, Street: inv.Buyer.Street, PostalCode: inv.Buyer.PostalCode,
			Town: inv.Buyer.Town, Country: inv.Buyer.Country, VATNumber: inv.Buyer.VATNumber}}
	if inv.Kind != KindCreditNote {
		doc.DueDate = due
	}
	byRate := map[int]*invoicepdf.VATTotal{}
	for _, l := range inv.Lines {
		doc.Lines = append(doc.Lines, invoicepdf.Line{Description: l.Description, Detail: l.Detail, Quantity: l.Quantity,
			Unit: l.Unit, Net: l.Net, VATRate: l.VATRate, VAT: l.VAT, Total: l.Total})
		t := byRate[l.VATRate]
		if t == nil {
			t = &invoicepdf.VATTotal{Rate: l.VATRate, Base: amt(0, inv.Currency), VAT: amt(0, inv.Currency)}
			byRate[l.VATRate] = t
		}
		t.Base.Minor += l.Net.Minor
		t.VAT.Minor += l.VAT.Minor
	}
	for _, t := range byRate {
		doc.VATSummary = append(doc.VATSummary, *t)
	}
	sort.Slice(doc.VATSummary, func(i, j int) bool { return doc.VATSummary[i].Rate > doc.VATSummary[j].Rate })
	prepaid := amt(0, inv.Currency)
	for _, p := range inv.Payments {
		if p.Status != "succeeded" {
			continue
		}
		if p.Method == MethodPrepaid {
			prepaid.Minor += p.Amount.Minor
			continue
		}
		d := issue
		if p.SettledAt != nil {
			d = calendar.Of(*p.SettledAt)
		}
		if doc.Paid == nil {
			doc.Paid = &invoicepdf.Payment{Date: d, Method: i18n.T(inv.Language, "billing.method."+p.Method), Amount: amt(0, inv.Currency)}
		}
		doc.Paid.Amount.Minor += p.Amount.Minor
	}
	doc.PrepaidUsed = prepaid
	if inv.Status == "unpaid" {
		doc.AmountDue = amt(inv.Total.Minor-inv.Paid.Minor, inv.Currency)
	} else {
		doc.AmountDue = amt(0, inv.Currency)
	}
	if inv.Kind == KindProforma && inv.Status == "unpaid" && inv.SellerIBAN != "" && inv.Reference != "" {
		bill := qrbill.Bill{Account: inv.SellerIBAN, Amount: doc.AmountDue, Reference: inv.Reference,
			Creditor: qrbill.Address{Name: seller.Name, Street: seller.Street, BuildingNumber: seller.BuildingNumber,
				PostalCode: seller.PostalCode, Town: seller.Town, Country: seller.Country},
			UnstructuredMessage: inv.Number}
		bill.ReferenceType = qrbill.SCOR
		if qrbill.IsQRIBAN(inv.SellerIBAN) {
			bill.ReferenceType = qrbill.QRR
		}
		b := inv.Buyer
		if b.Name != "" && b.PostalCode != "" && b.Town != "" && qrbill.ValidCountry(b.Country) {
			bill.Debtor = &qrbill.Address{Name: b.Name, Street: b.Street, PostalCode: b.PostalCode, Town: b.Town, Country: b.Country}
		}
		if bill.Validate() == nil {
			doc.QRBill = &bill
		}
	}
	return doc
}
