package qrbill

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by the check-digit helpers; Validate wraps them in a
// *FieldError naming the field.
var (
	// ErrNotDigits means a QR reference (or its base) holds something other
	// than the digits 0-9.
	ErrNotDigits = errors.New("only digits 0-9 are allowed")
	// ErrNotAlphanumeric means a creditor reference (or its base) holds
	// something other than A-Z, a-z and 0-9.
	ErrNotAlphanumeric = errors.New("only letters A-Z and digits 0-9 are allowed")
	// ErrCheckDigit means a reference or IBAN does not match its check digits.
	ErrCheckDigit = errors.New("check digits do not match")
)

// qrrTable is the carry table of the recursive modulo 10 algorithm
// ("Modulo 10, recursive", the check digit of the former ISR reference that
// the QR reference keeps; IG QR-bill, "Reference" data element and the
// "Check digit calculation Modulo 10, recursive" annex of the Swiss Payment
// Standards).
var qrrTable = [10]int{0, 9, 4, 6, 8, 2, 7, 1, 3, 5}

// Mod10Recursive returns the check digit (0-9) that the recursive modulo 10
// algorithm computes over digits. It is the check digit of a QR reference:
// the 27th digit over the first 26. digits must hold only 0-9 (and at least
// one of them).
func Mod10Recursive(digits string) (int, error) {
	if digits == "" {
		return 0, ErrNotDigits
	}
	carry := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q at position %d: %w", rune(c), i+1, ErrNotDigits)
		}
		carry = qrrTable[(carry+int(c-'0'))%10]
	}
	return (10 - carry) % 10, nil
}

// QRRLength is the length of a QR reference: 26 digits and a check digit.
const QRRLength = 27

// QRRReference makes a QR reference (type QRR) from up to 26 digits, for
// instance an invoice number: it pads them with leading zeros to 26 digits
// and appends the recursive modulo 10 check digit. Spaces are ignored.
//
//	QRRReference("21000000000313947143000901") == "210000000003139471430009017"
func QRRReference(digits string) (string, error) {
	digits = stripSpaces(digits)
	if digits == "" {
		return "", fmt.Errorf("qrbill: QR reference base is empty: %w", ErrNotDigits)
	}
	if len(digits) > QRRLength-1 {
		return "", fmt.Errorf("qrbill: QR reference base %q has %d digits, at most %d allowed", digits, len(digits), QRRLength-1)
	}
	digits = strings.Repeat("0", QRRLength-1-len(digits)) + digits
	cd, err := Mod10Recursive(digits)
	if err != nil {
		return "", fmt.Errorf("qrbill: QR reference base %q: %w", digits, err)
	}
	return digits + string(rune('0'+cd)), nil
}

// CheckQRR reports why ref is not a valid QR reference (27 digits whose last
// is the recursive modulo 10 check digit of the others), or nil. Spaces are
// ignored, so the printed form "21 00000 00003 13947 14300 09017" passes.
func CheckQRR(ref string) error {
	ref = stripSpaces(ref)
	if len(ref) != QRRLength {
		return fmt.Errorf("a QR reference has %d digits, not %d", QRRLength, len(ref))
	}
	cd, err := Mod10Recursive(ref[:QRRLength-1])
	if err != nil {
		return err
	}
	if last := ref[QRRLength-1]; last < '0' || last > '9' {
		return fmt.Errorf("%q at position %d: %w", rune(last), QRRLength, ErrNotDigits)
	} else if int(last-'0') != cd {
		return fmt.Errorf("%w: check digit is %c, expected %d", ErrCheckDigit, last, cd)
	}
	return nil
}

// Mod97 returns the ISO 7064 MOD 97-10 remainder of s after the letter
// conversion shared by IBAN (ISO 13616) and the creditor reference
// (ISO 11649): digits stay, A (or a) = 10 … Z (or z) = 35. It is the
// remainder of the whole number so obtained divided by 97. Any other
// character is an error.
func Mod97(s string) (int, error) {
	if s == "" {
		return 0, ErrNotAlphanumeric
	}
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		case c >= 'a' && c <= 'z':
			r = (r*100 + int(c-'a') + 10) % 97
		default:
			return 0, fmt.Errorf("%q at position %d: %w", rune(c), i+1, ErrNotAlphanumeric)
		}
	}
	return r, nil
}

// SCOR reference limits (ISO 11649, IG QR-bill "Reference" data element):
// "RF", two check digits and 1 to 21 alphanumeric characters, so 5 to 25
// characters in all.
const (
	SCORMinLength  = 5
	SCORMaxLength  = 25
	scorMaxBaseLen = SCORMaxLength - 4
)

// ISO11649CheckDigits returns the two check digits ("02"-"98") of an
// ISO 11649 creditor reference with the given base (the part after
// "RF" and the check digits): 98 minus the MOD 97 remainder of
// base + "RF00".
func ISO11649CheckDigits(base string) (string, error) {
	r, err := Mod97(base + "RF00")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%02d", 98-r), nil
}

