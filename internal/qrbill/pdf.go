package qrbill

import (
	"fmt"

	"github.com/signintech/gopdf"
)

// A4 page size in points.
const (
	a4WidthPt  = 210 * ptPerMM
	a4HeightPt = 297 * ptPerMM
)

// PDF renders a one-page A4 document holding only the bill's receipt and
// payment part at the bottom of the page, in lang (see Draw): a standalone
// payment slip, for a pro-forma or for tests.
func (b Bill) PDF(lang string) ([]byte, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: a4WidthPt, H: a4HeightPt}, Unit: gopdf.UnitPT})
	pdf.SetInfo(gopdf.PdfInfo{Title: "QR-bill", Creator: "alpage"})
	pdf.AddPage()
	if err := b.Draw(pdf, a4HeightPt-SlipHeightMM*ptPerMM, lang); err != nil {
		return nil, err
	}
	out, err := pdf.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("qrbill: writing the PDF: %w", err)
	}
	return out, nil
}
