package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/demo"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/renewal"
)

// CLI is alpage's command line. It is a contract that scripts rely on:
// add to it, never rename. Every flag also reads ALPAGE_<FLAG>.
type CLI struct {
	Serve    ServeCmd    `cmd:"" help:"Run the console, the API and the background workers."`
	User     UserCmd     `cmd:"" help:"Manage user accounts."`
	Token    TokenCmd    `cmd:"" help:"Manage personal API tokens."`
	Product  ProductCmd  `cmd:"" help:"Manage customers' products (operator)."`
	Catalog  CatalogCmd  `cmd:"" help:"Manage the catalog: product types, prices, VAT (operator)."`
	Webhook  WebhookCmd  `cmd:"" help:"Manage the endpoints that receive events (operator)."`
	Bank     BankCmd     `cmd:"" help:"Import bank files (operator)."`
	Payment  PaymentCmd  `cmd:"" help:"Refund payments (operator)."`
	Forecast ForecastCmd `cmd:"" help:"Print the renewals, charges, blocks and terminations of the coming days and the expected revenue (operator; changes nothing)."`
	Migrate  MigrateCmd  `cmd:"" help:"Apply the database migrations and exit."`
}

// Database selects the database: SQLite in a directory, or PostgreSQL.
type Database struct {
	Data        string `name:"data" placeholder:"DIR" help:"Keep data in this directory on SQLite (default ./alpage-data)." env:"ALPAGE_DATA" xor:"database"`
	DatabaseURL string `name:"database-url" placeholder:"URL" help:"Use PostgreSQL at this URL (postgres://user:pass@host/db) instead of SQLite." env:"ALPAGE_DATABASE_URL" xor:"database"`
}

func (d Database) config(logger *slog.Logger) app.Config {
	dir := d.Data
	if dir == "" && d.DatabaseURL == "" {
		dir = "alpage-data"
	}
	return app.Config{DataDir: dir, DatabaseURL: d.DatabaseURL, Logger: logger}
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// quietLogger is for one-shot commands: warnings only, on stderr.
func quietLogger() *slog.Logger { return newLogger(os.Stderr, slog.LevelWarn) }

// ServeCmd runs the server.
type ServeCmd struct {
	Addr string `default:"127.0.0.1:8080" help:"Listen on this address." env:"ALPAGE_ADDR"`
	Database
	Dev     bool   `help:"Test mode: adds the test clock and the outbox viewer; refuses a non-loopback address." env:"ALPAGE_DEV"`
	Demo    bool   `help:"Fill a demo provider (idempotent) and print how to sign in." env:"ALPAGE_DEMO"`
	BaseURL string `name:"base-url" placeholder:"URL" help:"Public URL of the console, used in e-mail links, QR codes and passkeys (default http://ADDR, http://localhost:PORT on loopback)." env:"ALPAGE_BASE_URL"`
	GeoIP   string `name:"geoip" placeholder:"FILE" help:"Name the places of IP addresses with this MaxMind-format City or Country database (GeoLite2, DB-IP Lite)." env:"ALPAGE_GEOIP"`

	RateLimit int `name:"rate-limit" default:"60" help:"API requests per rolling minute per token." env:"ALPAGE_RATE_LIMIT"`
	RenewalFlags

	SMTPHost     string `name:"smtp-host" help:"SMTP server; without it e-mails stay in the outbox." env:"ALPAGE_SMTP_HOST"`
	SMTPPort     int    `name:"smtp-port" default:"587" help:"SMTP port." env:"ALPAGE_SMTP_PORT"`
	SMTPUsername string `name:"smtp-username" help:"SMTP user name." env:"ALPAGE_SMTP_USERNAME"`
	SMTPPassword string `name:"smtp-password" help:"SMTP password (prefer the environment variable)." env:"ALPAGE_SMTP_PASSWORD"`
	SMTPTLS      string `name:"smtp-tls" default:"starttls" enum:"starttls,tls,none" help:"SMTP transport security: starttls, tls or none." env:"ALPAGE_SMTP_TLS"`
	MailFrom     string `name:"mail-from" default:"alpage <no-reply@alpage.localhost>" help:"Sender of e-mails." env:"ALPAGE_MAIL_FROM"`

	LogLevel string `name:"log-level" default:"info" enum:"debug,info,warn,error" help:"Log level: debug, info, warn, error." env:"ALPAGE_LOG_LEVEL"`
}

// Run serves until SIGINT or SIGTERM, then shuts down gracefully.
func (c *ServeCmd) Run() error {
	if c.Dev && !loopback(c.Addr) {
		return fmt.Errorf("--dev is test mode and only listens on a loopback address (127.0.0.1, ::1, localhost), not %q", c.Addr)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return err
	}
	logger := newLogger(os.Stderr, level)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.Addr, err)
	}
	cfg := c.Database.config(logger)
	cfg.Addr, cfg.Dev, cfg.RateLimit = ln.Addr().String(), c.Dev, c.RateLimit
	cfg.BaseURL = strings.TrimRight(c.BaseURL, "/")
	cfg.GeoIP = c.GeoIP
	if cfg.Renewal, err = c.RenewalFlags.schedule(); err != nil {
		ln.Close()
		return err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = defaultBaseURL(ln.Addr())
	}
	cfg.SMTP = notify.Config{SMTPHost: c.SMTPHost, SMTPPort: c.SMTPPort, SMTPUsername: c.SMTPUsername,
		SMTPPassword: c.SMTPPassword, SMTPTLS: c.SMTPTLS, From: c.MailFrom}
	a, err := app.Open(ctx, cfg, true)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	if c.Demo {
		creds, err := demo.Fill(ctx, a)
		if err != nil {
			ln.Close()
			return fmt.Errorf("filling demo data: %w", err)
		}
		fmt.Fprintf(os.Stdout, "\nalpage demo is ready: open %s/signin\n", cfg.BaseURL)
		for _, cr := range creds {
			fmt.Fprintf(os.Stdout, "  sign in as %-28s password %s   (%s)\n", cr.Email, cr.Password, cr.About)
		}
		fmt.Fprintln(os.Stdout)
	}
	logger.Info("alpage is serving", "url", cfg.BaseURL, "engine", string(a.DB.Engine), "dev", c.Dev)
	return a.Serve(ctx, ln)
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// UserCmd groups user commands.
type UserCmd struct {
	Create   UserCreateCmd   `cmd:"" help:"Create a confirmed account and, unless --no-organization, its organization with the user as legal representative."`
	Recovery UserRecoveryCmd `cmd:"" help:"Put an account in recovery when its login mailbox was deleted (SEC-10): a temporary user name goes by SMS and to the confirmed recovery e-mail."`
}

