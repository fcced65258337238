package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
)

// WebhookCmd groups the commands of the endpoints that receive events
// (PRD-5).
type WebhookCmd struct {
	Add        WebhookAddCmd        `cmd:"" help:"Register an endpoint; prints its id, then its signing secret (shown once)."`
	List       WebhookListCmd       `cmd:"" help:"List the endpoints."`
	Remove     WebhookRemoveCmd     `cmd:"" help:"Stop delivering to an endpoint."`
	Deliveries WebhookDeliveriesCmd `cmd:"" help:"List the latest delivery attempts and the endpoints' answers."`
}

// WebhookAddCmd registers an endpoint.
type WebhookAddCmd struct {
	URL    string   `arg:"" help:"The endpoint's address, e.g. https://provisioning.example/alpage."`
	Events []string `placeholder:"PATTERN" help:"Event types or families to send (product.*, invoice.paid); default all."`
	Database
}

// Run adds the endpoint and prints its id and secret, one per line.
func (c *WebhookAddCmd) Run() error {
	return withApp(c.Database, func(ctx context.Context, a *app.App) error {
		e, secret, err := a.Webhooks.Add(ctx, c.URL, c.Events, audit.Meta{})
		if err != nil {
			return describe(err)
		}
		fmt.Println(e.ID)
		fmt.Println(secret)
		fmt.Fprintf(os.Stderr, "endpoint added: %s receives %s; verify the Alpage-Signature header with the secret above (docs/webhooks.md)\n",
			e.URL, strings.Join(e.Events, ", "))
		return nil
	})
}

// WebhookListCmd lists the endpoints.
type WebhookListCmd struct {
	Database
}

// Run prints one endpoint per line: id, events, URL.
func (c *WebhookListCmd) Run() error {
	return withApp(c.Database, func(ctx context.Context, a *app.App) error {
		list, err := a.Webhooks.List(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tEVENTS\tURL")
		for _, e := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\n", e.ID, strings.Join(e.Events, ","), e.URL)
		}
		return w.Flush()
	})
}

// WebhookRemoveCmd removes an endpoint.
type WebhookRemoveCmd struct {
	ID string `arg:"" help:"The endpoint's id (alpage webhook list)."`
	Database
}

// Run removes the endpoint.
func (c *WebhookRemoveCmd) Run() error {
	return withApp(c.Database, func(ctx context.Context, a *app.App) error {
		return describe(a.Webhooks.Remove(ctx, c.ID, audit.Meta{}))
	})
}

// WebhookDeliveriesCmd lists delivery attempts.
type WebhookDeliveriesCmd struct {
	ID       string `arg:"" optional:"" help:"Only the deliveries to this endpoint (alpage webhook list), as --endpoint."`
	Endpoint string `placeholder:"ID" help:"Only the deliveries to this endpoint."`
	Limit    int    `default:"50" help:"How many, newest first."`
	Database
}

// Run prints one attempt per line.
func (c *WebhookDeliveriesCmd) Run() error {
	endpoint := c.Endpoint
	if c.ID != "" {
		if endpoint != "" && endpoint != c.ID {
			return fmt.Errorf("two endpoints given (%s and --endpoint %s): give one", c.ID, endpoint)
		}
		endpoint = c.ID
	}
	return withApp(c.Database, func(ctx context.Context, a *app.App) error {
		list, err := a.Webhooks.Deliveries(ctx, endpoint, c.Limit)
		if err != nil {
			return describe(err)
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "TIME\tEVENT\tATTEMPT\tSTATUS\tANSWER\tENDPOINT\tERROR")
		for _, d := range list {
			fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%d\t%s\t%s\n", d.CreatedAt.Format("2006-01-02T15:04:05Z"), d.EventType,
				d.Attempt, d.Status, d.ResponseStatus, d.EndpointID, d.Error)
		}
		return w.Flush()
	})
}

// withApp opens the application without workers for a one-shot command.
func withApp(db Database, fn func(context.Context, *app.App) error) error {
	ctx := context.Background()
	a, err := app.Open(ctx, db.config(quietLogger()), false)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(ctx, a)
}
