package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/money"
)

// MoneyJSON is an amount as the API writes it: a decimal string and its
// currency, never a float (API.md).
type MoneyJSON struct {
	Amount   string `json:"amount" pattern:"^-?[0-9]+\\.[0-9]{2}$" example:"15.00"`
	Currency string `json:"currency" enum:"CHF,EUR"`
}

func toMoneyJSON(a money.Amount) MoneyJSON {
	return MoneyJSON{Amount: a.String(), Currency: a.Currency}
}

type catalogJSON struct {
	Version    string            `json:"version" format:"uuid" doc:"The catalog version; a new import makes a new one."`
	ImportedAt time.Time         `json:"imported_at"`
	Currencies []string          `json:"currencies"`
	TimeZone   string            `json:"time_zone" doc:"Due dates are calendar dates in this time zone."`
	VAT        []vatRateJSON     `json:"vat" doc:"VAT rates, newest first; each is valid from its date until the next one."`
	Types      []catalogTypeJSON `json:"types"`
}

type vatRateJSON struct {
	From string `json:"from" format:"date"`
	Rate string `json:"rate" doc:"Percent, as a decimal string." example:"8.1"`
}

type catalogTypeJSON struct {
	Type               string            `json:"type"`
	Name               string            `json:"name" doc:"In your language."`
	Names              map[string]string `json:"names" doc:"By language; English is the fallback."`
	BlockAfterDays     int               `json:"block_after_days" doc:"Unpaid at its due date, a product is blocked this many days later (BIL-7)."`
	TerminateAfterDays int               `json:"terminate_after_days" doc:"…and terminated this many days after the due date."`
	ConfirmTermination bool              `json:"confirm_termination" doc:"A termination asked by the customer needs the link e-mailed to them (PRD-4)."`
	Offers             []offerJSON       `json:"offers"`
}

type offerJSON struct {
	Plan    string            `json:"plan" doc:"For domains, the ending (\".ch\"); otherwise the plan to send with an order item."`
	Name    string            `json:"name"`
	Names   map[string]string `json:"names"`
	Periods []periodJSON      `json:"periods" doc:"The billing periods allowed, shortest first (BIL-3)."`
}

type periodJSON struct {
	Period string      `json:"period" example:"1y"`
	Months int         `json:"months"`
	Prices []MoneyJSON `json:"prices" doc:"Net of VAT, one per currency."`
}

func toCatalogJSON(v catalog.Version, lang string) catalogJSON {
	c := v.Catalog
	j := catalogJSON{Version: v.ID, ImportedAt: v.ImportedAt, Currencies: c.Currencies, TimeZone: c.TimeZone,
		VAT: []vatRateJSON{}, Types: []catalogTypeJSON{}}
	for _, r := range c.VAT {
		j.VAT = append(j.VAT, vatRateJSON{From: r.From, Rate: percent(r.Rate)})
	}
	for _, t := range c.Types {
		tj := catalogTypeJSON{Type: t.Type, Name: t.Name(lang), Names: t.Names, BlockAfterDays: t.BlockAfterDays,
			TerminateAfterDays: t.TerminateAfterDays, ConfirmTermination: t.ConfirmTermination, Offers: []offerJSON{}}
		for _, o := range t.Offers {
			oj := offerJSON{Plan: o.Plan, Name: o.Name(lang), Names: o.Names, Periods: []periodJSON{}}
			for _, p := range o.Periods {
				pj := periodJSON{Period: p.Period, Months: p.Months, Prices: []MoneyJSON{}}
				for _, cur := range c.Currencies {
					pj.Prices = append(pj.Prices, toMoneyJSON(p.Prices[cur]))
				}
				oj.Periods = append(oj.Periods, pj)
			}
			tj.Offers = append(tj.Offers, oj)
		}
		j.Types = append(j.Types, tj)
	}
	return j
}

// percent writes hundredths of a percent as a decimal string: 810 → "8.1".
func percent(hundredths int) string {
	s := money.Amount{Minor: int64(hundredths), Currency: "CHF"}.String()
	return strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".0")
}

func (s *server) declareCatalog() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/catalog", ID: "get-catalog", Tag: "Catalog",
		Summary: "Show the catalog",
		Description: "The product types the provider sells, their offers (plans, or domain endings), the billing periods " +
			"each allows and their net prices per currency, and the VAT rates (PRD-1). Names are in your language.",
		Codes: []*apperr.Error{catalog.ErrEmpty},
	}, func(ctx context.Context, _ *struct{}) (*Out[catalogJSON], error) {
		v, err := s.d.Catalog.Current(ctx)
		if err != nil {
			return nil, err
		}
		u, err := s.d.Accounts.Get(ctx, caller(ctx).UserID)
		if err != nil {
			return nil, err
		}
		return ok(toCatalogJSON(v, u.Language)), nil
	})
}
