package billing

// VAT is computed per line and rounded half-up to the minor unit; an
// invoice's VAT is the sum of its lines' VAT, so every printed line adds up
// to the printed totals.

// LineVAT is the VAT of a net amount at rate (hundredths of a percent: 810
// is 8.1 %), rounded half-up to the minor unit (half away from zero for a
// negative amount).
func LineVAT(net int64, rate int) int64 {
	if net < 0 {
		return -LineVAT(-net, rate)
	}
	return (net*int64(rate) + 5000) / 10000
}

// Totals are the sums of an invoice's lines in minor units.
type Totals struct {
	Net, VAT, Total int64
}

// sumDrafts adds up the lines: net, VAT (the sum of the lines' VAT) and total.
func sumDrafts(lines []draft) Totals {
	var t Totals
	for _, l := range lines {
		t.Net += l.net()
		t.VAT += l.vat()
	}
	t.Total = t.Net + t.VAT
	return t
}

// SplitPayment splits what is due between the prepaid account (at most
// prepaid, never more than due) and the other method: the parts always sum
// to due.
func SplitPayment(due, prepaid int64) (prepaidPart, rest int64) {
	prepaidPart = min(max(prepaid, 0), max(due, 0))
	return prepaidPart, due - prepaidPart
}

// VATIncluded splits a total that includes VAT at rate into its net and
// VAT parts, the VAT rounded half-up: net + VAT is always total.
func VATIncluded(total int64, rate int) (net, vat int64) {
	if total < 0 {
		n, v := VATIncluded(-total, rate)
		return -n, -v
	}
	vat = (total*int64(rate)*2 + (10000 + int64(rate))) / (2 * (10000 + int64(rate)))
	return total - vat, vat
}