// SCORReference makes an ISO 11649 creditor reference (type SCOR) from a base
// of 1 to 21 letters and digits, for instance an invoice number: "RF", the
// two check digits, then the base upper-cased. Spaces are ignored.
//
//	SCORReference("539007547034") == "RF18539007547034"
func SCORReference(base string) (string, error) {
	base = strings.ToUpper(stripSpaces(base))
	if base == "" || len(base) > scorMaxBaseLen {
		return "", fmt.Errorf("qrbill: creditor reference base %q must have 1 to %d characters", base, scorMaxBaseLen)
	}
	cd, err := ISO11649CheckDigits(base)
	if err != nil {
		return "", fmt.Errorf("qrbill: creditor reference base %q: %w", base, err)
	}
	return "RF" + cd + base, nil
}

// CheckSCOR reports why ref is not a valid ISO 11649 creditor reference
// ("RF", two check digits, 1 to 21 letters or digits; the MOD 97 remainder of
// the reference with its first four characters moved to the end is 1), or
// nil. Spaces are ignored and letters may be of either case.
func CheckSCOR(ref string) error {
	ref = strings.ToUpper(stripSpaces(ref))
	if len(ref) < SCORMinLength || len(ref) > SCORMaxLength {
		return fmt.Errorf("a creditor reference has %d to %d characters, not %d", SCORMinLength, SCORMaxLength, len(ref))
	}
	if !strings.HasPrefix(ref, "RF") {
		return errors.New(`a creditor reference starts with "RF"`)
	}
	if !isDigit(ref[2]) || !isDigit(ref[3]) {
		return errors.New(`"RF" must be followed by two check digits`)
	}
	r, err := Mod97(ref[4:] + ref[:4])
	if err != nil {
		return err
	}
	if r != 1 {
		want, _ := ISO11649CheckDigits(ref[4:])
		return fmt.Errorf("%w: check digits are %s, expected %s", ErrCheckDigit, ref[2:4], want)
	}
	return nil
}

// IBANLength is the length of a Swiss or Liechtenstein IBAN.
const IBANLength = 21

// CheckIBAN reports why iban is not a valid Swiss (CH) or Liechtenstein (LI)
// IBAN, the only countries the QR-bill allows (IG QR-bill, "IBAN" data
// element): 21 characters, the country code, two check digits, a five-digit
// institution identification (IID) and a 12-character account, with an
// ISO 7064 MOD 97-10 remainder of 1 once the first four characters are moved
// to the end. Spaces are ignored and letters may be of either case.
func CheckIBAN(iban string) error {
	iban = strings.ToUpper(stripSpaces(iban))
	if len(iban) < 2 {
		return errors.New("an IBAN starts with its country code")
	}
	if cc := iban[:2]; cc != "CH" && cc != "LI" {
		return fmt.Errorf("only Swiss (CH) and Liechtenstein (LI) IBANs are allowed, not %q", cc)
	}
	if len(iban) != IBANLength {
		return fmt.Errorf("a %s IBAN has %d characters, not %d", iban[:2], IBANLength, len(iban))
	}
	for i := 2; i < 9; i++ {
		if !isDigit(iban[i]) {
			return fmt.Errorf("characters 3 to 9 (check digits and institution id) must be digits, found %q", rune(iban[i]))
		}
	}
	r, err := Mod97(iban[4:] + iban[:4])
	if err != nil {
		return err
	}
	if r != 1 {
		return fmt.Errorf("%w: IBAN MOD 97 remainder is %d, not 1", ErrCheckDigit, r)
	}
	return nil
}

// IsQRIBAN reports whether iban is a QR-IBAN: a valid CH or LI IBAN whose
// institution identification (IID, characters 5 to 9) lies in 30000-31999,
// the range reserved for QR-IIDs (IG QR-bill, "IBAN" data element). Payments
// to a QR-IBAN must carry a QR reference.
func IsQRIBAN(iban string) bool {
	iban = strings.ToUpper(stripSpaces(iban))
	if CheckIBAN(iban) != nil {
		return false
	}
	iid := iban[4:9]
	return iid >= "30000" && iid <= "31999"
}

// FormatIBAN groups an IBAN in blocks of four characters for display
// ("CH44 3199 9123 0008 8901 2"), as the payment part and receipt print it
// (IG QR-bill, "Information section").
func FormatIBAN(iban string) string {
	return groupLeft(strings.ToUpper(stripSpaces(iban)), 4)
}

// FormatReference groups a reference for display as the payment part prints
// it (IG QR-bill, "Information section"): a QR reference in blocks of five
// digits from the right ("21 00000 00003 13947 14300 09017"), a creditor
// reference in blocks of four from the left ("RF18 5390 0754 7034").
func FormatReference(ref string) string {
	ref = stripSpaces(ref)
	if len(ref) >= 2 && strings.EqualFold(ref[:2], "RF") {
		return groupLeft(strings.ToUpper(ref), 4)
	}
	var b strings.Builder
	first := len(ref) % 5
	if first > 0 {
		b.WriteString(ref[:first])
	}
	for i := first; i < len(ref); i += 5 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ref[i : i+5])
	}
	return b.String()
}

func groupLeft(s string, n int) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 && i%n == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func stripSpaces(s string) string {
	if !strings.ContainsRune(s, ' ') {
		return s
	}
	return strings.ReplaceAll(s, " ", "")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
