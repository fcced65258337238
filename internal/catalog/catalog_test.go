package catalog_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

const small = `
currencies: [CHF, EUR]
time_zone: Europe/Zurich
seller: {name: Alpweide Hosting AG, street: Bahnhofstrasse, building_number: "1", postal_code: "8001", town: Zürich, country: ch}
vat:
  - {from: 2018-01-01, rate: "7.7"}
  - {from: 2024-01-01, rate: 8.1}
types:
  - type: domain
    name: {en: Domain name, fr: Nom de domaine}
    offers:
      - plan: .ch
        name: {en: .ch domain}
        prices:
          10y: {CHF: "150.00", EUR: "160"}
          1y: {CHF: 15, EUR: "16.00"}
      - plan: .co.uk
        name: {en: .co.uk domain}
        prices: {1y: {CHF: "20.00", EUR: "21.00"}}
      - plan: .uk
        name: {en: .uk domain}
        prices: {1y: {CHF: "10.00", EUR: "11.00"}}
  - type: web_hosting
    name: {en: Web hosting}
    block_after_days: 3
    terminate_after_days: 60
    confirm_termination: false
    offers:
      - plan: starter
        name: {en: Starter}
        prices: {1m: {CHF: "9.00", EUR: "9.50"}, 1y: {CHF: "96.00", EUR: "100.00"}}
      - plan: pro
        name: {en: Pro}
        prices: {1y: {CHF: "200.00", EUR: "210.00"}}
`

func parse(t *testing.T, s string) catalog.Catalog {
	t.Helper()
	c, err := catalog.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func TestPRD1_ParseReadsPricesPerPeriodAndCurrency(t *testing.T) {
	t.Parallel()
	c := parse(t, small)
	if !slices.Equal(c.Currencies, []string{"CHF", "EUR"}) || c.TimeZone != "Europe/Zurich" {
		t.Fatalf("currencies %v, time zone %q", c.Currencies, c.TimeZone)
	}
	if c.Seller.Country != "CH" || c.Seller.PaymentTermsDays != 30 {
		t.Errorf("seller = %+v, want country CH and 30 days of payment terms by default", c.Seller)
	}
	if want := []catalog.VATRate{{From: "2024-01-01", Rate: 810}, {From: "2018-01-01", Rate: 770}}; !cmp.Equal(c.VAT, want) {
		t.Errorf("VAT = %v, want %v (newest first, hundredths of a percent)", c.VAT, want)
	}
	domain, ch := c.Types[0], c.Types[0].Offers[0]
	if domain.BlockAfterDays != catalog.DefaultBlockAfterDays || domain.TerminateAfterDays != catalog.DefaultTerminateAfterDays || !domain.ConfirmTermination {
		t.Errorf("domain life cycle = %+v, want the defaults", domain)
	}
	if got := ch.PeriodNames(); !slices.Equal(got, []string{"1y", "10y"}) {
		t.Errorf("periods = %v, want shortest first", got)
	}
	if got := ch.Periods[1]; got.Months != 120 || got.Prices["EUR"] != (money.Amount{Minor: 16000, Currency: "EUR"}) {
		t.Errorf("10y = %+v", got)
	}
	hosting := c.Types[1]
	if hosting.BlockAfterDays != 3 || hosting.TerminateAfterDays != 60 || hosting.ConfirmTermination {
		t.Errorf("hosting life cycle = %+v", hosting)
	}
	if hosting.Name("de") != "Web hosting" || domain.Name("fr") != "Nom de domaine" {
		t.Errorf("names: %q, %q (a missing language falls back to English)", hosting.Name("de"), domain.Name("fr"))
	}
}

func TestPRD1_ParseReadsJSON(t *testing.T) {
	t.Parallel()
	c := parse(t, `{"currencies": ["CHF"], "time_zone": "Europe/Zurich",
		"seller": {"name": "A", "street": "B", "postal_code": "1000", "town": "Lausanne", "country": "CH"},
		"vat": [{"from": "2024-01-01", "rate": "8.1"}],
		"types": [{"type": "mail", "name": {"en": "Mail"}, "offers": [{"plan": "basic", "name": {"en": "Basic"},
			"prices": {"1y": {"CHF": "54.00"}}}]}]}`)
	if _, o, err := c.Offer("mail", "team@example.ch", ""); err != nil || o.Plan != "basic" {
		t.Fatalf("Offer = %+v, %v", o, err)
	}
}

func TestPRD1_ParseListsEveryProblemWithItsPlace(t *testing.T) {
	t.Parallel()
	_, err := catalog.Parse(strings.NewReader(`
currencies: [CHF, USD]
time_zone: Mars/Olympus
seller: {name: A}
vat: [{from: 2024-13-01, rate: "8.1"}]
types:
  - type: Web Hosting
    name: {fr: Hébergement}
    terminate_after_days: 1
    offers:
      - plan: pro
        name: {en: Pro}
        prices: {13m: {CHF: "1.00"}, 2y: {CHF: "-5"}, 1y: {CHF: "9.00"}, 12m: {CHF: "9.00"}}
  - type: domain
    name: {en: Domain}
    offers: [{plan: ch, name: {en: ch}, prices: {1y: {CHF: "1.00"}}}]
`))
	e := apperr.As(err)
	if e == nil || e.Code != "catalog_invalid" {
		t.Fatalf("err = %v, want catalog_invalid", err)
	}
	for _, want := range []string{
		`currencies[1]: "USD" is not supported`,
		`time_zone: "Mars/Olympus" is not a time zone`,
		`seller.street: required`,
		`seller.country: required`,
		`vat[0].from:`,
		`types[0].type: "Web Hosting" must be lower-case`,
		`types[0].name.en: give at least the English name`,
		`types[0].terminate_after_days: must be after block_after_days`,
		`types[0].offers[0].prices.13m: a period is 1m to 12m or 1y to 10y`,
		`types[0].offers[0].prices.2y.CHF: give a positive price`,
		`types[0].offers[0].prices.1y: the same length as 12m`,
		`types[1].offers[0].plan: a domain's plan is its ending`,
	} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message lacks %q:\n%s", want, e.Message)
		}
	}
	if e.Attribute != "catalog" || len(e.Values) < 12 {
		t.Errorf("attribute %q with %d values, want every problem listed", e.Attribute, len(e.Values))
	}
}

