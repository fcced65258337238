package qrbill

import (
	"errors"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestMod10RecursiveTable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		digits string
		want   int
	}{
		{"21000000000313947143000901", 7}, // the IG example reference 21 00000 00003 13947 14300 09017
		{"00000000000000000000000000", 0},
		{"0", 0},
		{"1", 1},  // carry 9 → check 1
		{"2", 6},  // carry 4 → check 6
		{"12", 1}, // carry 9, then (9+2) mod 10 = 1 → carry 9 → check 1
		{"123456", 5},
	}
	// Every case is also checked against an independent implementation.
	for _, c := range cases {
		got, err := Mod10Recursive(c.digits)
		if err != nil {
			t.Fatalf("Mod10Recursive(%q): %v", c.digits, err)
		}
		if want := referenceMod10(c.digits); got != want {
			t.Errorf("Mod10Recursive(%q) = %d, independent implementation says %d", c.digits, got, want)
		}
		if got != c.want {
			t.Errorf("Mod10Recursive(%q) = %d, want %d", c.digits, got, c.want)
		}
	}
	for _, bad := range []string{"", "12a4", "1 2", "１２"} {
		if _, err := Mod10Recursive(bad); !errors.Is(err, ErrNotDigits) {
			t.Errorf("Mod10Recursive(%q) error = %v, want ErrNotDigits", bad, err)
		}
	}
}

// referenceMod10 is the recursive modulo 10 written the way the Swiss
// Payment Standards tabulate it: a 10 × 10 table indexed by carry and digit.
func referenceMod10(digits string) int {
	table := [10][10]int{
		{0, 9, 4, 6, 8, 2, 7, 1, 3, 5},
		{9, 4, 6, 8, 2, 7, 1, 3, 5, 0},
		{4, 6, 8, 2, 7, 1, 3, 5, 0, 9},
		{6, 8, 2, 7, 1, 3, 5, 0, 9, 4},
		{8, 2, 7, 1, 3, 5, 0, 9, 4, 6},
		{2, 7, 1, 3, 5, 0, 9, 4, 6, 8},
		{7, 1, 3, 5, 0, 9, 4, 6, 8, 2},
		{1, 3, 5, 0, 9, 4, 6, 8, 2, 7},
		{3, 5, 0, 9, 4, 6, 8, 2, 7, 1},
		{5, 0, 9, 4, 6, 8, 2, 7, 1, 3},
	}
	carry := 0
	for _, c := range digits {
		carry = table[carry][c-'0']
	}
	return (10 - carry) % 10
}

func TestQRRReference(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"21000000000313947143000901": "210000000003139471430009017",
		"2100000000031394714300090":  "021000000000313947143000903",
		"1":                          "000000000000000000000000011",
		"123 456":                    "000000000000000000001234565",
	}
	for in, want := range cases {
		got, err := QRRReference(in)
		if err != nil || got != want {
			t.Errorf("QRRReference(%q) = %q, %v; want %q", in, got, err, want)
		}
		if err := CheckQRR(got); err != nil {
			t.Errorf("CheckQRR(%q) = %v", got, err)
		}
	}
	for _, bad := range []string{"", "123456789012345678901234567", "12A"} {
		if got, err := QRRReference(bad); err == nil {
			t.Errorf("QRRReference(%q) = %q, want an error", bad, got)
		}
	}
}

func TestCheckQRR(t *testing.T) {
	t.Parallel()
	valid := []string{"210000000003139471430009017", "21 00000 00003 13947 14300 09017", "000000000000000000000000000"}
	for _, ref := range valid {
		if err := CheckQRR(ref); err != nil {
			t.Errorf("CheckQRR(%q) = %v", ref, err)
		}
	}
	cases := map[string]error{
		"210000000003139471430009016":  ErrCheckDigit, // last digit changed
		"210000000003139471430009071":  ErrCheckDigit, // two digits swapped
		"21000000000313947143000901":   nil,           // 26 digits: wrong length
		"2100000000031394714300090170": nil,           // 28 digits
		"21000000000313947143000901A":  ErrNotDigits,
		"RF18539007547034":             nil,
	}
	for ref, want := range cases {
		err := CheckQRR(ref)
		if err == nil {
			t.Errorf("CheckQRR(%q) accepted", ref)
			continue
		}
		if want != nil && !errors.Is(err, want) {
			t.Errorf("CheckQRR(%q) = %v, want %v", ref, err, want)
		}
	}
}

