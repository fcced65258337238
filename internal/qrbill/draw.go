package qrbill

import (
	"fmt"
	"math"
	"strings"

	"github.com/signintech/gopdf"

	"github.com/alpage/alpage/internal/pdf/fonts"
)

// Layout of the payment part and receipt (IG QR-bill, "Layout of the
// payment part" and "Receipt"), in millimetres from the top-left corner of
// the 210 × 105 mm slip.
const (
	SlipWidthMM    = 210.0 // receipt and payment part side by side
	SlipHeightMM   = 105.0
	ReceiptWidthMM = 62.0 // the payment part takes the other 148 mm

	margin = 5.0 // quiet margin inside every section border

	// Receipt sections: title 7 mm, information 56 mm, amount 14 mm,
	// acceptance point 18 mm, each 52 mm wide.
	rcptWidth      = ReceiptWidthMM - 2*margin
	rcptInfoTop    = 12.0
	rcptAmountTop  = 68.0
	rcptAcceptTop  = 82.0
	rcptAmountCol  = 13.0 // "Amount" heading, right of "Currency"
	rcptAmountBoxW = 30.0 // blank amount box, 30 × 10 mm
	rcptAmountBoxH = 10.0
	rcptDebtorBoxW = 52.0 // blank debtor box, 52 × 20 mm
	rcptDebtorBoxH = 20.0

	// Payment part sections: title, Swiss QR Code (46 mm with 5 mm quiet
	// margins), amount (51 × 22 mm) on the left; information (87 × 85 mm) on
	// the right; further information (alternative schemes) along the bottom.
	ppLeft        = ReceiptWidthMM + margin // 67
	ppQRTop       = 17.0
	ppAmountTop   = 68.0
	ppAmountWidth = 51.0
	ppAmountCol   = 15.0 // "Amount" heading, right of "Currency"
	ppAmountBoxW  = 40.0 // blank amount box, 40 × 15 mm
	ppAmountBoxH  = 15.0
	ppInfoLeft    = ppLeft + QRCodeSizeMM + margin // 118
	ppInfoWidth   = SlipWidthMM - margin - ppInfoLeft
	ppInfoBottom  = 90.0
	ppFurtherTop  = 90.0
	ppDebtorBoxW  = 65.0 // blank debtor box, 65 × 25 mm
	ppDebtorBoxH  = 25.0

	// Type (IG QR-bill, "Fonts and font sizes"): titles 11 pt bold; payment
	// part headings 8 pt bold and values 10 pt on an 11 pt line; receipt
	// headings 6 pt bold and values 8 pt on a 9 pt line; further
	// information 7 pt.
	titleSize      = 11.0
	ppHeadingSize  = 8.0
	ppValueSize    = 10.0
	ppLine         = 11.0
	rcptHeadSize   = 6.0
	rcptValueSize  = 8.0
	rcptLine       = 9.0
	furtherSize    = 7.0
	furtherLine    = 8.0
	cornerLineW    = 0.75 // pt, corner marks of the blank boxes
	cornerLen      = 3.0  // mm
	separatorLineW = 0.5  // pt
	ptPerMM        = 72.0 / 25.4
)

