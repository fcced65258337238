// Package app is alpage's composition root: it turns a validated
// configuration into an open store, the domain services, the job queue and
// the HTTP handler. Nothing else builds services, and no package reads
// configuration by itself.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/devmode"
	"github.com/alpage/alpage/internal/geoip"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/team"
	"github.com/alpage/alpage/internal/token"
	"github.com/alpage/alpage/internal/webhook"
)

// Config is everything alpage is told at start. The CLI fills it from flags
// and ALPAGE_… environment variables.
type Config struct {
	DataDir     string // SQLite directory, when DatabaseURL is empty
	DatabaseURL string // postgres://…
	Addr        string // listen address of serve
	BaseURL     string // public URL of the console, for links in e-mails
	Dev         bool   // test mode: test clock and outbox viewer
	RateLimit   int    // API requests per rolling minute per token
	SMTP        notify.Config
	Logger      *slog.Logger
	// Account tunes sessions and password hashing; zero values are defaults.
	Account account.Options
	// GeoIP is a MaxMind-format City or Country database naming the places
	// of IP addresses; "" means no places.
	GeoIP string
	// Renewal is the schedule of reminders and automatic attempts; the zero
	// value is renewal.DefaultSchedule.
	Renewal renewal.Schedule
}

// App holds the running parts.
type App struct {
	Config   Config
	DB       *store.DB
	Clock    *clock.Offset
	Queue    *jobs.Queue
	Notifier *notify.Notifier
	Accounts *account.Service
	Orgs     *org.Service
	Tokens   *token.Service
	Products *product.Service
	Catalog  *catalog.Service
	Webhooks *webhook.Service // PRD-5: events for the provider's systems
	Billing  *billing.Service
	Renewal  *renewal.Service // REN, BIL-7: renewals, reminders, block and termination
	// Gateway is the payment gateway: the sandbox, until a real adapter
	// implements payment.Gateway.
	Gateway  *sandbox.Gateway
	Places   *geoip.DB // nil without Config.GeoIP
	Teams    *team.Service
	Invites  *invite.Service
	Security *security.Service
	DevClock *devmode.Clock // nil unless Config.Dev
	Logger   *slog.Logger
}

// Open opens (and migrates) the database and builds the services. With work
// true the job queue will work jobs once Start is called; the CLI opens with
// work false and only enqueues.
func Open(ctx context.Context, cfg Config, work bool) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 60
	}
	db, err := store.Open(ctx, cfg.DataDir, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: db, Logger: cfg.Logger}
	if err := a.build(ctx, work); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, work bool) error {
	cfg := a.Config
	if _, err := a.DB.Migrate(ctx); err != nil {
		return err
	}
	offset, err := devmode.LoadOffset(ctx, a.DB)
	if err != nil {
		return err
	}
	a.Clock = clock.NewOffset(offset)
	a.Queue = jobs.New(a.DB, a.Clock, a.Logger)

	smtp := cfg.SMTP
	smtp.BaseURL = cfg.BaseURL
	smtp.Hold = smtp.Hold || cfg.Dev || smtp.SMTPHost == ""
	a.Notifier = notify.New(a.DB, a.Clock, a.Queue, smtp, notify.SandboxSMS{}, a.Logger)
	notify.RegisterWorkers(a.Queue, a.Notifier)
	a.Webhooks = webhook.New(a.DB, a.Clock, a.Queue, nil)
	webhook.RegisterWorkers(a.Queue, a.Webhooks)

	a.Orgs = org.New(a.DB, a.Clock, org.WithNotifier(a.Notifier))
	accountOpts := cfg.Account
	accountOpts.WantsEmail = security.WantsEmail // SEC-7: the user's choice of alert e-mails
	if cfg.GeoIP != "" {
		if a.Places, err = geoip.Open(cfg.GeoIP); err != nil {
			return fmt.Errorf("app: %w", err)
		}
		accountOpts.Place = a.Places.Place
	}
	a.Accounts = account.New(a.DB, a.Clock, a.Notifier, accountOpts)
	a.Tokens = token.New(a.DB, a.Clock)
	a.Products = product.New(a.DB, a.Clock)
	a.Catalog = catalog.New(a.DB, a.Clock)
	a.Teams = team.New(a.DB, a.Clock)
	a.Invites = invite.New(a.DB, a.Clock, a.Notifier, a.Accounts, invite.Options{})
	a.Security = security.New(a.DB, a.Clock, a.Notifier, a.Accounts)
	if a.Places != nil {
		a.Security.UsePlaces(a.Places)
	}
	if err := a.Security.UseWebAuthn(cfg.BaseURL); err != nil && cfg.BaseURL != "" {
		a.Logger.Warn("passkeys are off: the console's address must be a domain name, such as localhost", "error", err)
	}
	if a.Gateway, err = sandbox.New(a.DB, a.Clock, sandbox.Options{BaseURL: cfg.BaseURL + "/sandbox"}); err != nil {
		return fmt.Errorf("app: the sandbox payment gateway: %w", err)
	}
	a.Billing = billing.New(a.DB, a.Clock, a.Catalog, a.Notifier, a.Gateway)
	a.Billing.UsePublisher(a.Webhooks) // PRD-5: product.activated, invoice.paid, payment.failed…
	a.Queue.AddSweep(jobs.Sweep{Name: "billing.payments", Every: 5 * time.Minute, Run: a.Billing.SweepPayments})
	a.Renewal = renewal.New(a.DB, a.Clock, a.Catalog, a.Billing, a.Notifier, a.Webhooks)
	if len(cfg.Renewal.Attempts) > 0 {
		a.Renewal.SetSchedule(cfg.Renewal)
	}
	// REN-3, REN-5, BIL-7, BIL-8: reminders, automatic charges, retries,
	// block and termination, as of today; the test clock runs it too.
	a.Queue.AddSweep(jobs.Sweep{Name: "renewal", Every: time.Hour, Run: a.Renewal.Sweep})
	a.Queue.AddSweep(jobs.Sweep{Name: "renewal.terminations", Every: time.Hour, Run: a.Renewal.ApplyScheduledTerminations})
	if cfg.Dev {
		a.DevClock = devmode.New(a.DB, a.Clock, a.Queue)
	}
	a.Queue.AddSweep(jobs.Sweep{Name: "sessions", Every: time.Hour, Run: a.Accounts.SweepSessions})
	a.addSweeps()
	if err := a.Queue.Open(work); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	return nil
}

// Close releases the database and the GeoIP database.
func (a *App) Close() error {
	return errors.Join(a.DB.Close(), a.Places.Close())
}
