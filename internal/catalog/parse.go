package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/alpage/alpage/internal/money"
)

// languages are the console's; names need "en", the fallback.
var languages = []string{"fr", "en", "de", "it", "es"}

// file is the catalog file as written by the operator.
type file struct {
	Currencies []string `yaml:"currencies"`
	TimeZone   string   `yaml:"time_zone"`
	Seller     Seller   `yaml:"seller"`
	VAT        []struct {
		From string `yaml:"from"`
		Rate string `yaml:"rate"`
	} `yaml:"vat"`
	Types []struct {
		Type               string            `yaml:"type"`
		Name               map[string]string `yaml:"name"`
		BlockAfterDays     *int              `yaml:"block_after_days"`
		TerminateAfterDays *int              `yaml:"terminate_after_days"`
		ConfirmTermination *bool             `yaml:"confirm_termination"`
		Offers             []struct {
			Plan   string                       `yaml:"plan"`
			Name   map[string]string            `yaml:"name"`
			Prices map[string]map[string]string `yaml:"prices"`
		} `yaml:"offers"`
	} `yaml:"types"`
}

// Defaults of a type's life cycle when the file leaves them out (BIL-7,
// PRD-4).
const (
	DefaultBlockAfterDays     = 1
	DefaultTerminateAfterDays = 30
)

var (
	typeName  = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	planName  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	tldName   = regexp.MustCompile(`^(\.[a-z0-9-]{1,63})+$`)
	periodRe  = regexp.MustCompile(`^([1-9][0-9]?)([my])$`)
	rateRe    = regexp.MustCompile(`^[0-9]{1,2}(\.[0-9]{1,2})?$`)
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
)

// problems collects what is wrong in a file, each with its place.
type problems []string

func (p *problems) add(place, format string, args ...any) {
	*p = append(*p, place+": "+fmt.Sprintf(format, args...))
}

// Parse reads a catalog file, YAML or JSON (JSON is YAML), and validates it
// as a whole. A file with problems is ErrInvalid, whose message lists every
// problem with its place ("types[1].offers[0].prices.2y: …").
func Parse(r io.Reader) (Catalog, error) {
	data, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return Catalog{}, fmt.Errorf("catalog: reading the file: %w", err)
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return Catalog{}, ErrInvalid.With("The catalog file is empty.")
		}
		return Catalog{}, ErrInvalid.With("The catalog file cannot be read: " + err.Error())
	}
	var p problems
	c := f.validate(&p)
	if len(p) > 0 {
		return Catalog{}, ErrInvalid.With(fmt.Sprintf("The catalog file has %d error(s):\n- %s",
			len(p), strings.Join(p, "\n- "))).Field("catalog", p...)
	}
	return c, nil
}

func (f file) validate(p *problems) Catalog {
	c := Catalog{TimeZone: f.TimeZone, Seller: f.Seller}
	if len(f.Currencies) == 0 {
		p.add("currencies", "list at least one currency (CHF, EUR)")
	}
	for i, cur := range f.Currencies {
		switch {
		case !money.Supported(cur):
			p.add(fmt.Sprintf("currencies[%d]", i), "%q is not supported: use CHF or EUR", cur)
		case slices.Contains(c.Currencies, cur):
			p.add(fmt.Sprintf("currencies[%d]", i), "%s is listed twice", cur)
		default:
			c.Currencies = append(c.Currencies, cur)
		}
	}
	if c.TimeZone == "" {
		p.add("time_zone", "give the operator's time zone, e.g. Europe/Zurich: due dates are calendar dates there")
	} else if _, err := time.LoadLocation(c.TimeZone); err != nil {
		p.add("time_zone", "%q is not a time zone name (e.g. Europe/Zurich)", c.TimeZone)
	}
	c.Seller = f.Seller.validate(p)
	c.VAT = f.validateVAT(p)
	if len(f.Types) == 0 {
		p.add("types", "list at least one product type")
	}
	for i, ft := range f.Types {
		place := fmt.Sprintf("types[%d]", i)
		t := Type{Type: ft.Type, Names: names(p, place+".name", ft.Name),
			BlockAfterDays: DefaultBlockAfterDays, TerminateAfterDays: DefaultTerminateAfterDays,
			ConfirmTermination: true}
		if !typeName.MatchString(t.Type) {
			p.add(place+".type", "%q must be lower-case letters, digits and _ (e.g. web_hosting)", t.Type)
		}
		if _, dup := c.Type(t.Type); dup {
			p.add(place+".type", "%q is listed twice", t.Type)
		}
		if ft.BlockAfterDays != nil {
			t.BlockAfterDays = *ft.BlockAfterDays
		}
		if ft.TerminateAfterDays != nil {
			t.TerminateAfterDays = *ft.TerminateAfterDays
		}
		if ft.ConfirmTermination != nil {
			t.ConfirmTermination = *ft.ConfirmTermination
		}
		if t.BlockAfterDays < 0 || t.BlockAfterDays > 365 {
			p.add(place+".block_after_days", "must be between 0 and 365")
		}
		if t.TerminateAfterDays <= t.BlockAfterDays || t.TerminateAfterDays > 730 {
			p.add(place+".terminate_after_days", "must be after block_after_days and at most 730")
		}
		if len(ft.Offers) == 0 {
			p.add(place+".offers", "list at least one offer")
		}
		for j, fo := range ft.Offers {
			op := fmt.Sprintf("%s.offers[%d]", place, j)
			o := Offer{Plan: strings.ToLower(fo.Plan), Names: names(p, op+".name", fo.Name)}
			switch {
			case t.Type == "domain" && !tldName.MatchString(o.Plan):
				p.add(op+".plan", "a domain's plan is its ending, e.g. \".ch\"; got %q", fo.Plan)
			case t.Type != "domain" && !planName.MatchString(o.Plan):
				p.add(op+".plan", "give a plan name of lower-case letters, digits, - and _ (e.g. \"pro\"); got %q", fo.Plan)
			}
			for _, other := range t.Offers {
				if other.Plan == o.Plan {
					p.add(op+".plan", "%q is listed twice", o.Plan)
				}
			}
			o.Periods = periods(p, op+".prices", fo.Prices, c.Currencies)
			t.Offers = append(t.Offers, o)
		}
		c.Types = append(c.Types, t)
	}
	return c
}

