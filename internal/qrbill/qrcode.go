package qrbill

import (
	"fmt"
	"image"
	"image/color"

	"github.com/boombuler/barcode/qr"
)

// Dimensions of the Swiss QR Code on paper (IG QR-bill, "Swiss QR Code" →
// "Measurements" and "Swiss cross"), in millimetres.
const (
	QRCodeSizeMM     = 46.0 // the code, without its quiet zone
	SwissCrossSizeMM = 7.0  // the Swiss cross in the middle, white border included
	// MaxQRVersion is the largest QR code version the guidelines allow:
	// version 25 at level M holds the 997 characters of a full payload.
	MaxQRVersion = 25
)

// QRCode is the module matrix of a Swiss QR Code: error correction level M,
// byte mode UTF-8 (IG QR-bill, "Swiss QR Code"), without quiet zone and
// without the Swiss cross, which is drawn over its centre.
type QRCode struct {
	size int
	dark []bool
}

// QRCode encodes the bill's payload (see Payload) at error correction level M.
func (b Bill) QRCode() (QRCode, error) {
	payload, err := b.Payload()
	if err != nil {
		return QRCode{}, err
	}
	return EncodeQR(payload)
}

// EncodeQR encodes a Swiss QR Code text at error correction level M in byte
// mode (the UTF-8 bytes, without ECI header, as the guidelines' readers
// expect for coding type 1). It fails above version 25.
func EncodeQR(payload string) (QRCode, error) {
	code, err := qr.Encode(payload, qr.M, qr.Unicode)
	if err != nil {
		return QRCode{}, fmt.Errorf("qrbill: encoding the Swiss QR Code: %w", err)
	}
	size := code.Bounds().Dx()
	if version := (size - 17) / 4; version > MaxQRVersion {
		return QRCode{}, fmt.Errorf("qrbill: the Swiss QR Code needs version %d, at most %d allowed", version, MaxQRVersion)
	}
	q := QRCode{size: size, dark: make([]bool, size*size)}
	for y := range size {
		for x := range size {
			r, _, _, _ := code.At(x, y).RGBA()
			q.dark[y*size+x] = r < 0x8000
		}
	}
	return q, nil
}

// Size returns the number of modules on a side (21 for version 1 … 117 for
// version 25).
func (q QRCode) Size() int { return q.size }

// Version returns the QR code version, 1 to 25.
func (q QRCode) Version() int { return (q.size - 17) / 4 }

// Dark reports whether the module at column x, row y is dark.
func (q QRCode) Dark(x, y int) bool {
	if x < 0 || y < 0 || x >= q.size || y >= q.size {
		return false
	}
	return q.dark[y*q.size+x]
}

// Image renders the code as a grey image, module pixels per module, with a
// quiet zone of quiet modules around it and the Swiss cross in the middle at
// its printed proportion (7 mm on 46 mm). Tests decode it; the PDF draws
// vectors instead (see Bill.Draw).
func (q QRCode) Image(module, quiet int) image.Image {
	side := (q.size + 2*quiet) * module
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	fill := func(x0, y0, x1, y1 float64, c uint8) {
		for y := int(y0 + 0.5); y < int(y1+0.5); y++ {
			for x := int(x0 + 0.5); x < int(x1+0.5); x++ {
				img.SetGray(x, y, color.Gray{Y: c})
			}
		}
	}
	for _, r := range q.rects() {
		fill(float64((quiet+r.x)*module), float64((quiet+r.y)*module),
			float64((quiet+r.x+r.w)*module), float64((quiet+r.y+r.h)*module), 0)
	}
	scale := float64(q.size*module) / QRCodeSizeMM // pixels per millimetre
	origin := float64(quiet * module)
	for _, s := range swissCross() {
		fill(origin+s.x*scale, origin+s.y*scale, origin+(s.x+s.w)*scale, origin+(s.y+s.h)*scale, s.gray)
	}
	return img
}

// moduleRect is a run of dark modules: w modules wide, h rows high.
type moduleRect struct{ x, y, w, h int }

// rects covers the dark modules with few rectangles: horizontal runs,
// merged downwards with identical runs of the following rows. Fewer, larger
// rectangles keep the PDF small and leave no hairline seams between rows.
func (q QRCode) rects() []moduleRect {
	var out []moduleRect
	open := map[[2]int]int{} // run (x, w) → index in out of the rectangle ending on the previous row
	for y := range q.size {
		next := map[[2]int]int{}
		for x := 0; x < q.size; {
			if !q.Dark(x, y) {
				x++
				continue
			}
			start := x
			for x < q.size && q.Dark(x, y) {
				x++
			}
			key := [2]int{start, x - start}
			if i, ok := open[key]; ok {
				out[i].h++
				next[key] = i
			} else {
				out = append(out, moduleRect{x: start, y: y, w: x - start, h: 1})
				next[key] = len(out) - 1
			}
		}
		open = next
	}
	return out
}

// crossPart is a filled square or bar of the Swiss cross, in millimetres
// from the top-left corner of the 46 mm code; gray 0 is black, 255 white.
type crossPart struct {
	x, y, w, h float64
	gray       uint8
}

// swissCross returns the Swiss cross (IG QR-bill, "Swiss cross"): a 7 × 7 mm
// white square centred on the code, a 6 × 6 mm black square in it (a 0.5 mm
// white border that keeps it apart from the modules), and a white cross whose
// bars are 3.89 mm long and 1.17 mm wide, the proportions of the graphic SIX
// publishes (bars 11 and 3.3 units on a 19.8-unit square).
func swissCross() []crossPart {
	const (
		c      = QRCodeSizeMM / 2
		white  = SwissCrossSizeMM
		black  = white - 1.0
		unit   = SwissCrossSizeMM / 19.8
		barLen = 11 * unit
		barW   = 3.3 * unit
	)
	return []crossPart{
		{c - white/2, c - white/2, white, white, 255},
		{c - black/2, c - black/2, black, black, 0},
		{c - barW/2, c - barLen/2, barW, barLen, 255},
		{c - barLen/2, c - barW/2, barLen, barW, 255},
	}
}
