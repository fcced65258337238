package invoicepdf

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/alpage/alpage/internal/qrbill"
)

// Positions on the first page, in millimetres.
const (
	sellerTop   = 16.0
	sellerWidth = 90.0
	windowLeft  = 118.0 // address window of a Swiss C5 envelope (window right)
	windowTop   = 45.0
	windowWidth = right - windowLeft
	titleTop    = 76.0 // highest top of the title
)

var (
	wordmark   = style{size: 16, bold: true, color: black}
	sellerText = style{size: 8.5, color: grey}
	senderLine = style{size: 6.5, color: grey}
	address    = style{size: 10, color: black}
	titleStyle = style{size: 18, bold: true, color: black}
	metaLabel  = style{size: 8, color: grey}
	metaValue  = style{size: 9, color: black}
	stampStyle = style{size: 16, bold: true, color: green}
)

// firstPage draws the seller block, the buyer address in the window, the
// title and the references.
func (r *renderer) firstPage() error {
	if err := r.newPage(); err != nil {
		return err
	}
	sellerEnd, err := r.sellerBlock()
	if err != nil {
		return err
	}
	addrEnd, err := r.window()
	if err != nil {
		return err
	}
	r.y = max(titleTop, sellerEnd+6, addrEnd+8)
	if err := r.stamp(); err != nil {
		return err
	}
	title, err := r.c.wrap(titleStyle, r.title(), right-left)
	if err != nil {
		return err
	}
	for _, line := range title {
		if err := r.c.text(titleStyle, left, r.y, line); err != nil {
			return err
		}
		r.y += titleStyle.lineHeight()
	}
	r.y += 1.5
	return r.meta()
}

// sellerBlock draws the wordmark and the seller's address, VAT number and
// contact; it returns the y below it.
func (r *renderer) sellerBlock() (float64, error) {
	s := r.d.Seller
	y := sellerTop
	name, err := r.c.wrapMax(wordmark, s.Name, sellerWidth, 2)
	if err != nil {
		return 0, err
	}
	for _, line := range name {
		if err := r.c.text(wordmark, left, y, line); err != nil {
			return 0, err
		}
		y += wordmark.lineHeight()
	}
	y += 1
	lines := []string{joinNonEmpty(" ", s.Street, s.BuildingNumber), joinNonEmpty(" ", s.PostalCode, s.Town)}
	if s.Country != "" && r.d.Buyer.Country != "" && s.Country != r.d.Buyer.Country {
		lines = append(lines, r.countryName(s.Country))
	}
	lines = append(lines, "\x00", s.VATNumber, s.Email)
	if s.Phone != "" {
		lines = append(lines, r.l.phone+" "+s.Phone)
	}
	lines = append(lines, s.Website)
	return r.block(sellerText, left, y, sellerWidth, 1, lines)
}

// block writes lines (skipping empty ones, "\x00" is a half-line gap), each
// wrapped to at most maxLines, and returns the y below them.
func (r *renderer) block(st style, x, y, width float64, maxLines int, lines []string) (float64, error) {
	for _, l := range lines {
		if l == "\x00" {
			y += st.lineHeight() / 2
			continue
		}
		wrapped, err := r.c.wrapMax(st, l, width, maxLines)
		if err != nil {
			return 0, err
		}
		for _, w := range wrapped {
			if err := r.c.text(st, x, y, w); err != nil {
				return 0, err
			}
			y += st.lineHeight()
		}
	}
	return y, nil
}

