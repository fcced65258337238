package qrbill

import (
	"image"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/alpage/alpage/internal/money"
)

var examples = []struct {
	name    string
	bill    Bill
	payload string
}{
	{"QR-IBAN with QR reference", exampleQRR, exampleQRRPayload},
	{"IBAN with creditor reference", exampleSCOR, exampleSCORPayload},
	{"debtor abroad", exampleForeignDebtor, exampleForeignDebtorPayload},
	{"no amount, no debtor, no reference", exampleBlank, exampleBlankPayload},
}

func TestPayloadReproducesTheGuidelineExamples(t *testing.T) {
	t.Parallel()
	for _, ex := range examples {
		got, err := ex.bill.Payload()
		if err != nil {
			t.Fatalf("%s: %v", ex.name, err)
		}
		if got != ex.payload {
			t.Errorf("%s: payload differs\n got: %q\nwant: %q", ex.name, got, ex.payload)
		}
	}
}

func TestPayloadStructure(t *testing.T) {
	t.Parallel()
	for _, ex := range examples {
		p, _ := ex.bill.Payload()
		elems := strings.Split(p, "\r\n")
		// 31 elements up to the trailer, then bill information and up to two schemes.
		if elems[30] != "EPD" {
			t.Errorf("%s: element 31 = %q, want the trailer EPD", ex.name, elems[30])
		}
		if strings.HasSuffix(p, "\r\n") || strings.HasSuffix(p, "\n") {
			t.Errorf("%s: payload ends with a line separator", ex.name)
		}
		if strings.Contains(strings.ReplaceAll(p, "\r\n", ""), "\n") {
			t.Errorf("%s: bare LF inside the payload", ex.name)
		}
	}
	// Bill information empty but schemes present: the empty element stays so
	// the schemes keep their position.
	b := validBill()
	b.BillInformation = ""
	p, err := b.Payload()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(p, "\r\nEPD\r\n\r\nName AV1: UV;UltraPay005;12345\r\nName AV2: XY;XYService;54321") {
		t.Errorf("payload tail = %q", p[len(p)-80:])
	}
	// Only bill information: it ends the payload.
	b.BillInformation, b.AlternativeSchemes = "//S1/10/1234", nil
	if p, _ := b.Payload(); !strings.HasSuffix(p, "\r\nEPD\r\n//S1/10/1234") {
		t.Errorf("payload tail = %q", p[len(p)-40:])
	}
	// Amounts: two decimals, no thousands separator, no leading zeros.
	for minor, want := range map[int64]string{1: "0.01", 100: "1.00", 99999999999: "999999999.99"} {
		b.Amount = money.Amount{Minor: minor, Currency: "EUR"}
		p, _ := b.Payload()
		if got := strings.Split(p, "\r\n")[18]; got != want {
			t.Errorf("amount %d: element Amt = %q, want %q", minor, got, want)
		}
	}
}

// decodeQR reads a QR code from an image with gozxing, as UTF-8.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("gozxing bitmap: %v", err)
	}
	hints := map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
		gozxing.DecodeHintType_TRY_HARDER:    true,
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("gozxing decode: %v", err)
	}
	return res.GetText()
}

func TestQRCodeDecodesToThePayload(t *testing.T) {
	t.Parallel()
	accented := scorBill()
	accented.Debtor.Name = "Zoë Çelik-Ștefănescu"
	accented.UnstructuredMessage = "Facture n° 2025-0042, payable à 30 jours, €"
	all := append(examples[:len(examples):len(examples)], struct {
		name    string
		bill    Bill
		payload string
	}{"accented", accented, ""})
	for _, ex := range all {
		code, err := ex.bill.QRCode()
		if err != nil {
			t.Fatalf("%s: %v", ex.name, err)
		}
		want, _ := ex.bill.Payload()
		// The Swiss cross covers the centre: level M must correct it.
		got := decodeQR(t, code.Image(4, 4))
		if got != want {
			t.Errorf("%s: decoded\n%q\nwant\n%q", ex.name, got, want)
		}
		if code.Version() < 1 || code.Version() > MaxQRVersion || code.Size() != 17+4*code.Version() {
			t.Errorf("%s: version %d, size %d", ex.name, code.Version(), code.Size())
		}
	}
}