func TestSCORReferenceAndCheck(t *testing.T) {
	t.Parallel()
	// ISO 11649's own example and the IG example references.
	cases := map[string]string{
		"539007547034":          "RF18539007547034",
		"0191230100405JSH0438":  "RF240191230100405JSH0438",
		"0191230100405jsh0438":  "RF240191230100405JSH0438",
		"5390 0754 7034":        "RF18539007547034",
		"1":                     "RF741", // 1RF00 → 1271500 mod 97 = 24 → 98 - 24
		"000000000000000000001": "RF74000000000000000000001",
	}
	for base, want := range cases {
		got, err := SCORReference(base)
		if err != nil || got != want {
			t.Errorf("SCORReference(%q) = %q, %v; want %q", base, got, err, want)
		}
		if err := CheckSCOR(got); err != nil {
			t.Errorf("CheckSCOR(%q) = %v", got, err)
		}
	}
	if cd, err := ISO11649CheckDigits("539007547034"); err != nil || cd != "18" {
		t.Errorf(`ISO11649CheckDigits("539007547034") = %q, %v; want "18"`, cd, err)
	}
	for _, ok := range []string{"RF18 5390 0754 7034", "rf18539007547034", "RF18000000000539007547034"} {
		if err := CheckSCOR(ok); err != nil {
			t.Errorf("CheckSCOR(%q) = %v", ok, err)
		}
	}
	bad := map[string]error{
		"RF17539007547034":           ErrCheckDigit,
		"RF18539007547035":           ErrCheckDigit,
		"RF18539007547034-OTHER":     ErrNotAlphanumeric,
		"RF1":                        nil, // too short
		"RF18":                       nil, // no base
		"RF180000000000005390075470": nil, // 26 characters: too long
		"XX18539007547034":           nil, // not RF
		"RFAB539007547034":           nil, // letters as check digits
	}
	for ref, want := range bad {
		err := CheckSCOR(ref)
		if err == nil {
			t.Errorf("CheckSCOR(%q) accepted", ref)
		} else if want != nil && !errors.Is(err, want) {
			t.Errorf("CheckSCOR(%q) = %v, want %v", ref, err, want)
		}
	}
	for _, b := range []string{"", strings.Repeat("1", 22), "AB-1"} {
		if got, err := SCORReference(b); err == nil {
			t.Errorf("SCORReference(%q) = %q, want an error", b, got)
		}
	}
}

func TestCheckIBANAndQRIBAN(t *testing.T) {
	t.Parallel()
	cases := []struct {
		iban   string
		valid  bool
		qrIBAN bool
	}{
		{"CH4431999123000889012", true, true}, // IG QR-IBAN, IID 31999
		{"CH44 3199 9123 0008 8901 2", true, true},
		{"ch4431999123000889012", true, true},
		{"CH5800791123000889012", true, false}, // IG IBAN, IID 00791
		{"CH9300762011623852957", true, false},
		{"CH3709000000304442225", true, false}, // PostFinance
		{"LI21088100002324013AA", true, false}, // Liechtenstein, letters in the account
		{"CH5830000000000000000", true, true},  // lowest QR-IID 30000
		{"CH4531999000000000000", true, true},  // highest QR-IID 31999
		{"CH5332000000000000000", true, false}, // IID 32000: just above the QR range
		{"CH4431999123000889013", false, false},
		{"CH4431999123000889", false, false},
		{"DE89370400440532013000", false, false}, // valid German IBAN, but not CH/LI
		{"FR1420041010050500013M02606", false, false},
		{"CHXX31999123000889012", false, false},
		{"", false, false},
	}
	for _, c := range cases {
		err := CheckIBAN(c.iban)
		if (err == nil) != c.valid {
			t.Errorf("CheckIBAN(%q) = %v, want valid=%v", c.iban, err, c.valid)
		}
		if got := IsQRIBAN(c.iban); got != c.qrIBAN {
			t.Errorf("IsQRIBAN(%q) = %v, want %v", c.iban, got, c.qrIBAN)
		}
	}
	if r, err := Mod97("3199912300088901 2CH44"); err == nil {
		t.Errorf("Mod97 with a space = %d, want an error", r)
	}
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	cases := []struct{ got, want string }{
		{FormatIBAN("CH4431999123000889012"), "CH44 3199 9123 0008 8901 2"},
		{FormatIBAN("ch44 3199 9123 0008 8901 2"), "CH44 3199 9123 0008 8901 2"},
		{FormatReference("210000000003139471430009017"), "21 00000 00003 13947 14300 09017"},
		{FormatReference("RF18539007547034"), "RF18 5390 0754 7034"},
		{FormatReference("RF240191230100405JSH0438"), "RF24 0191 2301 0040 5JSH 0438"},
		{FormatAmount(194975), "1 949.75"},
		{FormatAmount(99999999999), "999 999 999.99"},
		{FormatAmount(100000), "1 000.00"},
		{FormatAmount(5), "0.05"},
		{FormatAmount(0), ""},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// Property: a reference made by QRRReference always validates, and changing
// any one of its digits always breaks it.
func TestQRRReferenceProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		base := rapid.StringMatching(`[0-9]{1,26}`).Draw(t, "base")
		ref, err := QRRReference(base)
		if err != nil {
			t.Fatalf("QRRReference(%q): %v", base, err)
		}
		if err := CheckQRR(ref); err != nil {
			t.Fatalf("CheckQRR(%q) = %v", ref, err)
		}
		i := rapid.IntRange(0, QRRLength-1).Draw(t, "position")
		d := byte(rapid.IntRange(1, 9).Draw(t, "delta"))
		changed := []byte(ref)
		changed[i] = '0' + (changed[i]-'0'+d)%10
		if err := CheckQRR(string(changed)); !errors.Is(err, ErrCheckDigit) {
			t.Fatalf("CheckQRR(%q) with digit %d changed = %v, want ErrCheckDigit", changed, i+1, err)
		}
	})
}

