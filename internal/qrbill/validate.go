package qrbill

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Reasons a field is refused; every *FieldError wraps one of them (or
// ErrCheckDigit, ErrNotDigits, ErrNotAlphanumeric), so callers can test with
// errors.Is.
var (
	ErrRequired    = errors.New("is required")
	ErrTooLong     = errors.New("is too long")
	ErrCharset     = errors.New("contains a character outside the QR-bill character set")
	ErrInvalid     = errors.New("is invalid")
	ErrNotAllowed  = errors.New("is not allowed")
	ErrAccountType = errors.New("does not match the account type")
)

// FieldError names the field of a Bill that breaks a rule of the guidelines
// and why.
type FieldError struct {
	// Field is the path of the field: "account", "creditor.name",
	// "debtor.country", "amount", "currency", "reference_type",
	// "reference", "unstructured_message", "bill_information",
	// "alternative_schemes", "alternative_schemes[1]", "payload".
	Field string
	// Err is the reason, wrapping one of the Err* values of this package.
	Err error
}

// Error says which field breaks which rule: "creditor.name: is too long: …".
func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *FieldError) Unwrap() error { return e.Err }

// ValidationError lists every field of a Bill that breaks a rule.
type ValidationError struct {
	Fields []*FieldError
}

// Error lists every faulty field.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "qrbill: invalid bill: " + strings.Join(parts, "; ")
}

// Unwrap returns the field errors, so errors.As(err, &fieldErr) finds the
// first and errors.Is(err, ErrCheckDigit) looks at all.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f
	}
	return out
}

type checker struct{ errs []*FieldError }

func (c *checker) add(field string, err error) {
	c.errs = append(c.errs, &FieldError{Field: field, Err: err})
}

func (c *checker) addf(field string, reason error, format string, args ...any) {
	c.add(field, fmt.Errorf("%w: "+format, append([]any{reason}, args...)...))
}

// text checks an optional text field: length in characters and character set.
func (c *checker) text(field, v string, max int) {
	if n := utf8.RuneCountInString(v); n > max {
		c.addf(field, ErrTooLong, "%d characters, at most %d", n, max)
	}
	if !utf8.ValidString(v) {
		c.add(field, fmt.Errorf("%w: not valid UTF-8", ErrCharset))
	} else if r, pos := firstForbidden(v); pos > 0 {
		c.addf(field, ErrCharset, "%U %q at position %d", r, r, pos)
	}
}

// required checks a mandatory text field.
func (c *checker) required(field, v string, max int) {
	if strings.TrimSpace(v) == "" {
		c.add(field, ErrRequired)
		return
	}
	c.text(field, v, max)
}

// Validate checks the bill against the rules of the guidelines and returns
// nil or a *ValidationError listing every faulty field:
//
//   - Account: a CH or LI IBAN with valid MOD 97 check digits ("IBAN").
//   - Creditor and Debtor: structured addresses ("Creditor", "Ultimate
//     debtor"): name (≤ 70), postal code (≤ 16), town (≤ 35) and an
//     ISO 3166-1 country are mandatory; street (≤ 70) and building number
//     (≤ 16) optional.
//   - Amount: CHF or EUR; 0.01 to 999 999 999.99, or 0 for a blank amount
//     ("Payment amount information").
//   - Reference ("Payment reference"): a QR-IBAN (IID 30000–31999) requires
//     a QR reference (QRR, 27 digits, recursive modulo 10); any other IBAN
//     takes an ISO 11649 creditor reference (SCOR) or none (NON).
//   - Unstructured message and bill information: 140 characters together
//     ("Additional information").
//   - At most two alternative schemes of ≤ 100 characters
//     ("Alternative schemes").
//   - Every text within the character set (see AllowedRune), and the whole
//     Swiss QR Code text within 997 characters ("Swiss QR Code"), counted
//     as UTF-8 bytes so that the code never needs more than version 25.
func (b Bill) Validate() error {
	var c checker
	b.check(&c)
	if len(c.errs) > 0 {
		return &ValidationError{Fields: c.errs}
	}
	// The guidelines' limit counts characters; counting UTF-8 bytes (never
	// fewer) keeps the code within version 25 at level M, whose byte-mode
	// capacity is exactly 997, whatever accented letters the text holds.
	if n := len(b.payload()); n > MaxPayloadLen {
		c.addf("payload", ErrTooLong, "the Swiss QR Code text takes %d bytes in UTF-8, at most %d", n, MaxPayloadLen)
		return &ValidationError{Fields: c.errs}
	}
	return nil
}

