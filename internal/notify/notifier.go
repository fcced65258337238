package notify

import (
	"log/slog"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/store"
)

// Channels of a message.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Statuses of an outbox row.
const (
	StatusQueued = "queued" // waiting for its delivery job (or for a retry)
	StatusSent   = "sent"   // handed to the SMTP server or the SMS gateway
	StatusHeld   = "held"   // kept in the outbox: --dev, or no SMTP configured
	StatusFailed = "failed" // every delivery attempt failed
)

// Config says how messages leave the server.
type Config struct {
	SMTPHost     string // empty: no SMTP, e-mails are held
	SMTPPort     int    // 0: 587 for "starttls", 465 for "tls", 25 for "none"
	SMTPUsername string // empty: no SMTP authentication
	SMTPPassword string
	SMTPTLS      string // "starttls" (default, mandatory), "tls" (implicit TLS) or "none"
	From         string // e.g. "alpage <no-reply@alpage.example>"
	// Hold keeps every message in the outbox with status "held" (serve --dev).
	// It is implied for e-mails when SMTPHost is empty.
	Hold bool
	// BaseURL is the server's absolute address, e.g. "http://127.0.0.1:8080",
	// without a trailing slash; templates use it to build links.
	BaseURL string
}

// Message is one notification to render and send.
type Message struct {
	Channel        string         // "email" or "sms"; empty: the template's channel
	To             string         // an e-mail address or an E.164 phone number
	Language       string         // the recipient's language; unknown or empty: "en"
	Template       string         // e.g. "confirm_email"
	Data           map[string]any // the template's data (see its sample.json)
	UserID         string         // the user concerned, if any
	OrganizationID string         // the organization concerned, if any
}

// OutboxEntry is the record of one message.
type OutboxEntry struct {
	ID        string
	Channel   string
	Recipient string
	Language  string
	Template  string
	Subject   string
	BodyText  string
	BodyHTML  string
	Status    string // queued, sent, held or failed
	Error     string // the last delivery error, without secrets
	Links     []string
	Attempts  int
	CreatedAt time.Time
	SentAt    *time.Time
}

// Notifier renders messages, records them in the outbox and delivers them.
type Notifier struct {
	db      *store.DB
	clock   clock.Clock
	enq     jobs.Enqueuer
	cfg     Config
	sms     SMSSender
	logger  *slog.Logger
	catalog *catalog
}

// New returns a Notifier. enq enqueues delivery jobs (a *jobs.Queue); sms may
// be nil, in which case SMS are held in the outbox.
func New(db *store.DB, clk clock.Clock, enq jobs.Enqueuer, cfg Config, sms SMSSender, logger *slog.Logger) *Notifier {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.SMTPTLS == "" {
		cfg.SMTPTLS = "starttls"
	}
	if cfg.From == "" {
		cfg.From = "alpage <no-reply@alpage.invalid>"
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Notifier{db: db, clock: clk, enq: enq, cfg: cfg, sms: sms,
		logger: logger.With("component", "notify"), catalog: defaultCatalog}
}

// BaseURL returns the server's absolute address used in links, without a
// trailing slash.
func (n *Notifier) BaseURL() string { return n.cfg.BaseURL }

// holds reports whether messages of channel stay in the outbox.
func (n *Notifier) holds(channel string) bool {
	if n.cfg.Hold {
		return true
	}
	if channel == ChannelSMS {
		return n.sms == nil
	}
	return n.cfg.SMTPHost == ""
}