// Property: a reference made by SCORReference always validates, and changing
// any one digit (to another digit) or letter (to another letter) breaks it.
func TestSCORReferenceProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		base := rapid.StringMatching(`[0-9A-Z]{1,21}`).Draw(t, "base")
		ref, err := SCORReference(base)
		if err != nil {
			t.Fatalf("SCORReference(%q): %v", base, err)
		}
		if err := CheckSCOR(ref); err != nil {
			t.Fatalf("CheckSCOR(%q) = %v", ref, err)
		}
		i := rapid.IntRange(2, len(ref)-1).Draw(t, "position")
		changed := []byte(ref)
		if c := changed[i]; isDigit(c) {
			changed[i] = '0' + (c-'0'+byte(rapid.IntRange(1, 9).Draw(t, "delta")))%10
		} else {
			changed[i] = 'A' + (c-'A'+byte(rapid.IntRange(1, 25).Draw(t, "delta")))%26
		}
		if err := CheckSCOR(string(changed)); !errors.Is(err, ErrCheckDigit) {
			t.Fatalf("CheckSCOR(%q) with character %d changed = %v, want ErrCheckDigit", changed, i+1, err)
		}
	})
}

// Property: an IBAN given correct MOD 97 check digits validates, and changing
// any one digit breaks it.
func TestIBANProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		country := rapid.SampledFrom([]string{"CH", "LI"}).Draw(t, "country")
		bban := rapid.StringMatching(`[0-9]{17}`).Draw(t, "bban")
		r, err := Mod97(bban + country + "00")
		if err != nil {
			t.Fatal(err)
		}
		iban := country + string(rune('0'+(98-r)/10)) + string(rune('0'+(98-r)%10)) + bban
		if err := CheckIBAN(iban); err != nil {
			t.Fatalf("CheckIBAN(%q) = %v", iban, err)
		}
		if want := bban[:5] >= "30000" && bban[:5] <= "31999"; IsQRIBAN(iban) != want {
			t.Fatalf("IsQRIBAN(%q) = %v, want %v", iban, !want, want)
		}
		i := rapid.IntRange(2, IBANLength-1).Draw(t, "position")
		changed := []byte(iban)
		changed[i] = '0' + (changed[i]-'0'+byte(rapid.IntRange(1, 9).Draw(t, "delta")))%10
		if err := CheckIBAN(string(changed)); !errors.Is(err, ErrCheckDigit) {
			t.Fatalf("CheckIBAN(%q) with digit %d changed = %v, want ErrCheckDigit", changed, i+1, err)
		}
	})
}

func FuzzCheckQRR(f *testing.F) {
	for _, s := range []string{"210000000003139471430009017", "21 00000 00003 13947 14300 09017", "", "x", "2100000000031394714300090170"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := CheckQRR(s); err == nil {
			ref := stripSpaces(s)
			again, err := QRRReference(ref[:QRRLength-1])
			if err != nil || again != ref {
				t.Fatalf("CheckQRR accepted %q but QRRReference of its base = %q, %v", s, again, err)
			}
		}
		if ref, err := QRRReference(s); err == nil {
			if err := CheckQRR(ref); err != nil {
				t.Fatalf("QRRReference(%q) = %q, which CheckQRR refuses: %v", s, ref, err)
			}
		}
	})
}

func FuzzCheckSCOR(f *testing.F) {
	for _, s := range []string{"RF18539007547034", "rf18 5390 0754 7034", "RF", "", "RF00", "RF97!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := CheckSCOR(s); err == nil {
			ref := strings.ToUpper(stripSpaces(s))
			again, err := SCORReference(ref[4:])
			// Check digits 00/01 and 97/98/99 differ by 97: only the 02-98 form is made.
			if err != nil || (again != ref && again[4:] != ref[4:]) {
				t.Fatalf("CheckSCOR accepted %q but SCORReference of its base = %q, %v", s, again, err)
			}
		}
		if ref, err := SCORReference(s); err == nil {
			if err := CheckSCOR(ref); err != nil {
				t.Fatalf("SCORReference(%q) = %q, which CheckSCOR refuses: %v", s, ref, err)
			}
		}
	})
}

func FuzzCheckIBAN(f *testing.F) {
	for _, s := range []string{"CH4431999123000889012", "LI21088100002324013AA", "DE89370400440532013000", "", "CH"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckIBAN(s)
		iban := strings.ToUpper(stripSpaces(s))
		if err == nil {
			if len(iban) != IBANLength || (iban[:2] != "CH" && iban[:2] != "LI") {
				t.Fatalf("CheckIBAN accepted %q", s)
			}
			if r, err := Mod97(iban[4:] + iban[:4]); err != nil || r != 1 {
				t.Fatalf("CheckIBAN accepted %q with remainder %d, %v", s, r, err)
			}
		} else if IsQRIBAN(s) {
			t.Fatalf("IsQRIBAN(%q) true for an invalid IBAN", s)
		}
	})
}
