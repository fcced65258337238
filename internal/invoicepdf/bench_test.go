package invoicepdf

import "testing"

// BenchmarkRender measures a two-line invoice, a pro-forma with its QR-bill
// and a 60-line invoice.
func BenchmarkRender(b *testing.B) {
	cases := map[string]Document{
		"invoice-2-lines":  testDoc(docOpts{Language: "de", Paid: true}),
		"proforma-qrbill":  testDoc(docOpts{Kind: KindProforma, Language: "fr", QRBill: true}),
		"invoice-60-lines": testDoc(docOpts{Language: "en", Lines: 60}),
	}
	for name, doc := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Render(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
