package qrbill

import (
	"github.com/alpage/alpage/internal/money"
)

// ReferenceType is the "Tp" data element of the payment reference (IG
// QR-bill, "Payment reference" data group).
type ReferenceType string

// The three reference types of the QR-bill.
const (
	// QRR is the QR reference: 27 digits with a recursive modulo 10 check
	// digit. Mandatory with a QR-IBAN, not allowed with any other IBAN.
	QRR ReferenceType = "QRR"
	// SCOR is the ISO 11649 creditor reference ("RF…"). Only with an IBAN
	// that is not a QR-IBAN.
	SCOR ReferenceType = "SCOR"
	// NON means no reference. Only with an IBAN that is not a QR-IBAN.
	NON ReferenceType = "NON"
)

// Header values of the Swiss QR Code (IG QR-bill, "Header" data group).
const (
	QRType     = "SPC"  // Swiss Payments Code
	Version    = "0200" // version 2.x of the guidelines
	CodingType = "1"    // UTF-8 restricted to the Latin character set
	Trailer    = "EPD"  // End Payment Data, closes the payment data
)

// Limits of the guidelines (IG QR-bill, "Data elements in the QR-bill").
const (
	MaxNameLen           = 70  // Name
	MaxStreetLen         = 70  // StrtNmOrAdrLine1 of a structured address
	MaxBuildingNumberLen = 16  // BldgNbOrAdrLine2 of a structured address
	MaxPostalCodeLen     = 16  // PstCd
	MaxTownLen           = 35  // TwnNm
	MaxMessageLen        = 140 // Ustrd and StrdBkgInf together
	MaxAltSchemeLen      = 100 // AltPmt
	MaxAltSchemes        = 2   // AltPmtInf occurrences
	MaxPayloadLen        = 997 // the whole Swiss QR Code text (alpage counts UTF-8 bytes)
	// MaxAmountMinor is 999 999 999.99, the largest amount, in minor units.
	MaxAmountMinor = 99999999999
)

// Address is a structured address (address type "S"), the only kind the
// guidelines allow from November 2025 (IG QR-bill v2.3, "Creditor" and
// "Ultimate debtor" data groups). Name, PostalCode, Town and Country are
// mandatory; Street and BuildingNumber are optional.
type Address struct {
	Name           string // first and last name or company name, ≤ 70
	Street         string // street or P.O. box, no building number, ≤ 70
	BuildingNumber string // ≤ 16
	PostalCode     string // without country prefix, ≤ 16
	Town           string // ≤ 35
	Country        string // ISO 3166-1 alpha-2, e.g. "CH"
}

// Bill is the content of a QR-bill: what the Swiss QR Code carries and the
// payment part and receipt print.
type Bill struct {
	// Account is the creditor's IBAN or QR-IBAN, CH or LI only; spaces are
	// allowed and dropped.
	Account string
	// Creditor is the account holder (mandatory).
	Creditor Address
	// Amount is the amount to pay in CHF or EUR. Currency is mandatory;
	// Minor == 0 leaves the amount blank for the payer to fill in.
	Amount money.Amount
	// Debtor is the payer (ultimate debtor); nil leaves a box to fill in.
	Debtor *Address
	// ReferenceType is QRR, SCOR or NON.
	ReferenceType ReferenceType
	// Reference is the QR reference (27 digits) or creditor reference
	// ("RF…"), empty with NON; spaces are allowed and dropped.
	Reference string
	// UnstructuredMessage is free text for the payer and the creditor.
	UnstructuredMessage string
	// BillInformation is coded information for the creditor's booking,
	// usually Swico S1 syntax ("//S1/10/…"); optional.
	BillInformation string
	// AlternativeSchemes are the parameters of at most two alternative
	// payment procedures ("AltPmt"), ≤ 100 characters each.
	AlternativeSchemes []string
}

// account is the IBAN as the Swiss QR Code carries it: no spaces, upper case.
func (b Bill) account() string { return upper(stripSpaces(b.Account)) }

// reference is the reference as the Swiss QR Code carries it.
func (b Bill) reference() string { return upper(stripSpaces(b.Reference)) }

func upper(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c >= 'a' && c <= 'z' {
			out[i] = c - 'a' + 'A'
		}
	}
	return string(out)
}
