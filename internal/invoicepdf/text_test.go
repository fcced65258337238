package invoicepdf

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/testutil"
)

// oddTexts are descriptions that once broke PDF libraries: accents,
// decomposed accents, emoji and joiners, scripts the font lacks, control
// characters, invalid UTF-8, very long words and paragraphs.
var oddTexts = map[string]string{
	"accents":    "Hébergement Zürich Straße Ærøskøbing Ștefănescu Łódź «Œuvre» — 50 % fin d’année",
	"decomposed": "Cafe\u0301 Zu\u0308rich",
	"emoji":      "Domain 🎉 party.ch 👍🏽 👩‍👩‍👧 ❤️ 🇨🇭",
	"cjk-arabic": "中文域名.中国 مرحبا 한국어 हिन्दी",
	"controls":   "tab\there\x00nul\x1b[31mred\r\nnew line\u2028sep\ufeffbom\u200bzwsp",
	"invalid":    "bad \xff\xfe utf-8 \xc3",
	"long-word":  strings.Repeat("x", 600),
	"long-text":  strings.Repeat("Web hosting with a very long description that goes on and on ", 60),
	"only-space": "   \n\n  ",
	"markup":     "<b>bold</b> & \"quotes\" ' \\ ( ) %PDF-1.4 endstream",
}

// Render never fails on odd text, replaces what the font cannot print
// with "?", keeps what it can, and wraps long text inside the page.
func TestRenderOddTextWrapsAndNeverFails(t *testing.T) {
	t.Parallel()
	dir := testutil.ArtifactDir(t)
	for name, s := range oddTexts {
		doc := testDoc(docOpts{Language: "de", Lines: 3})
		doc.Lines[1].Description = s
		doc.Lines[1].Detail = s
		doc.Buyer.Name = s
		doc.Buyer.Organization = s
		doc.Seller.Name = s
		doc.Notes = []string{s, "end of notes"}
		doc.Lines[2].Description = "after " + name
		out, err := Render(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := writePDF(t, out, dir, name)
		if name == "emoji" || name == "long-text" || name == "accents" {
			rasterize(t, path, 100, dir, name)
		}
		assertInsidePage(t, name, path)
		text := squash(strings.Join(pages(t, path), " "))
		if !strings.Contains(text, "after "+name) || !strings.Contains(text, "end of notes") {
			t.Errorf("%s: text after the odd one is missing:\n%s", name, text)
		}
		switch name {
		case "accents":
			if !strings.Contains(text, oddTexts["accents"]) {
				t.Errorf("accents: %q not printed as given:\n%s", oddTexts["accents"], text)
			}
		case "decomposed":
			if !strings.Contains(text, "Café Zürich") {
				t.Errorf("decomposed accents not composed:\n%s", text)
			}
		case "emoji":
			if !strings.Contains(text, "Domain ? party.ch") {
				t.Errorf("emoji not replaced by ?:\n%s", text)
			}
		}
	}
}

// assertInsidePage fails when a word of the PDF leaves the printable area
// (8 mm from every edge) of its page.
func assertInsidePage(t *testing.T, name, path string) {
	t.Helper()
	const marginPt = 8 / ptMM
	for i, p := range boxes(t, path) {
		for _, w := range p.Words {
			if w.XMin < marginPt || w.YMin < marginPt || w.XMax > p.Width-marginPt || w.YMax > p.Height-marginPt {
				t.Errorf("%s: page %d: %q at (%.0f, %.0f)–(%.0f, %.0f) pt leaves the page", name, i+1, w.Text, w.XMin, w.YMin, w.XMax, w.YMax)
			}
		}
	}
}

// Property: for random texts of every script and length in every field,
// Render succeeds and, for a sample, nothing leaves the page.
func TestRenderRandomTextProperty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(6, 42))
	pool := []rune("aZ09 äöüéèàçßÆøŁ€–—‘’“”•…\t\n\x00\u0301\u200d\ufe0f中한ب😀🇨🇭\U0010ffff\ufffd")
	randText := func() string {
		n := rng.IntN(400)
		if rng.IntN(10) == 0 {
			n = 3000
		}
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = pool[rng.IntN(len(pool))]
		}
		return string(rs)
	}
	dir := t.TempDir()
	for i := range 40 {
		doc := testDoc(docOpts{Kind: allKinds[i%3], Language: allLangs[i%5], Lines: 1 + rng.IntN(12), Paid: i%4 == 0})
		for j := range doc.Lines {
			doc.Lines[j].Description, doc.Lines[j].Detail = randText(), randText()
		}
		doc.Buyer.Name, doc.Buyer.Street, doc.Buyer.Town = randText(), randText(), randText()
		doc.Seller.Name, doc.CustomerReference = randText(), randText()
		doc.Notes = []string{randText()}
		if doc.Paid != nil {
			doc.Paid.Method = randText()
		}
		out, err := Render(doc)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if i%8 == 0 {
			assertInsidePage(t, fmt.Sprint("case ", i), writePDF(t, out, dir, fmt.Sprint(i)))
		}
	}
}

// FuzzRender checks that no description, buyer name or note makes Render
// fail.
func FuzzRender(f *testing.F) {
	for _, s := range oddTexts {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, desc, name string) {
		doc := testDoc(docOpts{Language: "fr"})
		doc.Lines[0].Description, doc.Buyer.Name, doc.Notes = desc, name, []string{desc}
		if _, err := Render(doc); err != nil {
			t.Fatal(err)
		}
	})
}
