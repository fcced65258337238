package catalog

import (
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/money"
)

// Errors of the catalog.
var (
	// ErrInvalid refuses a catalog file; its message lists every problem.
	ErrInvalid = apperr.Register("catalog_invalid", http.StatusUnprocessableEntity,
		"The catalog file has errors: correct them and import it again.")
	// ErrEmpty answers while the operator has not imported a catalog.
	ErrEmpty = apperr.Register("catalog_empty", http.StatusConflict,
		"The provider has not published its catalog yet: try again later.")
	// ErrOfferUnknown refuses an item the catalog does not sell; its
	// attribute names the field (type, name or plan).
	ErrOfferUnknown = apperr.Register("offer_not_in_catalog", http.StatusUnprocessableEntity,
		"This product is not in the catalog: choose a type and plan from GET /api/1/catalog.")
	// ErrPeriodNotAllowed refuses a billing period the offer does not have;
	// its values list the periods allowed (BIL-3).
	ErrPeriodNotAllowed = apperr.Register("period_not_allowed", http.StatusUnprocessableEntity,
		"This billing period is not offered for this product: choose one of the periods listed.")
	// ErrCurrencyNotSupported refuses a currency the catalog has no prices in.
	ErrCurrencyNotSupported = apperr.Register("currency_not_supported", http.StatusUnprocessableEntity,
		"Prices are not available in this currency: choose one of the currencies listed.")
)

// Catalog is one version of the operator's catalog.
type Catalog struct {
	Currencies []string  `json:"currencies"`
	TimeZone   string    `json:"time_zone"`
	Seller     Seller    `json:"seller"`
	VAT        []VATRate `json:"vat"` // newest first
	Types      []Type    `json:"types"`
}

// Seller is the operator's company as printed on invoices (BIL-6).
type Seller struct {
	Name             string `json:"name" yaml:"name"`
	Street           string `json:"street" yaml:"street"`
	BuildingNumber   string `json:"building_number,omitempty" yaml:"building_number"`
	PostalCode       string `json:"postal_code" yaml:"postal_code"`
	Town             string `json:"town" yaml:"town"`
	Country          string `json:"country" yaml:"country"` // ISO 3166-1 alpha-2
	VATNumber        string `json:"vat_number,omitempty" yaml:"vat_number"`
	IBAN             string `json:"iban,omitempty" yaml:"iban"`       // for bank transfers with an SCOR reference
	QRIBAN           string `json:"qr_iban,omitempty" yaml:"qr_iban"` // for QR-bills with a QRR reference
	Email            string `json:"email,omitempty" yaml:"email"`
	Phone            string `json:"phone,omitempty" yaml:"phone"`
	Website          string `json:"website,omitempty" yaml:"website"`
	PaymentTermsDays int    `json:"payment_terms_days" yaml:"payment_terms_days"`
}

// VATRate is a VAT rate valid from a calendar date until the next one.
type VATRate struct {
	From string `json:"from"` // YYYY-MM-DD
	Rate int    `json:"rate"` // hundredths of a percent: 810 is 8.1 %
}

// Type is a product type of the catalog ("domain", "web_hosting", …).
type Type struct {
	Type               string            `json:"type"`
	Names              map[string]string `json:"names"`
	BlockAfterDays     int               `json:"block_after_days"`
	TerminateAfterDays int               `json:"terminate_after_days"`
	ConfirmTermination bool              `json:"confirm_termination"`
	Offers             []Offer           `json:"offers"`
}

// Offer is what a customer orders: a plan of a type, or a top-level domain.
type Offer struct {
	Plan    string            `json:"plan"`
	Names   map[string]string `json:"names"`
	Periods []Period          `json:"periods"` // shortest first
}

// Period is a billing period of an offer and its net prices.
type Period struct {
	Period string                  `json:"period"` // "1m", "1y", "10y"
	Months int                     `json:"months"`
	Prices map[string]money.Amount `json:"prices"` // by currency
}

// Name is the type's name in lang, in English when that language has none.
func (t Type) Name(lang string) string { return name(t.Names, lang, t.Type) }