// UserCreateCmd creates an account exactly as the sign-up form does.
type UserCreateCmd struct {
	Email          string `required:"" help:"Login e-mail address."`
	Password       string `help:"Password (at least 10 characters). Prefer --password-stdin." xor:"password" env:"ALPAGE_PASSWORD"`
	PasswordStdin  bool   `name:"password-stdin" help:"Read the password from the first line of standard input." xor:"password"`
	FirstName      string `name:"first-name" required:"" help:"First name."`
	LastName       string `name:"last-name" required:"" help:"Last name."`
	Organization   string `placeholder:"NAME" help:"Name of the user's organization (default: \"First Last\")."`
	NoOrganization bool   `name:"no-organization" help:"Create no organization (the user will join one by invitation)."`
	Language       string `default:"en" enum:"fr,en,de,it,es" help:"Language of the console and e-mails: fr, en, de, it, es."`
	Country        string `default:"CH" help:"Country (ISO code), for date and money formats."`
	TimeZone       string `name:"time-zone" default:"Europe/Zurich" help:"IANA time zone."`
	Database
}

// Run creates the user and prints its id.
func (c *UserCreateCmd) Run() error {
	password := c.Password
	if c.PasswordStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the password from standard input: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if password == "" {
		return errors.New("give a password with --password or --password-stdin")
	}
	ctx := context.Background()
	a, err := app.Open(ctx, c.Database.config(quietLogger()), false)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Accounts.SignUp(ctx, account.SignUpInput{
		Email: c.Email, Password: password, FirstName: c.FirstName, LastName: c.LastName,
		OrganizationName: c.Organization, NoOrganization: c.NoOrganization,
		Language: c.Language, Country: c.Country, TimeZone: c.TimeZone, Confirmed: true,
	}, audit.Meta{UserAgent: "alpage-cli"})
	if err != nil {
		return describe(err)
	}
	fmt.Println(u.ID)
	return nil
}

// TokenCmd groups token commands.
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Create a personal API token for a user and print it alone on standard output."`
}