// Draw draws the bill's receipt and payment part across the page's full
// width, its top edge at top (in the document's units, whatever unit the
// document was started with). Put top at the page height minus 105 mm to
// print it at the bottom of an A4 page, as the guidelines require for a
// QR-bill. lang is "de", "fr", "it" or "en" (with an optional region,
// "fr-CH"); any other language is printed in English.
//
// Draw validates the bill first; it embeds Liberation Sans (package fonts)
// in the document if needed, and leaves the current font and colours
// changed. The Swiss QR Code is drawn as vector rectangles, not an image.
// Dashed separation lines with scissors mark where to cut (IG QR-bill,
// "Perforation and separation lines").
func (b Bill) Draw(pdf *gopdf.GoPdf, top float64, lang string) error {
	code, err := b.QRCode()
	if err != nil {
		return err
	}
	if err := fonts.Register(pdf); err != nil {
		return fmt.Errorf("qrbill: %w", err)
	}
	d := &drawer{pdf: pdf, top: top, unitsPerMM: pdf.PointsToUnits(ptPerMM), l: labelsFor(lang)}
	pdf.SaveGraphicsState()
	defer pdf.RestoreGraphicsState()
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFillColor(0, 0, 0)
	pdf.SetStrokeColor(0, 0, 0)

	steps := []func() error{
		d.separators,
		func() error { return d.receipt(b) },
		func() error { return d.paymentPart(b, code) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("qrbill: drawing the payment part: %w", err)
		}
	}
	return nil
}

// drawer draws in millimetres relative to the slip's top-left corner.
type drawer struct {
	pdf        *gopdf.GoPdf
	top        float64 // document units
	unitsPerMM float64
	l          labels
}

func (d *drawer) x(mm float64) float64 { return mm * d.unitsPerMM }
func (d *drawer) y(mm float64) float64 { return d.top + mm*d.unitsPerMM }

// text writes s with its line box's top at (x, y) mm: the baseline sits 0.8
// font sizes below.
func (d *drawer) text(x, y, size float64, bold bool, s string) error {
	if err := d.font(size, bold); err != nil {
		return err
	}
	d.pdf.SetXY(d.x(x), d.y(y+0.8*size/ptPerMM))
	return d.pdf.Text(s)
}

func (d *drawer) font(size float64, bold bool) error {
	style := ""
	if bold {
		style = "B"
	}
	return d.pdf.SetFont(fonts.Family, style, size)
}

// width returns the width of s in millimetres at the current font.
func (d *drawer) width(s string) (float64, error) {
	w, err := d.pdf.MeasureTextWidth(s)
	return w / d.unitsPerMM, err
}

func (d *drawer) fillRect(x, y, w, h float64) {
	d.pdf.RectFromUpperLeftWithStyle(d.x(x), d.y(y), d.x(w), d.x(h), "F")
}

func (d *drawer) line(x1, y1, x2, y2 float64) {
	d.pdf.Line(d.x(x1), d.y(y1), d.x(x2), d.y(y2))
}