// Name is the offer's name in lang, in English when that language has none.
func (o Offer) Name(lang string) string { return name(o.Names, lang, o.Plan) }

func name(names map[string]string, lang, fallback string) string {
	if n := names[lang]; n != "" {
		return n
	}
	if n := names["en"]; n != "" {
		return n
	}
	return fallback
}

// Type returns the catalog's type typ.
func (c Catalog) Type(typ string) (Type, bool) {
	for _, t := range c.Types {
		if t.Type == typ {
			return t, true
		}
	}
	return Type{}, false
}

// Offer finds what an order item of type typ named name buys. A domain's
// offer is its top-level domain, the longest one matching the name
// ("example.co.uk" prefers ".co.uk" to ".uk"); another type takes plan, or
// its only offer when plan is empty. Unknown ones are ErrOfferUnknown with
// the field at fault.
func (c Catalog) Offer(typ, name, plan string) (Type, Offer, error) {
	t, ok := c.Type(typ)
	if !ok {
		return Type{}, Offer{}, ErrOfferUnknown.Field("type", typ)
	}
	if typ == "domain" {
		name = strings.ToLower(strings.TrimSpace(name))
		best := -1
		for i, o := range t.Offers {
			if strings.HasSuffix(name, o.Plan) && len(name) > len(o.Plan) &&
				(best < 0 || len(o.Plan) > len(t.Offers[best].Plan)) {
				best = i
			}
		}
		if best < 0 {
			return Type{}, Offer{}, ErrOfferUnknown.With(
				"This domain ending is not sold here: choose one of the endings of the catalog.").Field("name", name)
		}
		return t, t.Offers[best], nil
	}
	if plan == "" && len(t.Offers) == 1 {
		return t, t.Offers[0], nil
	}
	for _, o := range t.Offers {
		if o.Plan == plan {
			return t, o, nil
		}
	}
	plans := make([]string, len(t.Offers))
	for i, o := range t.Offers {
		plans[i] = o.Plan
	}
	return Type{}, Offer{}, ErrOfferUnknown.With("Choose a plan of this type.").Field("plan", plans...)
}

// Price is the net price of the offer for period in currency;
// ErrPeriodNotAllowed lists the periods allowed, ErrCurrencyNotSupported
// the currencies.
func (o Offer) Price(period, currency string) (Period, money.Amount, error) {
	for _, p := range o.Periods {
		if p.Period != period {
			continue
		}
		a, ok := p.Prices[currency]
		if !ok {
			cs := make([]string, 0, len(p.Prices))
			for c := range p.Prices {
				cs = append(cs, c)
			}
			sort.Strings(cs)
			return Period{}, money.Amount{}, ErrCurrencyNotSupported.Field("currency", cs...)
		}
		return p, a, nil
	}
	return Period{}, money.Amount{}, ErrPeriodNotAllowed.Field("period", o.PeriodNames()...)
}

// PeriodNames lists the offer's periods, shortest first.
func (o Offer) PeriodNames() []string {
	names := make([]string, len(o.Periods))
	for i, p := range o.Periods {
		names[i] = p.Period
	}
	return names
}

// VATRate is the rate valid on date (YYYY-MM-DD), in hundredths of a
// percent; 0 before the first rate.
func (c Catalog) VATRate(date string) int {
	for _, r := range c.VAT { // newest first
		if r.From <= date {
			return r.Rate
		}
	}
	return 0
}

// Clone is a deep copy of c: the copy shares no slice or map with c.
func (c Catalog) Clone() Catalog {
	out := c
	out.Currencies = slices.Clone(c.Currencies)
	out.VAT = slices.Clone(c.VAT)
	out.Types = slices.Clone(c.Types)
	for i := range out.Types {
		t := &out.Types[i]
		t.Names = maps.Clone(t.Names)
		t.Offers = slices.Clone(t.Offers)
		for j := range t.Offers {
			o := &t.Offers[j]
			o.Names = maps.Clone(o.Names)
			o.Periods = slices.Clone(o.Periods)
			for k := range o.Periods {
				o.Periods[k].Prices = maps.Clone(o.Periods[k].Prices)
			}
		}
	}
	return out
}