// The matrix really is at level M: the format information around the
// top-left finder pattern reads error correction level M (bits 00) in one
// of the eight mask patterns.
func TestQRCodeLevelM(t *testing.T) {
	t.Parallel()
	code, err := exampleQRR.QRCode()
	if err != nil {
		t.Fatal(err)
	}
	// Format bits 14..0 along row 8 (columns 0-5, 7, 8) and column 8 (rows 7, 5..0).
	var bits uint16
	read := func(x, y int) {
		bits <<= 1
		if code.Dark(x, y) {
			bits |= 1
		}
	}
	for _, x := range []int{0, 1, 2, 3, 4, 5, 7, 8} {
		read(x, 8)
	}
	for _, y := range []int{7, 5, 4, 3, 2, 1, 0} {
		read(8, y)
	}
	bits ^= 0x5412 // the format mask
	if level := bits >> 13; level != 0b00 {
		t.Errorf("error correction level bits = %02b, want 00 (M)", level)
	}
}

// FuzzBillPayload builds bills from arbitrary text: Validate never panics,
// and whatever it accepts gives a payload that respects the rules it checks
// and splits back into the same fields.
func FuzzBillPayload(f *testing.F) {
	f.Add("CH4431999123000889012", "Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel", "CH", int64(194975), "CHF", "QRR", "210000000003139471430009017", "Order", "//S1/10/1", "Name AV1: UV")
	f.Add("CH5800791123000889012", "Muster", "", "", "8000", "Seldwyla", "CH", int64(0), "EUR", "SCOR", "RF18539007547034", "", "", "")
	f.Add("CH3709000000304442225", "A\r\nB", "x", "y", "1", "z", "ch", int64(-5), "USD", "NON", "1", "€", "", "")
	f.Fuzz(func(t *testing.T, account, name, street, number, postal, town, country string, minor int64, currency, refType, ref, msg, info, alt string) {
		b := Bill{
			Account:       account,
			Creditor:      Address{Name: name, Street: street, BuildingNumber: number, PostalCode: postal, Town: town, Country: country},
			Amount:        money.Amount{Minor: minor, Currency: currency},
			Debtor:        &Address{Name: town, Street: street, PostalCode: postal, Town: name, Country: country},
			ReferenceType: ReferenceType(refType), Reference: ref,
			UnstructuredMessage: msg, BillInformation: info,
		}
		if alt != "" {
			b.AlternativeSchemes = []string{alt}
		}
		err := b.Validate()
		p, perr := b.Payload()
		if (err == nil) != (perr == nil) {
			t.Fatalf("Validate() = %v but Payload() error = %v", err, perr)
		}
		if err != nil {
			return
		}
		if len(p) > MaxPayloadLen || !utf8.ValidString(p) {
			t.Fatalf("accepted payload of %d bytes", len(p))
		}
		for _, r := range strings.ReplaceAll(p, "\r\n", "") {
			if !AllowedRune(r) {
				t.Fatalf("accepted payload holds %U", r)
			}
		}
		e := strings.Split(p, "\r\n")
		if e[3] != strings.ToUpper(stripSpaces(account)) || e[5] != name || e[9] != town || e[19] != currency || e[27] != refType || e[29] != msg {
			t.Fatalf("payload elements do not match the bill: %q", e)
		}
		if minor < 1 || minor > MaxAmountMinor {
			if minor != 0 || e[18] != "" {
				t.Fatalf("accepted amount %d as %q", minor, e[18])
			}
		}
		if IsQRIBAN(account) != (refType == "QRR") {
			t.Fatalf("accepted %s with account %s", refType, account)
		}
	})
}
