package qrbill

import (
	"errors"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/money"
)

// validBill returns a fresh copy of the IG's QR reference example.
func validBill() Bill {
	b := exampleQRR
	d := *exampleQRR.Debtor
	b.Debtor = &d
	b.AlternativeSchemes = append([]string(nil), exampleQRR.AlternativeSchemes...)
	return b
}

// scorBill returns a valid bill on an ordinary IBAN with a creditor reference.
func scorBill() Bill {
	b := validBill()
	b.Account = "CH5800791123000889012"
	b.ReferenceType = SCOR
	b.Reference = "RF18539007547034"
	return b
}

func TestValidateAcceptsTheExamples(t *testing.T) {
	t.Parallel()
	for name, b := range map[string]Bill{"qrr": exampleQRR, "scor": exampleSCOR, "foreign debtor": exampleForeignDebtor, "blank": exampleBlank} {
		if err := b.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateRules(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		name   string
		edit   func(b *Bill)
		field  string
		reason error
	}{
		// Account: CH/LI IBAN with MOD 97.
		{"missing account", func(b *Bill) { b.Account = "" }, "account", ErrRequired},
		{"IBAN check digits", func(b *Bill) { b.Account = "CH4431999123000889013" }, "account", ErrCheckDigit},
		{"foreign IBAN", func(b *Bill) { b.Account = "DE89370400440532013000" }, "account", ErrInvalid},
		// QR-IBAN ⇔ QRR.
		{"QRR on an IBAN", func(b *Bill) { b.Account = "CH5800791123000889012" }, "reference_type", ErrAccountType},
		{"SCOR on a QR-IBAN", func(b *Bill) { b.ReferenceType, b.Reference = SCOR, "RF18539007547034" }, "reference_type", ErrAccountType},
		{"NON on a QR-IBAN", func(b *Bill) { b.ReferenceType, b.Reference = NON, "" }, "reference_type", ErrAccountType},
		{"QRR missing", func(b *Bill) { b.Reference = "" }, "reference", ErrRequired},
		{"QRR check digit", func(b *Bill) { b.Reference = "210000000003139471430009018" }, "reference", ErrCheckDigit},
		{"QRR too short", func(b *Bill) { b.Reference = "21000000000313947143000901" }, "reference", ErrInvalid},
		{"unknown type", func(b *Bill) { b.ReferenceType = "ISR" }, "reference_type", ErrInvalid},
		{"no type", func(b *Bill) { b.ReferenceType = "" }, "reference_type", ErrRequired},
		// Currency and amount.
		{"USD", func(b *Bill) { b.Amount.Currency = "USD" }, "currency", ErrNotAllowed},
		{"no currency", func(b *Bill) { b.Amount.Currency = "" }, "currency", ErrRequired},
		{"negative amount", func(b *Bill) { b.Amount.Minor = -1 }, "amount", ErrInvalid},
		{"amount too large", func(b *Bill) { b.Amount.Minor = MaxAmountMinor + 1 }, "amount", ErrInvalid},
		// Addresses.
		{"creditor name missing", func(b *Bill) { b.Creditor.Name = "  " }, "creditor.name", ErrRequired},
		{"creditor name 71", func(b *Bill) { b.Creditor.Name = long(71) }, "creditor.name", ErrTooLong},
		{"street 71", func(b *Bill) { b.Creditor.Street = long(71) }, "creditor.street", ErrTooLong},
		{"building number 17", func(b *Bill) { b.Creditor.BuildingNumber = long(17) }, "creditor.building_number", ErrTooLong},
		{"postal code 17", func(b *Bill) { b.Debtor.PostalCode = long(17) }, "debtor.postal_code", ErrTooLong},
		{"postal code missing", func(b *Bill) { b.Debtor.PostalCode = "" }, "debtor.postal_code", ErrRequired},
		{"town 36", func(b *Bill) { b.Debtor.Town = long(36) }, "debtor.town", ErrTooLong},
		{"town missing", func(b *Bill) { b.Creditor.Town = "" }, "creditor.town", ErrRequired},
		{"country lower case", func(b *Bill) { b.Creditor.Country = "ch" }, "creditor.country", ErrInvalid},
		{"country unknown", func(b *Bill) { b.Debtor.Country = "XX" }, "debtor.country", ErrInvalid},
		{"country missing", func(b *Bill) { b.Debtor.Country = "" }, "debtor.country", ErrRequired},
		{"empty debtor", func(b *Bill) { b.Debtor = &Address{} }, "debtor.name", ErrRequired},
		// Character set.
		{"line break in a name", func(b *Bill) { b.Creditor.Name = "Robert\r\nSchneider" }, "creditor.name", ErrCharset},
		{"emoji in the message", func(b *Bill) { b.UnstructuredMessage = "Merci 🙂" }, "unstructured_message", ErrCharset},
		{"Cyrillic town", func(b *Bill) { b.Debtor.Town = "Москва" }, "debtor.town", ErrCharset},
		{"invalid UTF-8", func(b *Bill) { b.BillInformation = "//S1/\xff" }, "bill_information", ErrCharset},
		{"tab in bill information", func(b *Bill) { b.BillInformation = "//S1\t/10" }, "bill_information", ErrCharset},
		// Message + bill information ≤ 140.
		{"message 141", func(b *Bill) { b.UnstructuredMessage, b.BillInformation = long(141), "" }, "unstructured_message", ErrTooLong},
		{"together 141", func(b *Bill) { b.UnstructuredMessage, b.BillInformation = long(41), long(100) }, "unstructured_message", ErrTooLong},
		// Alternative schemes.
		{"three schemes", func(b *Bill) { b.AlternativeSchemes = []string{"a", "b", "c"} }, "alternative_schemes", ErrTooLong},
		{"scheme 101", func(b *Bill) { b.AlternativeSchemes = []string{long(101)} }, "alternative_schemes[0]", ErrTooLong},
		{"empty scheme", func(b *Bill) { b.AlternativeSchemes = []string{"x", ""} }, "alternative_schemes[1]", ErrRequired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := validBill()
			c.edit(&b)
			err := b.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want a *ValidationError", err)
			}
			var found *FieldError
			for _, f := range ve.Fields {
				if f.Field == c.field {
					found = f
				}
			}
			if found == nil {
				t.Fatalf("Validate() = %v, want an error on %s", err, c.field)
			}
			if !errors.Is(found, c.reason) {
				t.Errorf("%s: %v, want reason %v", c.field, found, c.reason)
			}
			if !strings.Contains(err.Error(), c.field+": ") {
				t.Errorf("message %q does not name %s", err.Error(), c.field)
			}
			if _, err := b.Payload(); err == nil {
				t.Error("Payload() of an invalid bill succeeded")
			}
		})
	}
}

