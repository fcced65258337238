package notify

import (
	"context"
	"fmt"
	"net/mail"
	"os"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// sendEmail delivers one outbox e-mail over SMTP: text and HTML alternatives,
// a Message-ID made from the outbox id (stable across retries) and the Date
// from the clock.
func (n *Notifier) sendEmail(ctx context.Context, e OutboxEntry) error {
	msg := gomail.NewMsg()
	if err := msg.From(n.cfg.From); err != nil {
		return fmt.Errorf("invalid From address %q: %w", n.cfg.From, err)
	}
	if err := msg.To(e.Recipient); err != nil {
		return fmt.Errorf("invalid recipient: %w", err)
	}
	msg.Subject(e.Subject)
	msg.SetMessageIDWithValue(e.ID + "@" + n.fromDomain())
	msg.SetDateWithValue(n.clock.Now())
	msg.SetBodyString(gomail.TypeTextPlain, e.BodyText)
	if e.BodyHTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, e.BodyHTML)
	}
	client, err := n.smtpClient()
	if err != nil {
		return err
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("SMTP %s:%d: %w", n.cfg.SMTPHost, client.ServerPort(), err)
	}
	return nil
}

// smtpClient builds a go-mail client from the configuration.
func (n *Notifier) smtpClient() (*smtpClient, error) {
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second), gomail.WithHELO(n.helo())}
	port := n.cfg.SMTPPort
	switch strings.ToLower(n.cfg.SMTPTLS) {
	case "", "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		if port == 0 {
			port = 587
		}
	case "tls":
		opts = append(opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		if port == 0 {
			port = 25
		}
	default:
		return nil, fmt.Errorf("unknown SMTP TLS mode %q (want starttls, tls or none)", n.cfg.SMTPTLS)
	}
	opts = append(opts, gomail.WithPort(port))
	if n.cfg.SMTPUsername != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(n.cfg.SMTPUsername), gomail.WithPassword(n.cfg.SMTPPassword))
	}
	c, err := gomail.NewClient(n.cfg.SMTPHost, opts...)
	if err != nil {
		return nil, fmt.Errorf("configuring SMTP client: %w", err)
	}
	return &smtpClient{Client: c, port: port}, nil
}

// smtpClient remembers the port for error messages.
type smtpClient struct {
	*gomail.Client
	port int
}

// ServerPort returns the port the client connects to.
func (c *smtpClient) ServerPort() int { return c.port }

// fromDomain returns the domain of the From address, for the Message-ID.
func (n *Notifier) fromDomain() string {
	if a, err := mail.ParseAddress(n.cfg.From); err == nil {
		if _, domain, ok := strings.Cut(a.Address, "@"); ok && domain != "" {
			return domain
		}
	}
	return "alpage.invalid"
}

// helo returns the name the client gives in EHLO: the host name when it is a
// fully qualified one, else the domain of the From address.
func (n *Notifier) helo() string {
	if h, err := os.Hostname(); err == nil && strings.Contains(h, ".") {
		return h
	}
	return n.fromDomain()
}