// TokenCreateCmd creates a personal API token.
type TokenCreateCmd struct {
	Email     string        `required:"" help:"Login e-mail of the token's user."`
	Name      string        `required:"" help:"Name of the token, to recognise it later."`
	Scopes    string        `default:"all" help:"Comma-separated scopes: all (everything the user may do as a customer), operator (the operator API: webhook endpoints, bank files; never implied by all, and made only here)."`
	ExpiresIn time.Duration `name:"expires-in" help:"Expire the token after this duration (e.g. 720h); default never."`
	Database
}

// Run creates the token and prints it alone on stdout.
func (c *TokenCreateCmd) Run() error {
	ctx := context.Background()
	a, err := app.Open(ctx, c.Database.config(quietLogger()), false)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Accounts.GetByEmail(ctx, c.Email)
	if err != nil {
		if errors.Is(err, apperr.NotFound) {
			return fmt.Errorf("no account has the login e-mail %q", c.Email)
		}
		return err
	}
	var expires *time.Time
	if c.ExpiresIn > 0 {
		t := a.Clock.Now().Add(c.ExpiresIn)
		expires = &t
	}
	var scopes []string
	for _, s := range strings.Split(c.Scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	secret, _, err := a.Tokens.Create(ctx, u.ID, c.Name, scopes, expires, audit.Meta{ActorID: u.ID, UserAgent: "alpage-cli"})
	if err != nil {
		return describe(err)
	}
	fmt.Println(secret)
	return nil
}

// ProductCmd groups product commands.
type ProductCmd struct {
	Create ProductCreateCmd `cmd:"" help:"Create a product in an organization and print its id alone on standard output."`
}

// ProductCreateCmd creates a product for an organization (until ordering
// exists, operators create products this way).
type ProductCreateCmd struct {
	Organization string `required:"" placeholder:"ORG_ID" help:"Id of the organization that owns the product."`
	Type         string `required:"" help:"Product type: domain, web_hosting, mail, cloud_storage, collaboration_suite, cloud_server, ssl_certificate, premium_support."`
	Name         string `required:"" help:"Name of the product, e.g. example.ch."`
	DueDate      string `name:"due-date" placeholder:"YYYY-MM-DD" help:"Next due date (calendar date)."`
	Database
}

// Run creates the product and prints its id.
func (c *ProductCreateCmd) Run() error {
	ctx := context.Background()
	a, err := app.Open(ctx, c.Database.config(quietLogger()), false)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := a.Products.Create(ctx, c.Organization, c.Type, c.Name, c.DueDate)
	if err != nil {
		return describe(err)
	}
	fmt.Println(p.ID)
	return nil
}

// MigrateCmd applies migrations.
type MigrateCmd struct {
	Database
}

// Run applies the migrations and says how many.
func (c *MigrateCmd) Run() error {
	ctx := context.Background()
	a, err := app.Open(ctx, c.Database.config(quietLogger()), false)
	if err != nil {
		return err
	}
	defer a.Close()
	cur, _, err := a.DB.MigrationVersions(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "database schema is at version %d (%s)\n", cur, a.DB.Engine)
	return nil
}

// describe turns a domain refusal into a message for the operator.
func describe(err error) error {
	if e := apperr.As(err); e != nil {
		if e.Attribute != "" {
			return fmt.Errorf("%s (%s): %s", e.Code, e.Attribute, e.Message)
		}
		return fmt.Errorf("%s: %s", e.Code, e.Message)
	}
	return err
}

// defaultBaseURL is the console's address when --base-url is not given. A
// loopback address is named "localhost": browsers accept passkeys (WebAuthn)
// on localhost over plain HTTP, never on an IP address.
func defaultBaseURL(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		return fmt.Sprintf("http://localhost:%d", tcp.Port)
	}
	return "http://" + addr.String()
}

// RenewalFlags are the operator's renewal schedule (REN-3, REN-5, BIL-8),
// shared by serve and forecast so that the forecast tells what serve does.
type RenewalFlags struct {
	RenewalReminders []int `name:"renewal-reminders" default:"60,30,14,1" placeholder:"DAYS" help:"Renewal notices, in days before the due date (1 to 365)." env:"ALPAGE_RENEWAL_REMINDERS"`
	RenewalAttempts  []int `name:"renewal-attempts" default:"14,10,7,3,1,0" placeholder:"DAYS" help:"Automatic renewal charges, in days before the due date (14 to 0, the first at 14)." env:"ALPAGE_RENEWAL_ATTEMPTS"`
}

func (f RenewalFlags) schedule() (renewal.Schedule, error) {
	return renewal.NewSchedule(f.RenewalReminders, f.RenewalAttempts)
}
