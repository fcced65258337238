package invoicepdf

import "strconv"

// Columns of the lines table: left edge of position and description, right
// edges of the figures, in millimetres.
const (
	colPos     = left
	colDesc    = left + 10
	colQtyR    = 128.0
	colUnitR   = 152.0
	colVATR    = 168.0
	colAmountR = right
	descWidth  = colQtyR - 14 - colDesc // leaves the quantity column 14 mm
	rowPad     = 1.2
	headerPad  = 1.2
)

var (
	headStyle   = style{size: 8, bold: true, color: black}
	detailStyle = style{size: 8, color: grey}
)

// column is a header cell: its text is left-aligned at x, or right-aligned
// at x when right is set, within width.
type column struct {
	x, width float64
	right    bool
	label    string
}

func (r *renderer) columns() []column {
	return []column{
		{colPos, colDesc - colPos - 1, false, r.l.pos},
		{colDesc, descWidth, false, r.l.description},
		{colQtyR, 13, true, r.l.quantity},
		{colUnitR, colUnitR - colQtyR - 2, true, r.l.unit},
		{colVATR, colVATR - colUnitR - 2, true, r.l.vat},
		{colAmountR, colAmountR - colVATR - 2, true, r.l.amount + " " + r.d.Total.Currency},
	}
}

// tableHeader writes the column titles and a rule under them.
func (r *renderer) tableHeader() error {
	h := 0.0
	for _, col := range r.columns() {
		lines, err := r.c.wrap(headStyle, col.label, col.width)
		if err != nil {
			return err
		}
		y := r.y
		for _, line := range lines {
			if col.right {
				err = r.c.textRight(headStyle, col.x, y, line)
			} else {
				err = r.c.text(headStyle, col.x, y, line)
			}
			if err != nil {
				return err
			}
			y += headStyle.lineHeight()
		}
		h = max(h, y-r.y)
	}
	r.y += h + headerPad
	r.c.hline(left, right, r.y, 0.75, black)
	r.y += rowPad
	return nil
}

// rowLine is one printed line of a table row.
type rowLine struct {
	st   style
	text string
}

// table writes the lines; a row that does not fit goes to the next page
// whole, unless it is longer than a page, then it is split between lines.
func (r *renderer) table() error {
	if err := r.room(25); err != nil { // header and a row or two
		return err
	}
	if err := r.tableHeader(); err != nil {
		return err
	}
	r.inTable = true
	defer func() { r.inTable = false }()
	for i, line := range r.d.Lines {
		if err := r.row(i+1, line); err != nil {
			return err
		}
	}
	return nil
}

func (r *renderer) row(pos int, line Line) error {
	desc, err := r.c.wrap(body, line.Description, descWidth)
	if err != nil {
		return err
	}
	detail, err := r.c.wrap(detailStyle, line.Detail, descWidth)
	if err != nil {
		return err
	}
	lines := make([]rowLine, 0, len(desc)+len(detail))
	for _, d := range desc {
		lines = append(lines, rowLine{body, d})
	}
	for _, d := range detail {
		lines = append(lines, rowLine{detailStyle, d})
	}
	if len(lines) == 0 {
		lines = append(lines, rowLine{body, ""})
	}
	h := rowPad
	for _, l := range lines {
		h += l.st.lineHeight()
	}
	if err := r.room(h); err != nil {
		return err
	}
	for i, l := range lines {
		if err := r.room(l.st.lineHeight()); err != nil {
			return err
		}
		if err := r.c.text(l.st, colDesc, r.y, l.text); err != nil {
			return err
		}
		if i == 0 {
			if err := r.figures(pos, line); err != nil {
				return err
			}
		}
		r.y += l.st.lineHeight()
	}
	r.y += rowPad / 2
	r.c.hline(left, right, r.y, 0.25, rule)
	r.y += rowPad
	return nil
}

// figures writes the position, quantity, unit price, rate and net amount
// of a row on its first line.
func (r *renderer) figures(pos int, line Line) error {
	if err := r.c.text(body, colPos, r.y, strconv.Itoa(pos)); err != nil {
		return err
	}
	cells := []struct {
		x float64
		s string
	}{
		{colQtyR, formatQuantity(line.Quantity, r.num)},
		{colUnitR, r.amount(line.Unit)},
		{colVATR, formatRate(line.VATRate, r.num)},
		{colAmountR, r.amount(line.Net)},
	}
	for _, cell := range cells {
		if err := r.c.textRight(body, cell.x, r.y, r.clean(cell.s)); err != nil {
			return err
		}
	}
	return nil
}
