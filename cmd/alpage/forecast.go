package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/renewal"
)

// ForecastCmd prints what the coming days will bring (operator): every
// automatic renewal charge, manual due date, block and termination, and the
// expected revenue per currency. It changes nothing.
type ForecastCmd struct {
	Days int    `default:"60" help:"How many days ahead, from today (1 to 366)."`
	From string `placeholder:"YYYY-MM-DD" help:"First day of the window (default today in the catalog's time zone)."`
	Database
	RenewalFlags
}

// Run prints the forecast as a table, then the totals.
func (c *ForecastCmd) Run() error {
	sc, err := c.schedule()
	if err != nil {
		return err
	}
	return withApp(c.Database, func(ctx context.Context, a *app.App) error {
		a.Renewal.SetSchedule(sc)
		from, err := c.start(ctx, a)
		if err != nil {
			return err
		}
		f, err := a.Renewal.Forecast(ctx, from, c.Days)
		if err != nil {
			return describe(err)
		}
		return printForecast(os.Stdout, f)
	})
}

func (c *ForecastCmd) start(ctx context.Context, a *app.App) (calendar.Date, error) {
	if c.From != "" {
		d, err := calendar.Parse(c.From)
		if err != nil {
			return calendar.Date{}, fmt.Errorf("--from: write the date as YYYY-MM-DD: %w", err)
		}
		return d, nil
	}
	tz := "UTC"
	if v, err := a.Catalog.Current(ctx); err == nil && v.Catalog.TimeZone != "" {
		tz = v.Catalog.TimeZone
	}
	return calendar.Today(a.Clock.Now(), i18n.Location(tz)), nil
}

// printForecast writes the items, one per line, then the totals per
// currency (VAT included).
func printForecast(out io.Writer, f renewal.Forecast) error {
	fmt.Fprintf(out, "Forecast from %s to %s (amounts VAT included, at the catalog's current prices)\n\n", f.From, f.To)
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "DATE\tWHAT\tORGANIZATION\tPRODUCT\tPERIOD\tAMOUNT")
	for _, it := range f.Items {
		what := it.Kind
		if it.Customer {
			what += " (customer)"
		}
		amount := ""
		switch {
		case it.Priced:
			amount = it.Total.Currency + " " + it.Total.String()
		case it.Kind == renewal.ForecastCharge || it.Kind == renewal.ForecastDue:
			amount = "not in the catalog"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", it.Date, what, it.OrganizationName, it.ProductName, it.Period, amount)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out)
	w = tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "CURRENCY\tAUTOMATIC CHARGES\tCOUNT\tDUE BY HAND\tCOUNT\t")
	for _, t := range f.Totals {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%d\t\n", t.Currency, t.Charges.String(), t.ChargeCount, t.Due.String(), t.DueCount)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%d item(s), %d block(s), %d termination(s) if unpaid or asked.\n", len(f.Items), f.Blocks, f.Terminations)
	return nil
}
