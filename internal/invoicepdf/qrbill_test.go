package invoicepdf

import (
	"fmt"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/alpage/alpage/internal/qrbill"
	"github.com/alpage/alpage/internal/testutil"
)

// qrDPI renders pages for decoding: the 46 mm code then has about four
// pixels per module.
const qrDPI = 200

// decodeQR reads the Swiss QR Code of the payment part at the bottom of
// page n: the 56 mm square section 62 mm from the left, 12 mm below the top
// of the slip, rendered at qrDPI.
func decodeQR(t *testing.T, pdfPath string, n int) string {
	t.Helper()
	img := rasterizeArea(t, pdfPath, qrDPI, n, qrbill.ReceiptWidthMM, pageH-qrbill.SlipHeightMM+12, 56, 56)
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
		t.Fatalf("decoding the QR code of the payment part: %v", err)
	}
	return res.GetText()
}

// A short pro-forma carries its QR-bill at the bottom of its only page; the
// Swiss QR Code printed there decodes back to the bill's payload.
func TestBIL6_ProformaCarriesQRBillOnFirstPage(t *testing.T) {
	t.Parallel()
	dir := testutil.ArtifactDir(t)
	for _, lg := range allLangs {
		doc := testDoc(docOpts{Kind: KindProforma, Language: lg, QRBill: true, Lines: 3})
		doc.Buyer.Name = "Zoë Çelik"
		doc.QRBill.Debtor.Name = "Zoë Çelik"
		out, err := Render(doc)
		if err != nil {
			t.Fatalf("%s: %v", lg, err)
		}
		name := "proforma-" + lg
		path := writePDF(t, out, dir, name)
		rasterize(t, path, 100, dir, name)
		ps := pages(t, path)
		if len(ps) != 1 {
			t.Fatalf("%s: the pro-forma and its payment part take %d pages, want 1", lg, len(ps))
		}
		if want := fmt.Sprintf(allLabels[lg].page, 1, 1); !strings.Contains(ps[0], want) {
			t.Errorf("%s: no %q above the payment part", lg, want)
		}
		part := map[string]string{"fr": "Section paiement", "de": "Zahlteil", "it": "Sezione pagamento", "en": "Payment part", "es": "Payment part"}[lg]
		if !strings.Contains(ps[0], part) {
			t.Errorf("%s: the page has no %q", lg, part)
		}
		// Nothing of the invoice is printed over the payment part.
		for _, w := range boxes(t, path)[0].Words {
			top := (pageH - qrbill.SlipHeightMM) / ptMM
			if w.YMin < top && w.YMax > top {
				t.Errorf("%s: %q crosses the top of the payment part", lg, w.Text)
			}
		}
		want, err := doc.QRBill.Payload()
		if err != nil {
			t.Fatal(err)
		}
		if lg != "fr" && lg != "de" {
			continue // the code does not depend on the language: decode two
		}
		if got := decodeQR(t, path, 1); got != want {
			t.Errorf("%s: the QR code decodes to\n%q\nwant the payload\n%q", lg, got, want)
		}
	}
}

// A pro-forma whose lines leave no room for the 105 mm payment part gets it
// on a separate last page, and says so.
func TestBIL6_LongProformaPutsQRBillOnLastPage(t *testing.T) {
	t.Parallel()
	dir := testutil.ArtifactDir(t)
	for _, n := range []int{6, 30} {
		doc := testDoc(docOpts{Kind: KindProforma, Language: "de", QRBill: true, Lines: n})
		out, err := Render(doc)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("proforma-%d-lines", n)
		path := writePDF(t, out, dir, name)
		rasterize(t, path, 100, dir, name)
		ps := pages(t, path)
		if len(ps) < 2 {
			t.Fatalf("%d lines: %d page, want the payment part on a page of its own", n, len(ps))
		}
		last := ps[len(ps)-1]
		if !strings.Contains(last, "Zahlteil") || strings.Contains(last, "Pos.") {
			t.Errorf("%d lines: the last page is not the payment part alone:\n%s", n, last)
		}
		if !strings.Contains(squash(ps[len(ps)-2]), allLabels["de"].slipFollows) {
			t.Errorf("%d lines: the invoice does not say where the payment slip is", n)
		}
		for i, p := range ps[:len(ps)-1] {
			if strings.Contains(p, "Zahlteil") {
				t.Errorf("%d lines: page %d has a payment part", n, i+1)
			}
		}
		want, err := doc.QRBill.Payload()
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeQR(t, path, len(ps)); got != want {
			t.Errorf("%d lines: the QR code decodes to %q, want %q", n, got, want)
		}
	}
}
