// Package fonts embeds the typefaces alpage puts in its PDFs (QR-bill payment
// parts, invoices, pro-formas), so the binary needs no font installed on the
// machine that renders them.
//
// The faces are Liberation Sans Regular and Bold 2.1.5, metric-compatible with
// Arial and one of the four typefaces the Swiss QR-bill guidelines allow
// (section "Fonts": Arial, Frutiger, Helvetica, Liberation Sans). They are
// licensed under the SIL Open Font License 1.1; see LICENSE beside them, which
// must ship with any copy of these files. A PDF that embeds them is not
// covered by the OFL.
package fonts

import (
	_ "embed"
	"fmt"

	"github.com/signintech/gopdf"
)

// Family is the font family name under which Register adds the faces to a
// document: use it with gopdf's SetFont(Family, "", size) for regular text and
// SetFont(Family, "B", size) for bold.
const Family = "LiberationSans"

// Regular is the TrueType data of Liberation Sans Regular.
//
//go:embed LiberationSans-Regular.ttf
var Regular []byte

// Bold is the TrueType data of Liberation Sans Bold.
//
//go:embed LiberationSans-Bold.ttf
var Bold []byte

// Register adds Liberation Sans Regular and Bold to pdf under Family, unless
// the document already has them (calling it twice is harmless). Only the
// glyphs a document uses are embedded in it (gopdf subsets the fonts).
func Register(pdf *gopdf.GoPdf) error {
	if pdf.SetFont(Family, "", 10) == nil && pdf.SetFont(Family, "B", 10) == nil {
		return nil
	}
	if err := pdf.AddTTFFontDataWithOption(Family, Regular, gopdf.TtfOption{Style: gopdf.Regular, UseKerning: true}); err != nil {
		return fmt.Errorf("fonts: adding %s regular: %w", Family, err)
	}
	if err := pdf.AddTTFFontDataWithOption(Family, Bold, gopdf.TtfOption{Style: gopdf.Bold, UseKerning: true}); err != nil {
		return fmt.Errorf("fonts: adding %s bold: %w", Family, err)
	}
	return nil
}