func (s Seller) validate(p *problems) Seller {
	for _, f := range []struct{ name, value string }{
		{"name", s.Name}, {"street", s.Street}, {"postal_code", s.PostalCode}, {"town", s.Town}, {"country", s.Country},
	} {
		if strings.TrimSpace(f.value) == "" {
			p.add("seller."+f.name, "required: it is printed on every invoice")
		}
	}
	s.Country = strings.ToUpper(s.Country)
	if s.Country != "" && !countryRe.MatchString(s.Country) {
		p.add("seller.country", "give the two-letter country code (CH, LI, DE…)")
	}
	s.IBAN = strings.ToUpper(strings.ReplaceAll(s.IBAN, " ", ""))
	s.QRIBAN = strings.ToUpper(strings.ReplaceAll(s.QRIBAN, " ", ""))
	if s.PaymentTermsDays == 0 {
		s.PaymentTermsDays = 30
	}
	if s.PaymentTermsDays < 0 || s.PaymentTermsDays > 120 {
		p.add("seller.payment_terms_days", "must be between 1 and 120")
	}
	return s
}

func (f file) validateVAT(p *problems) []VATRate {
	if len(f.VAT) == 0 {
		p.add("vat", "list at least one VAT rate with its start date (e.g. {from: 2024-01-01, rate: \"8.1\"})")
	}
	var rates []VATRate
	for i, v := range f.VAT {
		place := fmt.Sprintf("vat[%d]", i)
		if _, err := time.Parse(time.DateOnly, v.From); err != nil {
			p.add(place+".from", "give the date the rate starts, as YYYY-MM-DD; got %q", v.From)
			continue
		}
		if !rateRe.MatchString(v.Rate) {
			p.add(place+".rate", "give the rate in percent with at most 2 decimals, e.g. \"8.1\"; got %q", v.Rate)
			continue
		}
		whole, frac, _ := strings.Cut(v.Rate, ".")
		frac += strings.Repeat("0", 2-len(frac))
		n, _ := strconv.Atoi(whole + frac)
		for _, r := range rates {
			if r.From == v.From {
				p.add(place+".from", "two rates start on %s", v.From)
			}
		}
		rates = append(rates, VATRate{From: v.From, Rate: n})
	}
	sort.Slice(rates, func(i, j int) bool { return rates[i].From > rates[j].From })
	return rates
}

// names checks a name in several languages: English is needed, as the
// fallback of the others.
func names(p *problems, place string, in map[string]string) map[string]string {
	out := map[string]string{}
	for _, lang := range sortedKeys(in) {
		n := in[lang]
		if !slices.Contains(languages, lang) {
			p.add(place+"."+lang, "unknown language: use fr, en, de, it or es")
			continue
		}
		if n = strings.TrimSpace(n); n != "" {
			out[lang] = n
		}
	}
	if out["en"] == "" {
		p.add(place+".en", "give at least the English name")
	}
	return out
}

// ParsePeriod returns the months of a period ("1m" to "12m", "1y" to
// "10y").
func ParsePeriod(s string) (int, bool) {
	m := periodRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] == "y" {
		if n > 10 {
			return 0, false
		}
		return 12 * n, true
	}
	if n > 12 {
		return 0, false
	}
	return n, true
}

func periods(p *problems, place string, in map[string]map[string]string, currencies []string) []Period {
	if len(in) == 0 {
		p.add(place, "give the price of at least one period, e.g. 1y: {CHF: \"15.00\"}")
	}
	byMonths := map[int]string{}
	var out []Period
	for _, name := range sortedKeys(in) {
		prices := in[name]
		pp := place + "." + name
		months, ok := ParsePeriod(name)
		if !ok {
			p.add(pp, "a period is 1m to 12m or 1y to 10y")
			continue
		}
		if other, dup := byMonths[months]; dup {
			p.add(pp, "the same length as %s", other)
			continue
		}
		byMonths[months] = name
		per := Period{Period: name, Months: months, Prices: map[string]money.Amount{}}
		for _, cur := range sortedKeys(prices) {
			s := prices[cur]
			if !slices.Contains(currencies, cur) {
				p.add(pp+"."+cur, "%s is not among the catalog's currencies", cur)
				continue
			}
			a, err := money.Parse(s, cur)
			if err != nil || a.Minor <= 0 {
				p.add(pp+"."+cur, "give a positive price with at most 2 decimals, e.g. \"15.00\"; got %q", s)
				continue
			}
			per.Prices[cur] = a
		}
		for _, cur := range currencies {
			if _, ok := prices[cur]; !ok {
				p.add(pp, "no price in %s: every period needs a price in every currency of the catalog", cur)
			}
		}
		out = append(out, per)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Months < out[j].Months })
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