func TestValidateBoundaries(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("a", n) }
	b := validBill()
	b.Debtor.Name = strings.Repeat("é", 70) // 140 bytes: field limits count characters
	b.Creditor.Name, b.Creditor.Street, b.Creditor.BuildingNumber = long(70), long(70), long(16)
	b.Creditor.PostalCode, b.Creditor.Town = long(16), long(35)
	b.UnstructuredMessage, b.BillInformation = long(70), long(70)
	b.AlternativeSchemes = []string{long(100), long(100)}
	b.Amount.Minor = MaxAmountMinor
	if err := b.Validate(); err != nil {
		t.Fatalf("every field at its limit: %v", err)
	}
	b.Amount.Minor = 1 // 0.01
	if err := b.Validate(); err != nil {
		t.Fatalf("0.01: %v", err)
	}
	b.Amount = money.Amount{Currency: "EUR"} // blank amount in EUR
	if err := b.Validate(); err != nil {
		t.Fatalf("blank EUR amount: %v", err)
	}
	// The whole character set of the guidelines passes.
	b = scorBill()
	b.UnstructuredMessage = "Zürich Genève Ørsted Łódź Șțefan € ¿ß ÿ ~{}|"
	b.Debtor.Name = "Ľubomír Ťažký-Ŋoble"
	if err := b.Validate(); err != nil {
		t.Fatalf("extended Latin: %v", err)
	}
}

func TestValidateReportsEveryFaultyField(t *testing.T) {
	t.Parallel()
	b := validBill()
	b.Account = "CH4431999123000889013"
	b.Creditor.Name = ""
	b.Amount.Currency = "GBP"
	err := b.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v", err)
	}
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	if got, want := strings.Join(fields, ","), "account,creditor.name,currency"; got != want {
		t.Errorf("fields = %s, want %s", got, want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "account" {
		t.Errorf("errors.As finds %v, want the account error first", fe)
	}
	if !errors.Is(err, ErrCheckDigit) || !errors.Is(err, ErrRequired) || !errors.Is(err, ErrNotAllowed) {
		t.Errorf("errors.Is does not see every reason in %v", err)
	}
}

func TestValidateRefusesPayloadOver997(t *testing.T) {
	t.Parallel()
	// ASCII fields at their limits give about 890 characters; accented
	// letters take two bytes each in UTF-8 and push the text past the 997
	// bytes that version 25 at level M holds.
	b := scorBill()
	full := func(n int) string { return strings.Repeat("é", n) }
	b.Creditor = Address{Name: full(70), Street: full(70), BuildingNumber: full(16), PostalCode: full(16), Town: full(35), Country: "CH"}
	d := b.Creditor
	b.Debtor = &d
	err := b.Validate()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "payload" || !errors.Is(err, ErrTooLong) {
		t.Fatalf("payload of %d bytes: Validate() = %v, want a payload error", len(b.payload()), err)
	}
	// The same text encodes beyond version 25: the limit is the one that matters.
	if _, err := EncodeQR(b.payload()); err == nil {
		t.Errorf("EncodeQR accepted %d bytes", len(b.payload()))
	}
	b.Debtor = nil
	if err := b.Validate(); err != nil {
		t.Fatalf("payload of %d bytes refused: %v", len(b.payload()), err)
	}
	code, err := b.QRCode()
	if err != nil || code.Version() > MaxQRVersion {
		t.Fatalf("QRCode() = version %d, %v", code.Version(), err)
	}
}
