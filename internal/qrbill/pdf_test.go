package qrbill

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signintech/gopdf"

	"github.com/alpage/alpage/internal/testutil"
)

// requireTool returns the path of a poppler tool. Without it the test is
// skipped on a developer machine and fails in CI (CI=true), where
// poppler-utils must be installed.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI (Debian package poppler-utils): %v", name, err)
		}
		t.Skipf("%s not installed (poppler-utils): %v", name, err)
	}
	return path
}

// rasterize renders page 1 of a PDF at 150 dpi with pdftoppm, keeps the PNG
// in dir and returns it decoded.
func rasterize(t *testing.T, pdf []byte, dir, name string) image.Image {
	t.Helper()
	tool := requireTool(t, "pdftoppm")
	pdfPath := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool, "-r", "150", "-png", "-singlefile", pdfPath, filepath.Join(dir, name))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decoding the PNG: %v", err)
	}
	return img
}

// pdfText extracts the text of a PDF with pdftotext.
func pdfText(t *testing.T, pdfPath string) string {
	t.Helper()
	tool := requireTool(t, "pdftotext")
	out, err := exec.Command(tool, "-layout", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// cropMM cuts the rectangle (x, y, w, h) in millimetres out of a page
// rendered at dpi.
func cropMM(img image.Image, dpi, x, y, w, h float64) image.Image {
	px := func(mm float64) int { return int(mm * dpi / 25.4) }
	r := image.Rect(px(x), px(y), px(x+w), px(y+h))
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

// The QR code printed in the PDF decodes back to the payload, and the text
// of the payment part carries the headings of the guidelines in each
// language. The PNGs are kept as artifacts to look at.
func TestPDFPaymentPartDecodesAndReads(t *testing.T) {
	t.Parallel()
	dir := testutil.ArtifactDir(t)
	headings := map[string][]string{
		"en": {"Receipt", "Payment part", "Account / Payable to", "Reference", "Additional information", "Payable by", "Currency", "Amount", "Acceptance point"},
		"de": {"Empfangsschein", "Zahlteil", "Konto / Zahlbar an", "Referenz", "Zusätzliche Informationen", "Zahlbar durch", "Währung", "Betrag", "Annahmestelle"},
		"fr": {"Récépissé", "Section paiement", "Compte / Payable à", "Référence", "Informations supplémentaires", "Payable par", "Monnaie", "Montant", "Point de dépôt"},
		"it": {"Ricevuta", "Sezione pagamento", "Conto / Pagabile a", "Riferimento", "Informazioni supplementari", "Pagabile da", "Valuta", "Importo", "Punto di accettazione"},
		"es": {"Receipt", "Payment part", "Account / Payable to"}, // no Spanish in the guidelines: English
	}
	// Every language with the fullest example (every heading), and every
	// example once in some language: eight renderings, in parallel.
	type tc struct {
		lang string
		ex   int
	}
	var cases []tc
	for _, lang := range []string{"de", "fr", "it", "en", "es"} {
		cases = append(cases, tc{lang, 0})
	}
	for i := 1; i < len(examples); i++ {
		cases = append(cases, tc{[]string{"fr", "it", "de"}[i-1], i})
	}
	for _, c := range cases {
		ex := examples[c.ex]
		lang := c.lang
		name := lang + "-" + strings.ReplaceAll(strings.ReplaceAll(ex.name, " ", "-"), ",", "")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, err := ex.bill.PDF(lang)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !bytes.HasPrefix(out, []byte("%PDF-")) {
				t.Fatalf("%s: not a PDF", name)
			}
			page := rasterize(t, out, dir, name)
			// A4 at 150 dpi is 1240.2 × 1753.9 px; pdftoppm rounds up.
			if b := page.Bounds(); b.Dx() < 1240 || b.Dx() > 1241 || b.Dy() < 1753 || b.Dy() > 1754 {
				t.Errorf("%s: page is %d × %d px at 150 dpi, want A4 (1240 × 1754)", name, b.Dx(), b.Dy())
			}
			// The payment part's Swiss QR Code section: 56 mm square at
			// x = 62 mm, 12 mm below the top of the slip (the bottom 105 mm).
			qr := cropMM(page, 150, ReceiptWidthMM, 297-SlipHeightMM+12, 56, 56)
			if got := decodeQR(t, qr); got != ex.payload {
				t.Errorf("%s: QR code in the PDF decodes to\n%q\nwant\n%q", name, got, ex.payload)
			}
			text := pdfText(t, filepath.Join(dir, name+".pdf"))
			want := headings[lang]
			if ex.bill.UnstructuredMessage == "" && ex.bill.BillInformation == "" && len(want) > 4 {
				want = append(append([]string(nil), want[:4]...), want[5:]...) // no additional information
			}
			for _, h := range want {
				if ex.bill.Debtor == nil && (h == "Payable by" || h == "Zahlbar durch" || h == "Payable par" || h == "Pagabile da") {
					h += " (" // the blank-box variant: "Payable by (name/address)"
				}
				if ex.bill.ReferenceType == NON && (h == "Reference" || h == "Referenz" || h == "Référence" || h == "Riferimento") {
					continue
				}
				if !strings.Contains(text, h) {
					t.Errorf("%s: pdftotext does not show %q:\n%s", name, h, text)
				}
			}
			for _, v := range expectedValues(ex.bill) {
				if !strings.Contains(text, v) {
					t.Errorf("%s: pdftotext does not show %q", name, v)
				}
			}
		})
	}
}

// expectedValues are texts the payment part must print for b.
func expectedValues(b Bill) []string {
	out := []string{FormatIBAN(b.Account), b.Creditor.Name, b.Amount.Currency}
	if b.Amount.Minor != 0 {
		out = append(out, FormatAmount(b.Amount.Minor))
	}
	if b.ReferenceType != NON {
		out = append(out, FormatReference(b.Reference))
	}
	if b.Debtor != nil {
		out = append(out, b.Debtor.Name)
		if b.Debtor.Country != "CH" {
			out = append(out, fmt.Sprintf("%s-%s %s", b.Debtor.Country, b.Debtor.PostalCode, b.Debtor.Town))
		}
	}
	return out
}

// Draw works in a document with any unit, at any height, and twice in one
// document (two slips, two pages) without registering the fonts twice.
func TestDrawInAMillimetreDocument(t *testing.T) {
	t.Parallel()
	dir := testutil.ArtifactDir(t)
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: 210, H: 297}, Unit: gopdf.UnitMM})
	for _, ex := range examples[:2] {
		pdf.AddPage()
		if err := ex.bill.Draw(pdf, 297-SlipHeightMM, "de-CH"); err != nil {
			t.Fatalf("Draw: %v", err)
		}
	}
	out, err := pdf.GetBytesPdfReturnErr()
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(out, []byte("/FontFile2")); n != 2 {
		t.Errorf("document embeds %d font files, want 2", n)
	}
	page := rasterize(t, out, dir, "mm-unit")
	qr := cropMM(page, 150, ReceiptWidthMM, 297-SlipHeightMM+12, 56, 56)
	if got := decodeQR(t, qr); got != examples[0].payload {
		t.Errorf("QR code decodes to %q", got)
	}
	if text := pdfText(t, filepath.Join(dir, "mm-unit.pdf")); !strings.Contains(text, "Zahlteil") || strings.Count(text, "Empfangsschein") != 2 {
		t.Errorf("pdftotext of two German slips:\n%s", text)
	}
}

func TestDrawRefusesAnInvalidBill(t *testing.T) {
	t.Parallel()
	b := validBill()
	b.Reference = "210000000003139471430009018"
	if _, err := b.PDF("en"); err == nil {
		t.Fatal("PDF of a bill with a wrong check digit succeeded")
	}
}
