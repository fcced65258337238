package billing_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/alpage/alpage/internal/billing"
)

func TestBIL2_LineVATRoundsHalfUp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		net  int64
		rate int
		want int64
	}{{1500, 810, 122}, {900, 810, 73}, {1000, 810, 81}, {6173, 810, 500}, {6172, 810, 500}, {6167, 810, 500}, {6166, 810, 499},
		{0, 810, 0}, {100, 0, 0}, {-1500, 810, -122}} {
		if got := billing.LineVAT(tc.net, tc.rate); got != tc.want {
			t.Errorf("LineVAT(%d, %d) = %d, want %d", tc.net, tc.rate, got, tc.want)
		}
	}
}

func TestBIL2_VATPropertiesAddUp(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		rate := rapid.SampledFrom([]int{0, 250, 260, 370, 380, 770, 810, 1900, 2000}).Draw(t, "rate")
		nets := rapid.SliceOfN(rapid.Int64Range(0, 100_000_00), 1, 20).Draw(t, "nets")
		var net, vat int64
		for _, n := range nets {
			v := billing.LineVAT(n, rate)
			// Half-up: |v - n*rate/10000| <= 0.5 minor unit.
			if d := 2*v*10000 - 2*n*int64(rate); d > 10000 || d < -10000 {
				t.Fatalf("LineVAT(%d, %d) = %d is not the rounded VAT", n, rate, v)
			}
			net += n
			vat += v
		}
		tot := billing.Totals{Net: net, VAT: vat, Total: net + vat}
		if tot.Net+tot.VAT != tot.Total {
			t.Fatalf("net %d + VAT %d != total %d", tot.Net, tot.VAT, tot.Total)
		}
		// A VAT-included total splits back into parts that add up.
		total := rapid.Int64Range(0, 100_000_00).Draw(t, "total")
		n, v := billing.VATIncluded(total, rate)
		if n+v != total || v < 0 || n < 0 {
			t.Fatalf("VATIncluded(%d, %d) = %d + %d", total, rate, n, v)
		}
	})
}

func TestBIL4_PrepaidSplitAlwaysSumsToTheTotal(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		due := rapid.Int64Range(0, 1_000_000_00).Draw(t, "due")
		prepaid := rapid.Int64Range(-100, 2_000_000_00).Draw(t, "prepaid")
		p, rest := billing.SplitPayment(due, prepaid)
		if p+rest != due || p < 0 || rest < 0 || p > max(prepaid, 0) {
			t.Fatalf("SplitPayment(%d, %d) = %d + %d", due, prepaid, p, rest)
		}
	})
}
