package invoicepdf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/testutil"
)

var (
	allKinds = []Kind{KindInvoice, KindProforma, KindCreditNote}
	allLangs = []string{"fr", "en", "de", "it", "es"}
)

// Every kind renders in every language with its title, number, buyer,
// VAT line and total in that language's words and number format; each
// page is kept as a PNG to look at.
func TestBIL6_EveryKindInEveryLanguage(t *testing.T) {
	t.Parallel()
	dir := testutil.ArtifactDir(t)
	for _, kind := range allKinds {
		for _, lg := range allLangs {
			for _, cur := range []string{"CHF", "EUR"} {
				name := fmt.Sprintf("%s-%s-%s", kind, lg, cur)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					doc := testDoc(docOpts{Kind: kind, Language: lg, Currency: cur, Prepaid: 500})
					out, err := Render(doc)
					if err != nil {
						t.Fatalf("Render: %v", err)
					}
					if !bytes.HasPrefix(out, []byte("%PDF-")) {
						t.Fatal("not a PDF")
					}
					path := writePDF(t, out, dir, name)
					if cur == "CHF" {
						rasterize(t, path, 100, dir, name)
					}
					ps := pages(t, path)
					if len(ps) != 1 {
						t.Fatalf("%d pages, want 1", len(ps))
					}
					text := squash(ps[0])
					l := allLabels[lg]
					st := styleFor(cur, lg)
					vatLine := fmt.Sprintf(l.vatOn, formatRate(810, st), formatAmount(doc.Net, st))
					want := []string{
						l.title[kind], doc.Number, doc.Buyer.Organization, doc.Buyer.Name, "Bahnhofstrasse 7", "8001 Zürich",
						vatLine, formatAmount(doc.VATSummary[0].VAT, st),
						l.total, cur + " " + formatAmount(doc.Total, st),
						FormatDate(doc.IssueDate, lg), fmt.Sprintf(l.page, 1, 1),
						doc.Seller.Name, doc.Seller.VATNumber, doc.Buyer.VATNumber,
						"Web hosting Business", formatAmount(chf(1234_50), st),
					}
					switch kind {
					case KindInvoice:
						want = append(want, l.prepaidUsed, l.amountDue, FormatDate(doc.DueDate, lg))
					case KindProforma:
						want = append(want, l.proformaNote, "21 00000 00003 13947 14300 09017")
					case KindCreditNote:
						want = append(want, fmt.Sprintf(l.creditNote, "2026-0042"), l.prepaidCredited)
					}
					for _, w := range want {
						if !strings.Contains(text, squash(plain(w))) {
							t.Errorf("the PDF text lacks %q:\n%s", w, ps[0])
						}
					}
				})
			}
		}
	}
}