func TestPRD1_ParseRefusesUnknownFieldsAndEmptyFiles(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"unknown field": strings.Replace(small, "time_zone:", "timezone: x\ntime_zone:", 1),
		"empty":         "",
		"not yaml":      "types: [",
	} {
		if _, err := catalog.Parse(strings.NewReader(in)); !errors.Is(err, catalog.ErrInvalid) {
			t.Errorf("%s: err = %v, want catalog_invalid", name, err)
		}
	}
}

func TestPRD1_EveryPeriodNeedsEveryCurrency(t *testing.T) {
	t.Parallel()
	_, err := catalog.Parse(strings.NewReader(strings.Replace(small, `1y: {CHF: 15, EUR: "16.00"}`, `1y: {CHF: 15}`, 1)))
	if e := apperr.As(err); e == nil || !strings.Contains(e.Message, "types[0].offers[0].prices.1y: no price in EUR") {
		t.Fatalf("err = %v, want the missing EUR price named", err)
	}
}

func TestPRD1_OfferFindsTheDomainEndingAndThePlan(t *testing.T) {
	t.Parallel()
	c := parse(t, small)
	for _, tc := range []struct{ typ, name, plan, want string }{
		{"domain", "example.ch", "", ".ch"},
		{"domain", "EXAMPLE.CH", "", ".ch"},
		{"domain", "shop.example.co.uk", "", ".co.uk"},
		{"domain", "example.uk", "", ".uk"},
		{"web_hosting", "my site", "pro", "pro"},
	} {
		_, o, err := c.Offer(tc.typ, tc.name, tc.plan)
		if err != nil || o.Plan != tc.want {
			t.Errorf("Offer(%s, %s, %s) = %q, %v; want %q", tc.typ, tc.name, tc.plan, o.Plan, err, tc.want)
		}
	}
	for _, tc := range []struct{ typ, name, plan, attribute string }{
		{"boat", "x", "", "type"},
		{"domain", "example.org", "", "name"},
		{"domain", ".ch", "", "name"},
		{"web_hosting", "site", "", "plan"},
		{"web_hosting", "site", "gold", "plan"},
	} {
		_, _, err := c.Offer(tc.typ, tc.name, tc.plan)
		if e := apperr.As(err); e == nil || e.Code != "offer_not_in_catalog" || e.Attribute != tc.attribute {
			t.Errorf("Offer(%s, %s, %s) = %v, want offer_not_in_catalog on %s", tc.typ, tc.name, tc.plan, err, tc.attribute)
		}
	}
}

// BIL-3: the period is chosen among those the offer allows.
func TestBIL3_PriceRefusesPeriodsAndCurrenciesNotOffered(t *testing.T) {
	t.Parallel()
	c := parse(t, small)
	_, ch, _ := c.Offer("domain", "example.ch", "")
	p, a, err := ch.Price("10y", "CHF")
	if err != nil || p.Months != 120 || a != (money.Amount{Minor: 15000, Currency: "CHF"}) {
		t.Fatalf("Price(10y, CHF) = %+v, %+v, %v", p, a, err)
	}
	_, _, err = ch.Price("2y", "CHF")
	if e := apperr.As(err); e == nil || e.Code != "period_not_allowed" || !slices.Equal(e.Values, []string{"1y", "10y"}) {
		t.Errorf("Price(2y) = %v, want period_not_allowed listing 1y, 10y", err)
	}
	_, _, err = ch.Price("1y", "USD")
	if e := apperr.As(err); e == nil || e.Code != "currency_not_supported" || !slices.Equal(e.Values, []string{"CHF", "EUR"}) {
		t.Errorf("Price(USD) = %v, want currency_not_supported listing CHF, EUR", err)
	}
}

