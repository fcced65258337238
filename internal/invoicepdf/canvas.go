package invoicepdf

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/signintech/gopdf"
	"golang.org/x/text/unicode/norm"

	"github.com/alpage/alpage/internal/pdf/fonts"
)

// Page geometry in millimetres (the document's unit).
const (
	pageW       = 210.0
	pageH       = 297.0
	left        = 20.0  // left margin
	right       = 195.0 // right edge of the text
	ptMM        = 25.4 / 72
	lineFactor  = 1.3 // line height / font size
	baselineFac = 0.95
)

// Colours.
type rgb struct{ r, g, b uint8 }

var (
	black = rgb{0, 0, 0}
	grey  = rgb{90, 90, 90}
	rule  = rgb{190, 190, 190}
	green = rgb{0, 122, 61}
)

// style is a font and colour to write with.
type style struct {
	size  float64 // points
	bold  bool
	color rgb
}

// lineHeight is the height of one line of s in millimetres.
func (s style) lineHeight() float64 { return s.size * lineFactor * ptMM }

// canvas wraps a gopdf document in millimetres: text placed by the top of
// its line box, measured and wrapped, with every string made printable.
type canvas struct {
	pdf    *gopdf.GoPdf
	glyphs map[rune]bool // whether both faces have a glyph for the rune
}

func newCanvas() (*canvas, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}, Unit: gopdf.UnitMM})
	if err := fonts.Register(pdf); err != nil {
		return nil, fmt.Errorf("invoicepdf: %w", err)
	}
	return &canvas{pdf: pdf, glyphs: map[rune]bool{}}, nil
}

func (c *canvas) use(st style) error {
	s := ""
	if st.bold {
		s = "B"
	}
	if err := c.pdf.SetFont(fonts.Family, s, st.size); err != nil {
		return fmt.Errorf("setting the font: %w", err)
	}
	c.pdf.SetTextColor(st.color.r, st.color.g, st.color.b)
	return nil
}

// clean makes s printable with the embedded fonts: NFC; control
// characters (but line feeds) become spaces; format characters, variation
// selectors and emoji modifiers are dropped; a rune without a glyph
// becomes "?".
func (c *canvas) clean(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\r':
		case unicode.IsControl(r):
			b.WriteRune(' ')
		case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r),
			r >= 0x1F3FB && r <= 0x1F3FF: // emoji skin tones
		case r == unicode.ReplacementChar || !c.hasGlyph(r):
			b.WriteRune('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (c *canvas) hasGlyph(r rune) bool {
	if r == ' ' {
		return true
	}
	ok, seen := c.glyphs[r]
	if seen {
		return ok
	}
	ok = true
	for _, bold := range []bool{false, true} {
		if c.use(style{size: 10, bold: bold}) != nil {
			ok = false
			break
		}
		if has, err := c.pdf.IsCurrFontContainGlyph(r); err != nil || !has {
			ok = false
			break
		}
	}
	c.glyphs[r] = ok
	return ok
}

// width is the width of s (already clean) in millimetres.
func (c *canvas) width(st style, s string) (float64, error) {
	if err := c.use(st); err != nil {
		return 0, err
	}
	w, err := c.pdf.MeasureTextWidth(s)
	if err != nil {
		return 0, fmt.Errorf("measuring %q: %w", s, err)
	}
	return w, nil
}

// text writes s (already clean, one line) with its line box's top-left
// corner at (x, y).
func (c *canvas) text(st style, x, y float64, s string) error {
	if s == "" {
		return nil
	}
	if err := c.use(st); err != nil {
		return err
	}
	c.pdf.SetXY(x, y+st.size*baselineFac*ptMM)
	if err := c.pdf.Text(s); err != nil {
		return fmt.Errorf("writing %q: %w", s, err)
	}
	return nil
}

// textRight writes s ending at x.
func (c *canvas) textRight(st style, x, y float64, s string) error {
	w, err := c.width(st, s)
	if err != nil {
		return err
	}
	return c.text(st, x-w, y, s)
}

// wrap cleans s and breaks it into lines no wider than width: at line
// feeds, at spaces where it can, inside a word longer than a line where it
// must. An empty s is no line.
func (c *canvas) wrap(st style, s string, width float64) ([]string, error) {
	var lines []string
	for _, para := range strings.Split(c.clean(s), "\n") {
		ls, err := c.wrapLine(st, para, width)
		if err != nil {
			return nil, err
		}
		lines = append(lines, ls...)
	}
	return lines, nil
}

// wrapMax wraps like wrap but keeps at most maxLines lines, the last one
// ending in "…" when text was cut.
func (c *canvas) wrapMax(st style, s string, width float64, maxLines int) ([]string, error) {
	lines, err := c.wrap(st, s, width)
	if err != nil || len(lines) <= maxLines {
		return lines, err
	}
	lines = lines[:maxLines]
	last := []rune(lines[maxLines-1])
	for len(last) > 0 {
		w, err := c.width(st, string(last)+"…")
		if err != nil {
			return nil, err
		}
		if w <= width {
			break
		}
		last = last[:len(last)-1]
	}
	lines[maxLines-1] = string(last) + "…"
	return lines, nil
}

func (c *canvas) wrapLine(st style, s string, width float64) ([]string, error) {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		w, err := c.width(st, try)
		if err != nil {
			return nil, err
		}
		if w <= width {
			cur = try
			continue
		}
		if cur != "" {
			lines = append(lines, cur)
			cur = ""
		}
		if w, err = c.width(st, word); err != nil {
			return nil, err
		}
		if w <= width {
			cur = word
			continue
		}
		for _, r := range word { // a word wider than the line
			w, err := c.width(st, cur+string(r))
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

// hline draws a horizontal rule.
func (c *canvas) hline(x1, x2, y, widthPt float64, col rgb) {
	c.pdf.SetLineType("")
	c.pdf.SetLineWidth(widthPt * ptMM)
	c.pdf.SetStrokeColor(col.r, col.g, col.b)
	c.pdf.Line(x1, y, x2, y)
}
