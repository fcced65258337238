package billing

import (
	"testing"

	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/money"
)

func TestBIL6_UnpaidProformaCarriesItsQRBill(t *testing.T) {
	t.Parallel()
	chf := func(m int64) money.Amount { return money.Amount{Minor: m, Currency: "CHF"} }
	seller := catalog.Seller{Name: "Alpweide Hosting AG", Street: "Bahnhofstrasse", BuildingNumber: "1", PostalCode: "8001",
		Town: "Zürich", Country: "CH", IBAN: "CH9300762011623852957", QRIBAN: "CH4431999123000889012", PaymentTermsDays: 30}
	inv := Invoice{Kind: KindProforma, Number: "P2026-000001", Status: "unpaid", Currency: "CHF", Language: "de",
		IssueDate: "2026-11-22", DueDate: "2026-12-22", Reference: "000000000000000020260000018", SellerIBAN: seller.QRIBAN,
		Net: chf(1500), VAT: chf(122), Total: chf(1622), Paid: chf(1000),
		Buyer: Party{Name: "Muster AG", Street: "Musterstrasse 1", PostalCode: "8000", Town: "Zürich", Country: "CH"},
		Lines: []InvoiceLine{{Position: 1, Description: "Domain", Quantity: 1, Unit: chf(1500), Net: chf(1500), VATRate: 810,
			VAT: chf(122), Total: chf(1622)}}}
	doc := documentOf(inv, seller, "")
	if doc.QRBill == nil {
		t.Fatal("no QR-bill on an unpaid pro-forma")
	}
	if doc.QRBill.Amount != chf(622) || doc.QRBill.ReferenceType != "QRR" || doc.QRBill.Debtor == nil || doc.AmountDue != chf(622) {
		t.Fatalf("QR-bill %+v, due %s", doc.QRBill, doc.AmountDue)
	}
	if len(doc.VATSummary) != 1 || doc.VATSummary[0].VAT != chf(122) || doc.VATSummary[0].Base != chf(1500) {
		t.Fatalf("VAT summary %+v", doc.VATSummary)
	}
	inv.Status = "paid"
	if doc := documentOf(inv, seller, ""); doc.QRBill != nil || doc.AmountDue.Minor != 0 {
		t.Fatal("a paid pro-forma still asks for money")
	}
	inv.Status, inv.Reference, inv.SellerIBAN = "unpaid", "RF18539007547034", seller.IBAN
	if doc := documentOf(inv, seller, ""); doc.QRBill == nil || doc.QRBill.ReferenceType != "SCOR" {
		t.Fatal("no SCOR QR-bill with the plain IBAN")
	}
}
