package qrbill_test

import (
	"fmt"
	"strings"

	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/qrbill"
)

// Making references from an invoice number, for a QR-IBAN (QRR) and for an
// ordinary IBAN (SCOR).
func ExampleQRRReference() {
	qrr, _ := qrbill.QRRReference("2025000042")
	scor, _ := qrbill.SCORReference("2025000042")
	fmt.Println(qrbill.FormatReference(qrr))
	fmt.Println(qrbill.FormatReference(scor))
	// Output:
	// 00 00000 00000 00002 02500 00426
	// RF52 2025 0000 42
}

func ExampleBill_Payload() {
	bill := qrbill.Bill{
		Account:       "CH58 0079 1123 0008 8901 2",
		Creditor:      qrbill.Address{Name: "Muster Krankenkasse", Street: "Musterstrasse", BuildingNumber: "12", PostalCode: "8000", Town: "Seldwyla", Country: "CH"},
		Amount:        money.Amount{Minor: 21100, Currency: "CHF"},
		ReferenceType: qrbill.SCOR,
		Reference:     "RF18539007547034",
	}
	payload, err := bill.Payload()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.ReplaceAll(payload, "\r\n", "|"))
	bill.ReferenceType = qrbill.QRR
	fmt.Println(bill.Validate())
	// Output:
	// SPC|0200|1|CH5800791123000889012|S|Muster Krankenkasse|Musterstrasse|12|8000|Seldwyla|CH||||||||211.00|CHF||||||||SCOR|RF18539007547034||EPD
	// qrbill: invalid bill: reference_type: does not match the account type: a QR reference (QRR) requires a QR-IBAN (institution id 30000-31999); use SCOR or NON with CH58 0079 1123 0008 8901 2; reference: is invalid: a QR reference has 27 digits, not 16
}
