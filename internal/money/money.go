// Package money holds amounts as integer minor units with an ISO 4217
// currency, never floats (DESIGN.md "Money"). Amounts cross the API as
// decimal strings ("12.50").
package money

import (
	"fmt"
	"strconv"
	"strings"
)

// Amount is a count of minor units (centimes, cents) of Currency.
type Amount struct {
	Minor    int64
	Currency string
}

// Supported currencies and their number of decimal places.
var decimals = map[string]int{"CHF": 2, "EUR": 2}

// Supported reports whether alpage handles currency c.
func Supported(c string) bool { _, ok := decimals[c]; return ok }

// String formats the amount as a decimal string without currency: "12.50".
func (a Amount) String() string {
	d := decimals[a.Currency]
	if d == 0 {
		d = 2
	}
	neg := a.Minor < 0
	m := a.Minor
	if neg {
		m = -m
	}
	s := strconv.FormatInt(m, 10)
	for len(s) <= d {
		s = "0" + s
	}
	out := s[:len(s)-d] + "." + s[len(s)-d:]
	if neg {
		out = "-" + out
	}
	return out
}

// Parse reads a decimal string ("12.5", "12.50", "-3") in currency c.
// More decimals than the currency has is an error, never a rounding.
func Parse(s, c string) (Amount, error) {
	d, ok := decimals[c]
	if !ok {
		return Amount{}, fmt.Errorf("unsupported currency %q", c)
	}
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > d || !digits(whole) || (frac != "" && !digits(frac)) || len(whole) > 15 {
		return Amount{}, fmt.Errorf("invalid amount %q", s)
	}
	frac += strings.Repeat("0", d-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return Amount{}, fmt.Errorf("invalid amount %q: %w", s, err)
	}
	if neg {
		n = -n
	}
	return Amount{Minor: n, Currency: c}, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
