package invoicepdf

import (
	"encoding/xml"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// requireTool returns the path of a poppler tool. Without it the test is
// skipped on a developer machine and fails in CI (CI=true), where
// poppler-utils must be installed.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI (Debian package poppler-utils): %v", name, err)
		}
		t.Skipf("%s not installed (poppler-utils): %v", name, err)
	}
	return path
}

// writePDF keeps pdf as dir/name.pdf and returns its path.
func writePDF(t testing.TB, pdf []byte, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// pages extracts the text of every page with pdftotext -layout, with
// no-break spaces turned into plain ones.
func pages(t testing.TB, pdfPath string) []string {
	t.Helper()
	out, err := exec.Command(requireTool(t, "pdftotext"), "-layout", "-enc", "UTF-8", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", pdfPath, err)
	}
	ps := strings.Split(plain(string(out)), "\f")
	if n := len(ps); n > 0 && strings.TrimSpace(ps[n-1]) == "" {
		ps = ps[:n-1]
	}
	return ps
}

// plain replaces no-break spaces by spaces, as pdftotext's output and the
// strings compared with it are written.
func plain(s string) string {
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s)
}

// squash collapses runs of spaces, so that a sentence wrapped or spaced by
// the layout compares with its source.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// word is a word of pdftotext -bbox output, in points from the top left.
type word struct {
	XMin float64 `xml:"xMin,attr"`
	YMin float64 `xml:"yMin,attr"`
	XMax float64 `xml:"xMax,attr"`
	YMax float64 `xml:"yMax,attr"`
	Text string  `xml:",chardata"`
}

type bboxPage struct {
	Width  float64 `xml:"width,attr"`
	Height float64 `xml:"height,attr"`
	Words  []word  `xml:"word"`
}

// boxes returns the words of every page with their bounding boxes.
func boxes(t testing.TB, pdfPath string) []bboxPage {
	t.Helper()
	out, err := exec.Command(requireTool(t, "pdftotext"), "-bbox", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox %s: %v", pdfPath, err)
	}
	var doc struct {
		Body struct {
			Doc struct {
				Pages []bboxPage `xml:"page"`
			} `xml:"doc"`
		} `xml:"body"`
	}
	dec := xml.NewDecoder(strings.NewReader(string(out)))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("reading pdftotext -bbox output: %v", err)
	}
	return doc.Body.Doc.Pages
}

// rasterize renders every page of pdfPath at dpi into dir as name-N.png and
// returns the pages decoded.
func rasterize(t testing.TB, pdfPath string, dpi int, dir, name string) []image.Image {
	t.Helper()
	prefix := filepath.Join(dir, name)
	cmd := exec.Command(requireTool(t, "pdftoppm"), "-r", strconv.Itoa(dpi), "-png", pdfPath, prefix)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	files, err := filepath.Glob(prefix + "-*.png")
	if err != nil || len(files) == 0 {
		t.Fatalf("pdftoppm wrote no PNG for %s: %v", name, err)
	}
	imgs := make([]image.Image, len(files)) // pdftoppm pads page numbers: sorted order is page order
	for i, f := range files {
		imgs[i] = decodePNG(t, f)
	}
	return imgs
}

func decodePNG(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	return img
}

// rasterizeArea renders the rectangle (x, y, w, h), in millimetres from
// the top-left corner, of page n (from 1) of pdfPath in grey at dpi and
// returns it decoded.
func rasterizeArea(t *testing.T, pdfPath string, dpi, n int, x, y, w, h float64) image.Image {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "area")
	px := func(mm float64) string { return strconv.Itoa(int(mm * float64(dpi) / 25.4)) }
	p := strconv.Itoa(n)
	cmd := exec.Command(requireTool(t, "pdftoppm"), "-r", strconv.Itoa(dpi), "-gray", "-png", "-singlefile",
		"-f", p, "-l", p, "-x", px(x), "-y", px(y), "-W", px(w), "-H", px(h), pdfPath, prefix)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	return decodePNG(t, prefix+".png")
}
