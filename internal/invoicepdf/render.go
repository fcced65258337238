package invoicepdf

import (
	"errors"
	"fmt"
	"time"

	"github.com/signintech/gopdf"

	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/qrbill"
)

// Vertical limits in millimetres.
const (
	bodyBottom   = 277.0                       // lowest line of content on a page
	footerTop    = 284.0                       // page footer
	slipTop      = pageH - qrbill.SlipHeightMM // 192: top of the QR-bill payment part
	slipFooter   = slipTop - 5                 // footer of a page holding the payment part
	slipBodyLast = slipFooter - 3              // content must end above it to share the page
	contTop      = 14.0                        // header of the following pages
	contBody     = 26.0                        // content of the following pages starts here
)

// Text styles.
var (
	body   = style{size: 9, color: black}
	small  = style{size: 8, color: grey}
	note   = style{size: 8.5, color: black}
	footer = style{size: 7.5, color: grey}
)

// Render lays doc out as an A4 PDF and returns its bytes. It fails when doc
// has no known Kind, no number or no issue date, or when its QR-bill does not
// validate (a *qrbill.ValidationError in the chain); never because of the
// text it is given (see the package documentation).
func Render(doc Document) ([]byte, error) {
	if err := check(doc); err != nil {
		return nil, err
	}
	c, err := newCanvas()
	if err != nil {
		return nil, err
	}
	r := newRenderer(c, doc)
	c.pdf.SetInfo(gopdf.PdfInfo{
		Title:        r.clean(r.title() + " " + doc.Number),
		Author:       r.clean(doc.Seller.Name),
		Creator:      "alpage",
		CreationDate: time.Date(doc.IssueDate.Year, doc.IssueDate.Month, doc.IssueDate.Day, 12, 0, 0, 0, time.UTC),
	})
	steps := []func() error{r.firstPage, r.table, r.totals, r.terms, r.slip, r.footers}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("invoicepdf: rendering %s %s: %w", doc.Kind, doc.Number, err)
		}
	}
	out, err := c.pdf.GetBytesPdfReturnErr()
	if err != nil {
		return nil, fmt.Errorf("invoicepdf: writing the PDF of %s %s: %w", doc.Kind, doc.Number, err)
	}
	return out, nil
}

func check(doc Document) error {
	switch doc.Kind {
	case KindInvoice, KindProforma, KindCreditNote:
	default:
		return fmt.Errorf("invoicepdf: unknown document kind %q", doc.Kind)
	}
	if doc.Number == "" {
		return errors.New("invoicepdf: the document has no number")
	}
	if doc.IssueDate.IsZero() {
		return fmt.Errorf("invoicepdf: %s %s has no issue date", doc.Kind, doc.Number)
	}
	if doc.QRBill != nil {
		if err := doc.QRBill.Validate(); err != nil {
			return fmt.Errorf("invoicepdf: the QR-bill of %s %s: %w", doc.Kind, doc.Number, err)
		}
	}
	return nil
}

// renderer flows a document down its pages.
type renderer struct {
	c    *canvas
	d    Document
	l    labels
	lang string
	num  numberStyle

	page     int     // current page, from 1
	y        float64 // top of the next thing to draw on it
	fresh    float64 // y where the content of a following page starts
	inTable  bool    // a page break repeats the table header
	slipPage int     // page holding the QR-bill payment part, 0 if none
}

func newRenderer(c *canvas, doc Document) *renderer {
	lg := langOf(doc.Language)
	return &renderer{c: c, d: doc, l: allLabels[lg], lang: lg, num: styleFor(doc.Total.Currency, lg)}
}

func (r *renderer) clean(s string) string { return r.c.clean(s) }

func (r *renderer) title() string { return r.l.title[r.d.Kind] }

func (r *renderer) amount(a money.Amount) string { return formatAmount(a, r.num) }

// newPage starts a page; after the first one it draws the short header and,
// inside the table, the table header again.
func (r *renderer) newPage() error {
	r.c.pdf.AddPage()
	r.page++
	r.y = 20
	r.fresh = -1
	if r.page == 1 {
		return nil
	}
	if err := r.continuationHeader(); err != nil {
		return err
	}
	r.y = contBody
	if r.inTable {
		if err := r.tableHeader(); err != nil {
			return err
		}
	}
	r.fresh = r.y
	return nil
}

// continuationHeader names the seller and the document at the top of the
// following pages.
func (r *renderer) continuationHeader() error {
	name := style{size: 11, bold: true, color: black}
	seller, err := r.fit(name, r.d.Seller.Name, 100)
	if err != nil {
		return err
	}
	if err := r.c.text(name, left, contTop, seller); err != nil {
		return err
	}
	id, err := r.fit(body, r.title()+" "+r.d.Number, 70)
	if err != nil {
		return err
	}
	if err := r.c.textRight(body, right, contTop+0.5, id); err != nil {
		return err
	}
	r.c.hline(left, right, contTop+6, 0.5, rule)
	return nil
}

// room makes sure h millimetres fit below y, starting a page if they do not
// and would on a fresh page.
func (r *renderer) room(h float64) error {
	if r.y+h <= bodyBottom {
		return nil
	}
	if r.y <= r.fresh {
		return nil // nothing on this page yet: a new one would not help
	}
	return r.newPage()
}

// fit cleans s and cuts it to one line of width mm, ending in "…" when
// cut.
func (r *renderer) fit(st style, s string, width float64) (string, error) {
	lines, err := r.c.wrapMax(st, s, width, 1)
	if err != nil || len(lines) == 0 {
		return "", err
	}
	return lines[0], nil
}

// paragraph writes s wrapped to the text width, breaking pages as needed.
func (r *renderer) paragraph(st style, s string, gapBefore float64) error {
	lines, err := r.c.wrap(st, s, right-left)
	if err != nil || len(lines) == 0 {
		return err
	}
	r.y += gapBefore
	for _, line := range lines {
		if err := r.room(st.lineHeight()); err != nil {
			return err
		}
		if err := r.c.text(st, left, r.y, line); err != nil {
			return err
		}
		r.y += st.lineHeight()
	}
	return nil
}

// slip draws the QR-bill payment part: at the bottom of the first page when
// the document ended above it, otherwise on a page of its own.
func (r *renderer) slip() error {
	if r.d.QRBill == nil {
		return nil
	}
	if r.page > 1 || r.y > slipBodyLast {
		if err := r.paragraph(note, r.l.slipFollows, 2); err != nil {
			return err
		}
		r.inTable = false
		if err := r.newPage(); err != nil {
			return err
		}
	}
	r.slipPage = r.page
	if err := r.d.QRBill.Draw(r.c.pdf, slipTop, r.lang); err != nil {
		return fmt.Errorf("drawing the QR-bill: %w", err)
	}
	return nil
}

// footers write "Page n/m" on every page, above the payment part on the
// page holding it.
func (r *renderer) footers() error {
	pages := r.page
	id, err := r.fit(footer, r.d.Seller.Name+" · "+r.title()+" "+r.d.Number, 120)
	if err != nil {
		return err
	}
	for p := 1; p <= pages; p++ {
		if err := r.c.pdf.SetPage(p); err != nil {
			return fmt.Errorf("returning to page %d: %w", p, err)
		}
		y := footerTop
		if p == r.slipPage {
			y = slipFooter
		}
		if err := r.c.text(footer, left, y, id); err != nil {
			return err
		}
		if err := r.c.textRight(footer, right, y, r.clean(fmt.Sprintf(r.l.page, p, pages))); err != nil {
			return err
		}
	}
	return nil
}