func (b Bill) check(c *checker) {
	account := b.account()
	accountOK := false
	if account == "" {
		c.add("account", ErrRequired)
	} else if err := CheckIBAN(account); err != nil {
		c.add("account", fmt.Errorf("%w: %w", ErrInvalid, err))
	} else {
		accountOK = true
	}

	checkAddress(c, "creditor", b.Creditor)
	if b.Debtor != nil {
		checkAddress(c, "debtor", *b.Debtor)
	}

	switch b.Amount.Currency {
	case "CHF", "EUR":
	case "":
		c.add("currency", ErrRequired)
	default:
		c.addf("currency", ErrNotAllowed, "%q: only CHF and EUR", b.Amount.Currency)
	}
	if b.Amount.Minor < 0 {
		c.addf("amount", ErrInvalid, "%s is negative; the amount is 0.01 to 999999999.99 or blank", b.Amount)
	} else if b.Amount.Minor > MaxAmountMinor {
		c.addf("amount", ErrInvalid, "%s is above 999999999.99", b.Amount)
	}

	b.checkReference(c, account, accountOK)

	c.text("unstructured_message", b.UnstructuredMessage, MaxMessageLen)
	c.text("bill_information", b.BillInformation, MaxMessageLen)
	if n := utf8.RuneCountInString(b.UnstructuredMessage) + utf8.RuneCountInString(b.BillInformation); n > MaxMessageLen {
		c.addf("unstructured_message", ErrTooLong, "with the bill information %d characters, at most %d together", n, MaxMessageLen)
	}

	if n := len(b.AlternativeSchemes); n > MaxAltSchemes {
		c.addf("alternative_schemes", ErrTooLong, "%d schemes, at most %d", n, MaxAltSchemes)
	}
	for i, s := range b.AlternativeSchemes {
		c.required(fmt.Sprintf("alternative_schemes[%d]", i), s, MaxAltSchemeLen)
	}
}

func (b Bill) checkReference(c *checker, account string, accountOK bool) {
	ref := b.reference()
	switch b.ReferenceType {
	case QRR:
		if accountOK && !IsQRIBAN(account) {
			c.addf("reference_type", ErrAccountType, "a QR reference (QRR) requires a QR-IBAN (institution id 30000-31999); use SCOR or NON with %s", FormatIBAN(account))
		}
		if ref == "" {
			c.add("reference", ErrRequired)
		} else if err := CheckQRR(ref); err != nil {
			c.add("reference", fmt.Errorf("%w: %w", ErrInvalid, err))
		}
	case SCOR, NON:
		if accountOK && IsQRIBAN(account) {
			c.addf("reference_type", ErrAccountType, "a QR-IBAN requires a QR reference (QRR), not %s", b.ReferenceType)
		}
		if b.ReferenceType == NON {
			if ref != "" {
				c.addf("reference", ErrNotAllowed, "reference type NON takes no reference")
			}
		} else if ref == "" {
			c.add("reference", ErrRequired)
		} else if err := CheckSCOR(ref); err != nil {
			c.add("reference", fmt.Errorf("%w: %w", ErrInvalid, err))
		}
	case "":
		c.add("reference_type", ErrRequired)
	default:
		c.addf("reference_type", ErrInvalid, "%q: one of QRR, SCOR, NON", string(b.ReferenceType))
	}
}

func checkAddress(c *checker, prefix string, a Address) {
	c.required(prefix+".name", a.Name, MaxNameLen)
	c.text(prefix+".street", a.Street, MaxStreetLen)
	c.text(prefix+".building_number", a.BuildingNumber, MaxBuildingNumberLen)
	c.required(prefix+".postal_code", a.PostalCode, MaxPostalCodeLen)
	c.required(prefix+".town", a.Town, MaxTownLen)
	switch {
	case a.Country == "":
		c.add(prefix+".country", ErrRequired)
	case !ValidCountry(a.Country):
		c.addf(prefix+".country", ErrInvalid, "%q is not an ISO 3166-1 alpha-2 code in upper case", a.Country)
	}
}
