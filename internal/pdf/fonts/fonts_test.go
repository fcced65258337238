package fonts

import (
	"bytes"
	"testing"

	"github.com/signintech/gopdf"
)

func TestRegisterEmbedsBothFacesOnce(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{"regular": Regular, "bold": Bold} {
		// A TrueType file starts with the sfnt version 0x00010000.
		if !bytes.HasPrefix(data, []byte{0, 1, 0, 0}) {
			t.Errorf("%s: not TrueType data (%d bytes)", name, len(data))
		}
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	if err := pdf.SetFont(Family, "", 10); err == nil {
		t.Fatal("SetFont succeeded before Register")
	}
	for range 2 {
		if err := Register(pdf); err != nil {
			t.Fatalf("Register: %v", err)
		}
	}
	pdf.AddPage()
	for _, style := range []string{"", "B"} {
		if err := pdf.SetFont(Family, style, 10); err != nil {
			t.Fatalf("SetFont(%q): %v", style, err)
		}
		if err := pdf.Text("Zahlteil Récépissé Ș€"); err != nil {
			t.Fatalf("Text: %v", err)
		}
	}
	out, err := pdf.GetBytesPdfReturnErr()
	if err != nil {
		t.Fatalf("rendering: %v", err)
	}
	if n := bytes.Count(out, []byte("/FontFile2")); n != 2 {
		t.Errorf("PDF embeds %d font files, want 2 (regular and bold, once each)", n)
	}
}