// window draws the sender line and the buyer's address where the window of
// the envelope shows them; it returns the y below them.
func (r *renderer) window() (float64, error) {
	s := r.d.Seller
	sender, err := r.fit(senderLine, joinNonEmpty(" · ", s.Name,
		joinNonEmpty(" ", s.Street, s.BuildingNumber), joinNonEmpty(" ", s.PostalCode, s.Town)), windowWidth)
	if err != nil {
		return 0, err
	}
	if err := r.c.text(senderLine, windowLeft, windowTop, sender); err != nil {
		return 0, err
	}
	if w, err := r.c.width(senderLine, sender); err == nil && sender != "" {
		r.c.hline(windowLeft, windowLeft+w, windowTop+senderLine.lineHeight()+0.3, 0.3, grey)
	}
	b := r.d.Buyer
	lines := []string{b.Organization, b.Name, joinNonEmpty(" ", b.Street, b.BuildingNumber), joinNonEmpty(" ", b.PostalCode, b.Town)}
	if b.Country != "" && b.Country != s.Country {
		lines = append(lines, r.countryName(b.Country))
	}
	return r.block(address, windowLeft, windowTop+5, windowWidth, 2, lines)
}

// countryName is the name of an ISO 3166-1 alpha-2 country in the
// document's language, the code itself when unknown.
func (r *renderer) countryName(code string) string {
	reg, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(language.Make(r.lang)).Name(reg); n != "" {
		return n
	}
	return code
}

// meta writes the number, dates and references in a grid of four
// columns, each label above its value; a long value spans several columns.
func (r *renderer) meta() error {
	d := r.d
	items := [][2]string{{r.l.number, d.Number}, {r.l.issueDate, FormatDate(d.IssueDate, r.lang)}}
	if d.Kind != KindCreditNote {
		items = append(items, [2]string{r.l.dueDate, FormatDate(d.DueDate, r.lang)})
	}
	items = append(items,
		[2]string{r.l.creditedInvoice, d.CreditedInvoice},
		[2]string{r.l.customerReference, d.CustomerReference},
		[2]string{r.l.buyerVAT, d.Buyer.VATNumber})
	if d.Reference != "" {
		items = append(items, [2]string{r.l.paymentReference, qrbill.FormatReference(d.Reference)})
	}
	const cols = 4
	colW := (right - left) / cols
	col, rowH := 0, 0.0
	for _, it := range items {
		label, value := r.clean(it[0]), r.clean(it[1])
		if strings.TrimSpace(value) == "" {
			continue
		}
		span := 1
		for ; span < cols; span++ {
			lw, err := r.c.width(metaLabel, label)
			if err != nil {
				return err
			}
			vw, err := r.c.width(metaValue, value)
			if err != nil {
				return err
			}
			if max(lw, vw) <= float64(span)*colW-3 {
				break
			}
		}
		if col+span > cols {
			r.y += rowH + 2
			col, rowH = 0, 0
		}
		x, w := left+float64(col)*colW, float64(span)*colW-3
		h, err := r.block(metaLabel, x, r.y, w, 1, []string{label})
		if err != nil {
			return err
		}
		if h, err = r.block(metaValue, x, h, w, 2, []string{value}); err != nil {
			return err
		}
		rowH = max(rowH, h-r.y)
		col += span
	}
	r.y += rowH + 5
	return nil
}

// stamp draws a tilted "PAID" stamp right of the title on an invoice paid
// in full.
func (r *renderer) stamp() error {
	d := r.d
	if d.Kind != KindInvoice || d.Paid == nil || d.AmountDue.Minor != 0 {
		return nil
	}
	text := r.clean(r.l.paidStamp)
	w, err := r.c.width(stampStyle, text)
	if err != nil {
		return err
	}
	bw, bh := w+8, stampStyle.lineHeight()+3
	x, y := right-bw-4, r.y-2
	pdf := r.c.pdf
	pdf.Rotate(8, x+bw/2, y+bh/2)
	pdf.SetLineType("")
	pdf.SetLineWidth(1.2 * ptMM)
	pdf.SetStrokeColor(green.r, green.g, green.b)
	if err := pdf.Rectangle(x, y, x+bw, y+bh, "D", 1.5, 6); err != nil {
		pdf.RotateReset()
		return err
	}
	err = r.c.text(stampStyle, x+4, y+1.5, text)
	pdf.RotateReset()
	return err
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}