func TestPRD1_VATRateIsTheOneValidOnTheDate(t *testing.T) {
	t.Parallel()
	c := parse(t, small)
	for date, want := range map[string]int{"2017-12-31": 0, "2018-01-01": 770, "2023-12-31": 770, "2024-01-01": 810, "2030-06-01": 810} {
		if got := c.VATRate(date); got != want {
			t.Errorf("VATRate(%s) = %d, want %d", date, got, want)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"1m": 1, "12m": 12, "1y": 12, "10y": 120, "3y": 36} {
		if got, ok := catalog.ParsePeriod(in); !ok || got != want {
			t.Errorf("ParsePeriod(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "0m", "13m", "11y", "1d", "y", "01y", "1Y", " 1y"} {
		if got, ok := catalog.ParsePeriod(in); ok {
			t.Errorf("ParsePeriod(%q) = %d, want refused", in, got)
		}
	}
}

func TestPRD1_ImportMakesTheNewestVersionTheCatalog(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
		s := catalog.New(db, clk)
		if _, err := s.Current(ctx); !errors.Is(err, catalog.ErrEmpty) {
			t.Fatalf("Current before any import = %v, want catalog_empty", err)
		}
		first := parse(t, small)
		if _, err := s.Import(ctx, first, "first.yaml", audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		second := parse(t, strings.Replace(small, `1y: {CHF: 15, EUR: "16.00"}`, `1y: {CHF: "17.00", EUR: "18.00"}`, 1))
		v, err := s.Import(ctx, second, "second.yaml", audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != v.ID || got.Source != "second.yaml" || !got.ImportedAt.Equal(clk.Now()) {
			t.Errorf("Current = %s from %s at %v, want the second import", got.ID, got.Source, got.ImportedAt)
		}
		if diff := cmp.Diff(second, got.Catalog); diff != "" {
			t.Errorf("stored catalog differs (-imported +read):\n%s", diff)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'catalog.imported'`).Scan(&n); err != nil || n != 2 {
			t.Errorf("audit events = %d, %v; want 2", n, err)
		}
	})
}

// The decoded catalog is kept per version (for the renewal sweep's speed):
// an import by another instance is seen at once, and a caller changing
// the catalog it got changes nobody else's.
func TestPRD1_CurrentSeesAnotherInstancesImportAndHandsOutCopies(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
		one, other := catalog.New(db, clk), catalog.New(db, clk)
		first := parse(t, small)
		if _, err := one.Import(ctx, first, "first.yaml", audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		got, err := one.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got.Catalog.Types[0].Offers[0].Periods[0].Prices["CHF"] = money.Amount{Minor: 1, Currency: "CHF"}
		got.Catalog.Types[0].Names["en"] = "changed"
		got.Catalog.Currencies[0] = "XXX"
		again, err := one.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, again.Catalog); diff != "" {
			t.Errorf("a caller's change reached the next reader (-imported +read):\n%s", diff)
		}
		clk.Advance(time.Minute)
		second := parse(t, strings.Replace(small, `1y: {CHF: 15, EUR: "16.00"}`, `1y: {CHF: "17.00", EUR: "18.00"}`, 1))
		v, err := other.Import(ctx, second, "second.yaml", audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		now, err := one.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if now.ID != v.ID || now.Source != "second.yaml" {
			t.Errorf("Current = %s from %s, want the other instance's import %s", now.ID, now.Source, v.ID)
		}
		if diff := cmp.Diff(second, now.Catalog); diff != "" {
			t.Errorf("catalog after the other import differs (-imported +read):\n%s", diff)
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add(small)
	f.Add(`{"currencies": ["CHF"]}`)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := catalog.Parse(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, catalog.ErrInvalid) {
				t.Fatalf("error %v is not catalog_invalid", err)
			}
			return
		}
		for _, typ := range c.Types {
			for _, o := range typ.Offers {
				for _, p := range o.Periods {
					if len(p.Prices) != len(c.Currencies) {
						t.Fatalf("period %s of %s has %d prices for %d currencies", p.Period, o.Plan, len(p.Prices), len(c.Currencies))
					}
				}
			}
		}
	})
}
