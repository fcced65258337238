package qrbill

import (
	"fmt"
	"strings"
)

// LineSeparator separates the data elements of the Swiss QR Code. The
// guidelines allow CR LF or LF ("Data structure"); alpage writes CR LF.
const LineSeparator = "\r\n"

// Payload returns the text of the Swiss QR Code after validating the bill
// (IG QR-bill, "Data elements in the QR-bill"): the data elements in their
// fixed order, one per line, separated by CR LF, with no separator after the
// last element.
//
//	Header           QRType "SPC", Version "0200", Coding "1"
//	Creditor info    IBAN; creditor: AdrTp "S", Name, StrtNmOrAdrLine1
//	                 (street), BldgNbOrAdrLine2 (building number), PstCd,
//	                 TwnNm, Ctry
//	Ultimate creditor  seven empty elements (reserved for future use)
//	Amount           Amt ("1949.75", empty when blank), Ccy
//	Ultimate debtor  the same seven elements as the creditor, all empty
//	                 when there is no debtor
//	Reference        Tp (QRR, SCOR, NON), Ref
//	Additional info  Ustrd, Trailer "EPD", StrdBkgInf
//	Alternative schemes  AltPmt, up to two
//
// The elements after the trailer are optional: bill information is written
// when it or an alternative scheme is present; the payload then ends with
// the last element present.
func (b Bill) Payload() (string, error) {
	if err := b.Validate(); err != nil {
		return "", err
	}
	return b.payload(), nil
}

func (b Bill) payload() string {
	lines := make([]string, 0, 34)
	lines = append(lines, QRType, Version, CodingType, b.account())
	lines = appendAddress(lines, &b.Creditor)
	lines = append(lines, "", "", "", "", "", "", "") // ultimate creditor
	amount := ""
	if b.Amount.Minor != 0 {
		amount = b.Amount.String()
	}
	lines = append(lines, amount, b.Amount.Currency)
	lines = appendAddress(lines, b.Debtor)
	lines = append(lines, string(b.ReferenceType), b.reference(), b.UnstructuredMessage, Trailer)
	if b.BillInformation != "" || len(b.AlternativeSchemes) > 0 {
		lines = append(lines, b.BillInformation)
		lines = append(lines, b.AlternativeSchemes...)
	}
	return strings.Join(lines, LineSeparator)
}

// appendAddress appends the seven elements of a structured address, or seven
// empty ones for a nil address.
func appendAddress(lines []string, a *Address) []string {
	if a == nil {
		return append(lines, "", "", "", "", "", "", "")
	}
	return append(lines, "S", a.Name, a.Street, a.BuildingNumber, a.PostalCode, a.Town, a.Country)
}

// FormatAmount formats an amount for the payment part and receipt: a space
// between thousands and a decimal point ("1 949.75"; IG QR-bill, "Amount
// section"). It returns "" for a blank (zero) amount.
func FormatAmount(minor int64) string {
	if minor == 0 {
		return ""
	}
	neg := minor < 0
	if neg {
		minor = -minor
	}
	whole := fmt.Sprint(minor / 100)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	fmt.Fprintf(&b, ".%02d", minor%100)
	return b.String()
}
