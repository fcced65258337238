package invoicepdf

import (
	"fmt"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/qrbill"
)

// docOpts changes the defaults of a test document.
type docOpts struct {
	Kind     Kind
	Language string
	Currency string
	Lines    int  // number of lines; 2 when 0
	Paid     bool // paid in full by card
	Prepaid  int64
	QRBill   bool
}

func chf(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "CHF"} }

func testSeller() catalog.Seller {
	return catalog.Seller{
		Name: "Helvetia Hosting SA", Street: "Rue du Lac", BuildingNumber: "12", PostalCode: "1003",
		Town: "Lausanne", Country: "CH", VATNumber: "CHE-123.456.789 TVA",
		IBAN: "CH58 0079 1123 0008 8901 2", QRIBAN: "CH44 3199 9123 0008 8901 2",
		Email: "billing@helvetia-hosting.ch", Phone: "+41 21 555 01 23", Website: "www.helvetia-hosting.ch",
		PaymentTermsDays: 30,
	}
}

// testDoc is a consistent document: each line costs 1'234.50 net (the
// first) and 45.00 net (the others) at 8.1 % VAT, rounded per line.
func testDoc(o docOpts) Document {
	if o.Kind == "" {
		o.Kind = KindInvoice
	}
	if o.Language == "" {
		o.Language = "fr"
	}
	if o.Currency == "" {
		o.Currency = "CHF"
	}
	if o.Lines == 0 {
		o.Lines = 2
	}
	amt := func(m int64) money.Amount { return money.Amount{Minor: m, Currency: o.Currency} }
	issue := calendar.Date{Year: 2026, Month: 11, Day: 22}
	d := Document{
		Kind: o.Kind, Number: "2026-0042", IssueDate: issue, DueDate: issue.AddDays(30),
		Language: o.Language, Seller: testSeller(),
		Buyer: Buyer{Name: "Zoë Müller", Organization: "Küchenbau Müller GmbH", Street: "Bahnhofstrasse",
			BuildingNumber: "7", PostalCode: "8001", Town: "Zürich", Country: "CH", VATNumber: "CHE-987.654.321 MWST",
			Email: "zoe@example.ch"},
		CustomerReference: "C-10457",
	}
	var net, vat int64
	for i := range o.Lines {
		unit, qty := int64(45_00), 1
		desc, detail := fmt.Sprintf("Domain example-%d.ch", i+1), "1 year, 22.11.2026 – 21.11.2027"
		if i == 0 {
			unit, desc, detail = 1234_50, "Web hosting Business", "1 year, 22.11.2026 – 21.11.2027"
		}
		n := unit * int64(qty)
		v := (n*810 + 5000) / 10000
		d.Lines = append(d.Lines, Line{Description: desc, Detail: detail, Quantity: qty, Unit: amt(unit),
			Net: amt(n), VATRate: 810, VAT: amt(v), Total: amt(n + v)})
		net += n
		vat += v
	}
	d.Net, d.VAT, d.Total = amt(net), amt(vat), amt(net+vat)
	d.VATSummary = []VATTotal{{Rate: 810, Base: amt(net), VAT: amt(vat)}}
	d.AmountDue = amt(net + vat)
	if o.Prepaid != 0 {
		d.PrepaidUsed = amt(o.Prepaid)
		d.AmountDue = amt(net + vat - o.Prepaid)
	}
	if o.Paid {
		d.Paid = &Payment{Date: issue, Method: "Visa •••• 4242", Amount: d.AmountDue}
		d.AmountDue = amt(0)
	}
	switch o.Kind {
	case KindProforma:
		d.Number = "PF-2026-0007"
		d.Reference = "21 00000 00003 13947 14300 09017"
	case KindCreditNote:
		d.Number = "2026-0043"
		d.CreditedInvoice = "2026-0042"
		d.DueDate = calendar.Date{}
		d.AmountDue = amt(0)
	}
	if o.QRBill {
		d.QRBill = testBill(d)
	}
	return d
}

// testBill is the QR-bill of a pro-forma: QR-IBAN and QR reference.
func testBill(d Document) *qrbill.Bill {
	s := d.Seller
	return &qrbill.Bill{
		Account:  s.QRIBAN,
		Creditor: qrbill.Address{Name: s.Name, Street: s.Street, BuildingNumber: s.BuildingNumber, PostalCode: s.PostalCode, Town: s.Town, Country: s.Country},
		Amount:   d.AmountDue,
		Debtor: &qrbill.Address{Name: d.Buyer.Organization, Street: d.Buyer.Street, BuildingNumber: d.Buyer.BuildingNumber,
			PostalCode: d.Buyer.PostalCode, Town: d.Buyer.Town, Country: d.Buyer.Country},
		ReferenceType:       qrbill.QRR,
		Reference:           d.Reference,
		UnstructuredMessage: "Pro-forma " + d.Number,
	}
}