// The payment terms count the days from issue to due date; an invoice
// paid in full shows how, a stamp and nothing to pay.
func TestBIL6_TermsAndPayment(t *testing.T) {
	t.Parallel()
	dir := testutil.ArtifactDir(t)
	cases := map[string]struct {
		doc  Document
		want []string
		not  []string
	}{
		"due-de": {testDoc(docOpts{Language: "de"}),
			[]string{"Zahlbar innert 30 Tagen, bis 22.12.2026."}, []string{"BEZAHLT", "Zu bezahlen"}},
		"paid-en": {testDoc(docOpts{Language: "en", Paid: true, Prepaid: 10_00}),
			[]string{"PAID", "Paid from prepaid account −10.00", "Paid on 22 Nov 2026 by Visa •••• 4242 −1'373.14", "Amount due CHF 0.00"},
			[]string{"Payable within"}},
		"scor-it": func() (c struct {
			doc       Document
			want, not []string
		}) {
			d := testDoc(docOpts{Language: "it"})
			d.Reference = "RF18539007547034"
			c.doc = d
			c.want = []string{"sull'IBAN CH58 0079 1123 0008 8901 2 (Helvetia Hosting SA) indicando il riferimento RF18 5390 0754 7034."}
			return c
		}(),
	}
	for name, c := range cases {
		out, err := Render(c.doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		path := writePDF(t, out, dir, name)
		rasterize(t, path, 100, dir, name)
		text := squash(strings.Join(pages(t, path), " "))
		for _, w := range c.want {
			if !strings.Contains(text, squash(plain(w))) {
				t.Errorf("%s: the PDF text lacks %q:\n%s", name, w, text)
			}
		}
		for _, w := range c.not {
			if strings.Contains(text, w) {
				t.Errorf("%s: the PDF text has %q:\n%s", name, w, text)
			}
		}
	}
}

// A 60-line invoice runs over several pages; each following page repeats
// the seller, the document and the table header, every page is numbered
// "Page n/m", and the totals close the last page.
func TestBIL6_LongInvoiceRepeatsHeaderOnEveryPage(t *testing.T) {
	t.Parallel()
	dir := testutil.ArtifactDir(t)
	doc := testDoc(docOpts{Language: "en", Lines: 60})
	out, err := Render(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, out, dir, "invoice-60-lines")
	rasterize(t, path, 100, dir, "invoice-60-lines")
	ps := pages(t, path)
	if len(ps) < 2 {
		t.Fatalf("60 lines fit on %d page", len(ps))
	}
	seen := map[string]int{}
	for i, p := range ps {
		text := squash(p)
		if want := fmt.Sprintf("Page %d/%d", i+1, len(ps)); !strings.Contains(text, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		if !strings.Contains(text, "Pos. Description Qty Unit price VAT Amount CHF") {
			t.Errorf("page %d has no table header:\n%s", i+1, p)
		}
		if i > 0 && !strings.HasPrefix(text, "Helvetia Hosting SA Invoice 2026-0042") {
			t.Errorf("page %d does not start with the seller and the document:\n%s", i+1, p)
		}
		for n := 1; n <= 60; n++ {
			if strings.Contains(text, fmt.Sprintf("Domain example-%d.ch ", n)) || (n == 1 && strings.Contains(text, "Web hosting Business")) {
				seen[fmt.Sprint(n)]++
			}
		}
	}
	for n := 1; n <= 60; n++ {
		if seen[fmt.Sprint(n)] != 1 {
			t.Errorf("line %d printed %d times", n, seen[fmt.Sprint(n)])
		}
	}
	last := squash(ps[len(ps)-1])
	if !strings.Contains(last, "Total incl. VAT CHF 4'204.84") || !strings.Contains(last, "VAT 8.1 % on 3'889.50 315.34") {
		t.Errorf("the last page lacks the totals:\n%s", last)
	}
}

// Render refuses a document it cannot title or number, and a pro-forma
// whose QR-bill is invalid.
func TestRenderRefusesIncompleteDocuments(t *testing.T) {
	t.Parallel()
	noKind := testDoc(docOpts{})
	noKind.Kind = "receipt"
	noNumber := testDoc(docOpts{})
	noNumber.Number = ""
	noDate := testDoc(docOpts{})
	noDate.IssueDate = noDate.DueDate
	noDate.IssueDate.Year = 0
	noDate.IssueDate.Month = 0
	noDate.IssueDate.Day = 0
	badBill := testDoc(docOpts{Kind: KindProforma, QRBill: true})
	badBill.QRBill.Account = "CH00 0000"
	for name, doc := range map[string]Document{"kind": noKind, "number": noNumber, "date": noDate, "qrbill": badBill} {
		if _, err := Render(doc); err == nil {
			t.Errorf("%s: Render accepted the document", name)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	eur := func(m int64) money.Amount { return money.Amount{Minor: m, Currency: "EUR"} }
	cases := []struct {
		a    money.Amount
		lang string
		want string
	}{
		{chf(123450), "de", "1'234.50"},
		{chf(123450), "fr", "1'234.50"},
		{chf(123450), "en", "1'234.50"},
		{chf(123456789), "it", "1'234'567.89"},
		{chf(5), "es", "0.05"},
		{chf(-123450), "de", "−1'234.50"},
		{chf(99999), "fr", "999.99"},
		{eur(123450), "en", "1,234.50"},
		{eur(123450), "de", "1.234,50"},
		{eur(123450), "es", "1.234,50"},
		{eur(123450), "it", "1.234,50"},
		{eur(123450), "fr", "1\u202f234,50"},
		{eur(100000000), "fr-CH", "1\u202f000\u202f000,00"},
		{eur(123450), "xx", "1,234.50"},
	}
	for _, c := range cases {
		if got := FormatAmount(c.a, c.lang); got != c.want {
			t.Errorf("FormatAmount(%v %s, %s) = %q, want %q", c.a.Minor, c.a.Currency, c.lang, got, c.want)
		}
	}
}

func TestFormatRateAndDate(t *testing.T) {
	t.Parallel()
	swiss, french := styleFor("CHF", "fr"), styleFor("EUR", "fr")
	rates := []struct {
		rate int
		st   numberStyle
		want string
	}{{810, swiss, "8.1\u00a0%"}, {770, swiss, "7.7\u00a0%"}, {250, swiss, "2.5\u00a0%"}, {0, swiss, "0\u00a0%"},
		{2000, french, "20\u00a0%"}, {1925, french, "19,25\u00a0%"}, {550, french, "5,5\u00a0%"}}
	for _, c := range rates {
		if got := formatRate(c.rate, c.st); got != c.want {
			t.Errorf("formatRate(%d) = %q, want %q", c.rate, got, c.want)
		}
	}
	d := testDoc(docOpts{}).IssueDate
	dates := map[string]string{"fr": "22.11.2026", "de": "22.11.2026", "it": "22.11.2026", "es": "22/11/2026", "en": "22 Nov 2026", "de-CH": "22.11.2026", "": "22 Nov 2026"}
	for lg, want := range dates {
		if got := FormatDate(d, lg); got != want {
			t.Errorf("FormatDate(%s) = %q, want %q", lg, got, want)
		}
	}
}

func ExampleFormatAmount() {
	fmt.Println(FormatAmount(money.Amount{Minor: 123450, Currency: "CHF"}, "de"))
	fmt.Println(FormatAmount(money.Amount{Minor: 123450, Currency: "EUR"}, "de"))
	fmt.Println(FormatAmount(money.Amount{Minor: 123450, Currency: "EUR"}, "en"))
	// Output:
	// 1'234.50
	// 1.234,50
	// 1,234.50
}
