package invoicepdf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/money"
)

// narrowNBSP separates thousands in French (U+202F, as the Imprimerie
// nationale and CLDR write them).
const narrowNBSP = "\u202f"

// numberStyle is how numbers are written next to amounts of a currency in
// a language: thousands separator and decimal mark.
type numberStyle struct{ group, decimal string }

// styleFor is the Swiss style for CHF in every language, the language's
// own convention for any other currency (see the package documentation).
func styleFor(currency, lang string) numberStyle {
	if currency == "CHF" {
		return numberStyle{"'", "."}
	}
	switch lang {
	case "de", "it", "es":
		return numberStyle{".", ","}
	case "fr":
		return numberStyle{narrowNBSP, ","}
	}
	return numberStyle{",", "."}
}

// FormatAmount writes a without currency as a document in lang prints it:
// "1'234.50" for CHF, "1.234,50" for EUR in German (package documentation).
// lang is a language tag as Document.Language.
func FormatAmount(a money.Amount, lang string) string {
	return formatAmount(a, styleFor(a.Currency, langOf(lang)))
}

func formatAmount(a money.Amount, st numberStyle) string {
	s := a.String() // "-1234.50"
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	out := group(whole, st.group)
	if frac != "" {
		out += st.decimal + frac
	}
	if neg {
		out = "−" + out // U+2212, as wide as the digits
	}
	return out
}

// group inserts sep between groups of three digits from the right.
func group(digits, sep string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatRate writes a VAT rate in hundredths of a percent: 810 is "8.1 %",
// 2000 is "20 %".
func formatRate(rate int, st numberStyle) string {
	neg := rate < 0
	if neg {
		rate = -rate
	}
	s := strconv.Itoa(rate / 100)
	if f := rate % 100; f != 0 {
		s += st.decimal + strings.TrimRight(fmt.Sprintf("%02d", f), "0")
	}
	if neg {
		s = "−" + s
	}
	return s + "\u00a0%"
}

// formatQuantity writes a quantity with thousands separators.
func formatQuantity(q int, st numberStyle) string {
	if q < 0 {
		return "−" + group(strconv.Itoa(-q), st.group)
	}
	return group(strconv.Itoa(q), st.group)
}

var monthsEN = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// FormatDate writes d as a document in lang prints it: "22.11.2026" in fr,
// de and it, "22/11/2026" in es, "22 Nov 2026" in en; "" for the zero date.
func FormatDate(d calendar.Date, lang string) string {
	if d.IsZero() {
		return ""
	}
	switch langOf(lang) {
	case "es":
		return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year)
	case "en":
		m := "???"
		if d.Month >= 1 && d.Month <= 12 {
			m = monthsEN[d.Month-1]
		}
		return fmt.Sprintf("%d %s %04d", d.Day, m, d.Year)
	}
	return fmt.Sprintf("%02d.%02d.%04d", d.Day, int(d.Month), d.Year)
}
