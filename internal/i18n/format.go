package i18n

import (
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // IANA zones work on machines without zoneinfo

	"github.com/alpage/alpage/internal/money"
)

// Separators used by the formats.
const (
	nbsp       = "\u00a0" // no-break space, between an amount and its currency
	narrowNbsp = "\u202f" // narrow no-break space, the French thousands separator
)

// currencyPlacement is where the currency goes around the number.
type currencyPlacement int

const (
	currencyBefore currencyPlacement = iota // "CHF 1’234.50", "€ 1.234,50"
	currencyTight                           // "€1,234.50" (a code still gets a space: "CHF 1,234.50")
	currencyAfter                           // "1 234,50 €"
)

// localeFormat is how one country writes dates, times and amounts (UI-5).
type localeFormat struct {
	date     string // Go layout
	clock    string // Go layout
	group    string // thousands separator
	decimal  string // decimal separator
	minGroup int    // digits before the first group separator appears (ES: 5)
	currency currencyPlacement
}

var (
	swiss   = localeFormat{date: "02.01.2006", clock: "15:04", group: "’", decimal: ".", minGroup: 4, currency: currencyBefore}
	german  = localeFormat{date: "02.01.2006", clock: "15:04", group: ".", decimal: ",", minGroup: 4, currency: currencyAfter}
	austria = localeFormat{date: "02.01.2006", clock: "15:04", group: nbsp, decimal: ",", minGroup: 4, currency: currencyBefore}
	french  = localeFormat{date: "02/01/2006", clock: "15:04", group: narrowNbsp, decimal: ",", minGroup: 4, currency: currencyAfter}
	italian = localeFormat{date: "02/01/2006", clock: "15:04", group: ".", decimal: ",", minGroup: 4, currency: currencyAfter}
	spanish = localeFormat{date: "02/01/2006", clock: "15:04", group: ".", decimal: ",", minGroup: 5, currency: currencyAfter}
	dutch   = localeFormat{date: "02-01-2006", clock: "15:04", group: ".", decimal: ",", minGroup: 4, currency: currencyBefore}
	british = localeFormat{date: "02/01/2006", clock: "15:04", group: ",", decimal: ".", minGroup: 4, currency: currencyTight}
	usa     = localeFormat{date: "01/02/2006", clock: "3:04 PM", group: ",", decimal: ".", minGroup: 4, currency: currencyTight}
)

var countryFormats = map[string]localeFormat{
	"CH": swiss, "LI": swiss,
	"DE": german, "AT": austria,
	"FR": french, "BE": french, "MC": french,
	"LU": {date: "02/01/2006", clock: "15:04", group: ".", decimal: ",", minGroup: 4, currency: currencyAfter},
	"IT": italian, "SM": italian,
	"ES": spanish,
	"NL": dutch,
	"GB": british, "IE": british,
	"US": usa,
}

// languageFormats are used when the country is unknown.
var languageFormats = map[string]localeFormat{
	"fr": french, "de": german, "it": italian, "es": spanish, "en": british,
}

func formatFor(lang, country string) localeFormat {
	if f, ok := countryFormats[strings.ToUpper(country)]; ok {
		return f
	}
	if f, ok := languageFormats[lang]; ok {
		return f
	}
	return swiss
}

var locations sync.Map // IANA name → *time.Location, a cache filled on use

// Location returns the IANA time zone tz, or UTC when tz is empty or unknown.
func Location(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	if l, ok := locations.Load(tz); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return time.UTC
	}
	locations.Store(tz, l)
	return l
}

// FormatDate writes the day of t in time zone tz the way country writes
// dates: "22.11.2026" (CH, DE), "22/11/2026" (FR, GB), "11/22/2026" (US).
func FormatDate(t time.Time, lang, country, tz string) string {
	return t.In(Location(tz)).Format(formatFor(lang, country).date)
}

// FormatDateTime writes t in time zone tz as a date and a time of day:
// "22.11.2026 14:30" (CH), "11/22/2026 2:30 PM" (US).
func FormatDateTime(t time.Time, lang, country, tz string) string {
	f := formatFor(lang, country)
	return t.In(Location(tz)).Format(f.date + " " + f.clock)
}

var symbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£"}

// FormatMoney writes an amount the way country writes money:
// "CHF 1’234.50" (CH), "1 234,50 €" (FR), "1.234,50 €" (DE), "€1,234.50" (GB).
func FormatMoney(a money.Amount, lang, country string) string {
	f := formatFor(lang, country)
	s := a.String() // "-1234.50": minor units, never a float
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	num := groupDigits(whole, f.group, f.minGroup)
	if frac != "" {
		num += f.decimal + frac
	}
	if neg {
		num = "-" + num
	}
	sym, isSymbol := symbols[a.Currency]
	if !isSymbol {
		sym = a.Currency
	}
	switch {
	case f.currency == currencyAfter:
		return num + nbsp + sym
	case f.currency == currencyTight && isSymbol:
		if neg {
			return "-" + sym + num[1:]
		}
		return sym + num
	default:
		return sym + nbsp + num
	}
}

// groupDigits inserts sep every three digits from the right, when whole has
// at least minGroup digits.
func groupDigits(whole, sep string, minGroup int) string {
	if len(whole) < minGroup {
		return whole
	}
	var b strings.Builder
	first := len(whole) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(whole[:first])
	for i := first; i < len(whole); i += 3 {
		b.WriteString(sep)
		b.WriteString(whole[i : i+3])
	}
	return b.String()
}

// FormatInt writes an integer with the thousands separator of country.
func FormatInt(n int64, lang, country string) string {
	f := formatFor(lang, country)
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + groupDigits(s[1:], f.group, f.minGroup)
	}
	return groupDigits(s, f.group, f.minGroup)
}
