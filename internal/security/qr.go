package security

import (
	"fmt"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// qrSVG draws content as a QR code in SVG, one unit per module with a quiet
// zone of 4, scaled by the viewer.
func qrSVG(content string) (string, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("security: drawing the QR code: %w", err)
	}
	size := code.Bounds().Dx()
	const quiet = 4
	full := size + 2*quiet
	var path strings.Builder
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="QR code"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		full, full, full, full, path.String()), nil
}
