package qrbill

import (
	"github.com/alpage/alpage/internal/money"
)

// The example bills of the guidelines and their exact Swiss QR Code texts.
// Each payload is written out element by element, in the guidelines' order.

// exampleQRR is the IG's example of a QR-bill with a QR-IBAN and a QR
// reference: Robert Schneider AG, Biel, billing Pia-Maria
// Rutschmann-Schnyder, Rorschach, CHF 1949.75, with bill information in
// Swico S1 syntax and two alternative schemes.
var exampleQRR = Bill{
	Account:  "CH44 3199 9123 0008 8901 2",
	Creditor: Address{Name: "Robert Schneider AG", Street: "Rue du Lac", BuildingNumber: "1268", PostalCode: "2501", Town: "Biel", Country: "CH"},
	Amount:   money.Amount{Minor: 194975, Currency: "CHF"},
	Debtor: &Address{Name: "Pia-Maria Rutschmann-Schnyder", Street: "Grosse Marktgasse", BuildingNumber: "28",
		PostalCode: "9400", Town: "Rorschach", Country: "CH"},
	ReferenceType:       QRR,
	Reference:           "21 00000 00003 13947 14300 09017",
	UnstructuredMessage: "Order of 15 June 2020",
	BillInformation:     "//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:139.40/40/0:30",
	AlternativeSchemes:  []string{"Name AV1: UV;UltraPay005;12345", "Name AV2: XY;XYService;54321"},
}

var exampleQRRPayload = lines(
	"SPC", "0200", "1",
	"CH4431999123000889012",
	"S", "Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel", "CH",
	"", "", "", "", "", "", "",
	"1949.75", "CHF",
	"S", "Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse", "28", "9400", "Rorschach", "CH",
	"QRR", "210000000003139471430009017",
	"Order of 15 June 2020",
	"EPD",
	"//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:139.40/40/0:30",
	"Name AV1: UV;UltraPay005;12345",
	"Name AV2: XY;XYService;54321",
)

// exampleSCOR is the IG's example of a QR-bill with an IBAN and an ISO 11649
// creditor reference: Muster Krankenkasse billing Sarah Beispiel, CHF 211.00.
var exampleSCOR = Bill{
	Account:       "CH58 0079 1123 0008 8901 2",
	Creditor:      Address{Name: "Muster Krankenkasse", Street: "Musterstrasse", BuildingNumber: "12", PostalCode: "8000", Town: "Seldwyla", Country: "CH"},
	Amount:        money.Amount{Minor: 21100, Currency: "CHF"},
	Debtor:        &Address{Name: "Sarah Beispiel", Street: "Musterstrasse", BuildingNumber: "1", PostalCode: "8000", Town: "Seldwyla", Country: "CH"},
	ReferenceType: SCOR,
	Reference:     "RF24 0191 2301 0040 5JSH 0438",
}

var exampleSCORPayload = lines(
	"SPC", "0200", "1",
	"CH5800791123000889012",
	"S", "Muster Krankenkasse", "Musterstrasse", "12", "8000", "Seldwyla", "CH",
	"", "", "", "", "", "", "",
	"211.00", "CHF",
	"S", "Sarah Beispiel", "Musterstrasse", "1", "8000", "Seldwyla", "CH",
	"SCOR", "RF240191230100405JSH0438",
	"",
	"EPD",
)

// exampleForeignDebtor is the IG's SCOR example with a debtor in Germany:
// Max Muster & Söhne billing Sarah Beispiel, Konstanz, CHF 199.95.
var exampleForeignDebtor = Bill{
	Account:       "CH5800791123000889012",
	Creditor:      Address{Name: "Max Muster & Söhne", Street: "Musterstrasse", BuildingNumber: "123", PostalCode: "8000", Town: "Seldwyla", Country: "CH"},
	Amount:        money.Amount{Minor: 19995, Currency: "CHF"},
	Debtor:        &Address{Name: "Sarah Beispiel", Street: "Musterstrasse", BuildingNumber: "1", PostalCode: "78462", Town: "Konstanz", Country: "DE"},
	ReferenceType: SCOR,
	Reference:     "RF18539007547034",
}

var exampleForeignDebtorPayload = lines(
	"SPC", "0200", "1",
	"CH5800791123000889012",
	"S", "Max Muster & Söhne", "Musterstrasse", "123", "8000", "Seldwyla", "CH",
	"", "", "", "", "", "", "",
	"199.95", "CHF",
	"S", "Sarah Beispiel", "Musterstrasse", "1", "78462", "Konstanz", "DE",
	"SCOR", "RF18539007547034",
	"",
	"EPD",
)

// exampleBlank is a bill without amount, debtor or reference (type NON), the
// shape of a donation slip: both left blank for the payer to fill in.
var exampleBlank = Bill{
	Account:       "CH3709000000304442225",
	Creditor:      Address{Name: "Stiftung Heilsarmee Schweiz", PostalCode: "3000", Town: "Bern", Country: "CH"},
	Amount:        money.Amount{Currency: "CHF"},
	ReferenceType: NON,
}

var exampleBlankPayload = lines(
	"SPC", "0200", "1",
	"CH3709000000304442225",
	"S", "Stiftung Heilsarmee Schweiz", "", "", "3000", "Bern", "CH",
	"", "", "", "", "", "", "",
	"", "CHF",
	"", "", "", "", "", "", "",
	"NON", "",
	"",
	"EPD",
)

func lines(elems ...string) string {
	out := elems[0]
	for _, e := range elems[1:] {
		out += "\r\n" + e
	}
	return out
}