// wrap breaks s into lines no wider than width mm at the current font: at
// spaces where it can, inside a word longer than a line where it must.
func (d *drawer) wrap(s string, width float64) ([]string, error) {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		w, err := d.width(try)
		if err != nil {
			return nil, err
		}
		if w <= width {
			cur = try
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		cur = ""
		// The word alone: break it by characters if it is too wide.
		for _, r := range word {
			w, err := d.width(cur + string(r))
			if err != nil {
				return nil, err
			}
			if w > width && cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			cur += string(r)
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines, nil
}

// separators draws the dashed cutting lines: above the slip and between
// receipt and payment part, each with a pair of scissors.
func (d *drawer) separators() error {
	d.pdf.SetLineWidth(d.pdf.PointsToUnits(separatorLineW))
	d.pdf.SetCustomLineType([]float64{d.x(1.0), d.x(0.8)}, 0)
	d.line(0, 0, SlipWidthMM, 0)
	d.line(ReceiptWidthMM, 0, ReceiptWidthMM, SlipHeightMM)
	d.pdf.SetLineType("")
	d.scissors(9, 0, 0)                // on the horizontal line, cutting left
	d.scissors(ReceiptWidthMM, 9, -90) // on the vertical line, cutting down
	return nil
}

// scissors draws a 5 mm pair of scissors centred at (cx, cy) mm over a white
// patch that interrupts the line. At angle 0 the blades point left; the
// drawing turns by angle degrees (-90: blades pointing down the page).
func (d *drawer) scissors(cx, cy, angle float64) {
	rad := angle * math.Pi / 180
	cos, sin := math.Cos(rad), math.Sin(rad)
	// Local coordinates: blades towards -x, handles towards +x.
	pt := func(lx, ly float64) gopdf.Point {
		return gopdf.Point{X: d.x(cx + lx*cos - ly*sin), Y: d.y(cy + lx*sin + ly*cos)}
	}
	pw, ph := 6.0, 4.0
	if math.Abs(sin) > 0.5 {
		pw, ph = ph, pw
	}
	d.pdf.SetFillColor(255, 255, 255)
	d.fillRect(cx-pw/2, cy-ph/2, pw, ph)
	d.pdf.SetFillColor(0, 0, 0)
	// Two blades crossing at the pivot (0, 0): each runs from its handle
	// ring, wide, to a sharp tip 2.6 mm to the left on the other side.
	for _, side := range []float64{-1, 1} {
		d.pdf.Polygon([]gopdf.Point{pt(1.0, side*0.8), pt(1.25, side*0.52), pt(-2.6, -side*0.6)}, "F")
	}
	// Two handle rings.
	d.pdf.SetLineWidth(d.pdf.PointsToUnits(0.7))
	for _, side := range []float64{-1, 1} {
		c := pt(1.75, side*0.95)
		r := 0.62 * d.unitsPerMM
		d.pdf.Oval(c.X-r, c.Y-r, c.X+r, c.Y+r)
	}
}

// corners draws the corner marks of a box to fill in by hand (IG QR-bill,
// "Fields for handwritten entries").
func (d *drawer) corners(x, y, w, h float64) {
	d.pdf.SetLineWidth(d.pdf.PointsToUnits(cornerLineW))
	d.pdf.SetLineType("")
	l := cornerLen
	d.line(x, y+l, x, y)
	d.line(x, y, x+l, y)
	d.line(x+w-l, y, x+w, y)
	d.line(x+w, y, x+w, y+l)
	d.line(x+w, y+h-l, x+w, y+h)
	d.line(x+w, y+h, x+w-l, y+h)
	d.line(x+l, y+h, x, y+h)
	d.line(x, y+h, x, y+h-l)
}

// addressLines renders an address as the payment part prints it: name;
// street and building number; postal code and town, preceded by the country
// code ("DE-78462 Konstanz") outside Switzerland and Liechtenstein.
func addressLines(a Address) []string {
	lines := []string{a.Name}
	if street := strings.TrimSpace(a.Street + " " + a.BuildingNumber); street != "" {
		lines = append(lines, street)
	}
	town := a.PostalCode + " " + a.Town
	if a.Country != "CH" && a.Country != "LI" {
		town = a.Country + "-" + town
	}
	return append(lines, town)
}

// block is one heading of an information section with its values, or with a
// blank box to fill in (boxW × boxH mm) when values is nil.
type block struct {
	heading    string
	values     []string
	boxW, boxH float64
}

// infoSection lays blocks out from top down within width and height mm,
// spacing them with a blank line, less when the content would not fit (the
// guidelines fix the section, not the spacing).
func (d *drawer) infoSection(x, top, width, height, headSize, valueSize, linePt float64, blocks []block) error {
	line := linePt / ptPerMM
	type laid struct {
		block
		lines []string
	}
	var all []laid
	content := 0.0
	for _, bl := range blocks {
		l := laid{block: bl}
		if err := d.font(valueSize, false); err != nil {
			return err
		}
		for _, v := range bl.values {
			wrapped, err := d.wrap(v, width)
			if err != nil {
				return err
			}
			l.lines = append(l.lines, wrapped...)
		}
		content += line + float64(len(l.lines))*line
		if bl.values == nil {
			content += bl.boxH
		}
		all = append(all, l)
	}
	// Keep half a line free at the bottom. When the content does not fit
	// with a blank line between blocks, narrow the gaps to a fifth of a
	// line, then shorten a blank box (down to half its height).
	height -= 0.5 * line
	n := float64(len(all) - 1)
	gap := line
	if content+n*gap > height {
		gap = max((height-content)/max(n, 1), 0.2*line)
	}
	if over := content + n*gap - height; over > 0 {
		for i := range all {
			if all[i].values == nil {
				cut := min(over, all[i].boxH/2)
				all[i].boxH -= cut
				over -= cut
			}
		}
	}
	y := top
	for _, l := range all {
		if err := d.text(x, y, headSize, true, l.heading); err != nil {
			return err
		}
		y += line
		for _, s := range l.lines {
			if err := d.text(x, y, valueSize, false, s); err != nil {
				return err
			}
			y += line
		}
		if l.values == nil {
			d.corners(x, y-line*0.25, l.boxW, l.boxH)
			y += l.boxH
		}
		y += gap
	}
	return nil
}

func (b Bill) referenceLines() []string {
	if b.ReferenceType == NON || b.reference() == "" {
		return nil
	}
	return []string{FormatReference(b.reference())}
}

func (d *drawer) receipt(b Bill) error {
	if err := d.text(margin, margin, titleSize, true, d.l.Receipt); err != nil {
		return err
	}
	blocks := []block{{heading: d.l.Account, values: append([]string{FormatIBAN(b.account())}, addressLines(b.Creditor)...)}}
	if ref := b.referenceLines(); ref != nil {
		blocks = append(blocks, block{heading: d.l.Reference, values: ref})
	}
	if b.Debtor != nil {
		blocks = append(blocks, block{heading: d.l.PayableBy, values: addressLines(*b.Debtor)})
	} else {
		blocks = append(blocks, block{heading: d.l.PayableByBlank, boxW: rcptDebtorBoxW, boxH: rcptDebtorBoxH})
	}
	if err := d.infoSection(margin, rcptInfoTop, rcptWidth, rcptAmountTop-rcptInfoTop, rcptHeadSize, rcptValueSize, rcptLine, blocks); err != nil {
		return err
	}

	line := rcptLine / ptPerMM
	if err := d.text(margin, rcptAmountTop, rcptHeadSize, true, d.l.Currency); err != nil {
		return err
	}
	if err := d.text(margin+rcptAmountCol, rcptAmountTop, rcptHeadSize, true, d.l.Amount); err != nil {
		return err
	}
	if err := d.text(margin, rcptAmountTop+line, rcptValueSize, false, b.Amount.Currency); err != nil {
		return err
	}
	if b.Amount.Minor != 0 {
		if err := d.text(margin+rcptAmountCol, rcptAmountTop+line, rcptValueSize, false, FormatAmount(b.Amount.Minor)); err != nil {
			return err
		}
	} else {
		d.corners(ReceiptWidthMM-margin-rcptAmountBoxW, rcptAmountTop+0.7*line, rcptAmountBoxW, rcptAmountBoxH)
	}

	if err := d.font(rcptHeadSize, true); err != nil {
		return err
	}
	w, err := d.width(d.l.AcceptancePoint)
	if err != nil {
		return err
	}
	return d.text(ReceiptWidthMM-margin-w, rcptAcceptTop, rcptHeadSize, true, d.l.AcceptancePoint)
}

func (d *drawer) paymentPart(b Bill, code QRCode) error {
	if err := d.text(ppLeft, margin, titleSize, true, d.l.PaymentPart); err != nil {
		return err
	}
	d.qrCode(code, ppLeft, ppQRTop)

	line := ppLine / ptPerMM
	if err := d.text(ppLeft, ppAmountTop, ppHeadingSize, true, d.l.Currency); err != nil {
		return err
	}
	if err := d.text(ppLeft+ppAmountCol, ppAmountTop, ppHeadingSize, true, d.l.Amount); err != nil {
		return err
	}
	if err := d.text(ppLeft, ppAmountTop+line, ppValueSize, false, b.Amount.Currency); err != nil {
		return err
	}
	if b.Amount.Minor != 0 {
		if err := d.text(ppLeft+ppAmountCol, ppAmountTop+line, ppValueSize, false, FormatAmount(b.Amount.Minor)); err != nil {
			return err
		}
	} else {
		d.corners(ppLeft+ppAmountWidth-ppAmountBoxW, ppAmountTop+line, ppAmountBoxW, ppAmountBoxH)
	}

	blocks := []block{{heading: d.l.Account, values: append([]string{FormatIBAN(b.account())}, addressLines(b.Creditor)...)}}
	if ref := b.referenceLines(); ref != nil {
		blocks = append(blocks, block{heading: d.l.Reference, values: ref})
	}
	var info []string
	for _, s := range []string{b.UnstructuredMessage, b.BillInformation} {
		if strings.TrimSpace(s) != "" {
			info = append(info, s)
		}
	}
	if info != nil {
		blocks = append(blocks, block{heading: d.l.AdditionalInfo, values: info})
	}
	if b.Debtor != nil {
		blocks = append(blocks, block{heading: d.l.PayableBy, values: addressLines(*b.Debtor)})
	} else {
		blocks = append(blocks, block{heading: d.l.PayableByBlank, boxW: ppDebtorBoxW, boxH: ppDebtorBoxH})
	}
	if err := d.infoSection(ppInfoLeft, margin, ppInfoWidth, ppInfoBottom-margin, ppHeadingSize, ppValueSize, ppLine, blocks); err != nil {
		return err
	}
	return d.further(b.AlternativeSchemes)
}

// further prints the alternative schemes in the further information section:
// the scheme's name (up to its first colon) in bold, its parameters in
// regular type, 7 pt, one line each, cut with an ellipsis when too long
// (IG QR-bill, "Further information section").
func (d *drawer) further(schemes []string) error {
	width := SlipWidthMM - margin - ppLeft
	y := ppFurtherTop
	for _, s := range schemes {
		name, rest := "", s
		if i := strings.IndexByte(s, ':'); i >= 0 {
			name, rest = s[:i+1], s[i+1:]
		}
		x := ppLeft
		if name != "" {
			if err := d.text(x, y, furtherSize, true, name); err != nil {
				return err
			}
			w, err := d.width(name)
			if err != nil {
				return err
			}
			x += w
		}
		if err := d.font(furtherSize, false); err != nil {
			return err
		}
		fitted, err := d.fit(rest, width-(x-ppLeft))
		if err != nil {
			return err
		}
		if err := d.text(x, y, furtherSize, false, fitted); err != nil {
			return err
		}
		y += furtherLine / ptPerMM
	}
	return nil
}

// fit shortens s with "…" until it is no wider than width mm.
func (d *drawer) fit(s string, width float64) (string, error) {
	r := []rune(s)
	for n := len(r); n > 0; n-- {
		cand := string(r[:n])
		if n < len(r) {
			cand += "…"
		}
		w, err := d.width(cand)
		if err != nil {
			return "", err
		}
		if w <= width {
			return cand, nil
		}
	}
	return "", nil
}

// qrCode draws the Swiss QR Code, 46 × 46 mm with its top-left corner at
// (x, y) mm, as filled rectangles, and the Swiss cross over its centre.
func (d *drawer) qrCode(code QRCode, x, y float64) {
	module := QRCodeSizeMM / float64(code.Size())
	d.pdf.SetFillColor(0, 0, 0)
	for _, r := range code.rects() {
		d.fillRect(x+float64(r.x)*module, y+float64(r.y)*module, float64(r.w)*module, float64(r.h)*module)
	}
	for _, p := range swissCross() {
		g := p.gray
		d.pdf.SetFillColor(g, g, g)
		d.fillRect(x+p.x, y+p.y, p.w, p.h)
	}
	d.pdf.SetFillColor(0, 0, 0)
}
