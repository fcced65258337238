// Package account holds user accounts and signing in (SPEC ACC-1..6): sign-up
// with its organization, confirmation of the login address, password checks
// with argon2id, server-side sessions and the profile.
//
// The console, the API and the CLI (`alpage user create`) call the same
// functions, so a rule lives once.
package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/store"
)

// Languages of the console and e-mails (UI-4), first is the default.
var Languages = []string{"fr", "en", "de", "it", "es"}

// Errors of this package.
var (
	ErrInvalidCredentials = apperr.Register("invalid_credentials", http.StatusUnauthorized,
		"The e-mail address or the password is wrong.")
	ErrEmailNotConfirmed = apperr.Register("email_not_confirmed", http.StatusForbidden,
		"Confirm your e-mail address first: open the link we sent you, or ask for a new one.")
	ErrEmailTaken = apperr.Register("email_already_registered", http.StatusConflict,
		"An account already uses this e-mail address: sign in, or reset your password.")
	ErrConfirmationInvalid = apperr.Register("confirmation_link_invalid", http.StatusGone,
		"This confirmation link is invalid or has expired: ask for a new one.")
)

// User is an account (ACC-1).
type User struct {
	ID             string
	Email          string
	FirstName      string
	LastName       string
	Phone          string
	RecoveryEmail  string
	Language       string
	Country        string
	TimeZone       string
	EmailConfirmed bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// FullName is "First Last".
func (u User) FullName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// Initials are the avatar's letters (UI-2): "AM" for Ada Muster.
func (u User) Initials() string {
	var b strings.Builder
	for _, part := range []string{u.FirstName, u.LastName} {
		for _, r := range strings.TrimSpace(part) {
			b.WriteString(strings.ToUpper(string(r)))
			break
		}
	}
	if b.Len() == 0 && u.Email != "" {
		return strings.ToUpper(u.Email[:1])
	}
	return b.String()
}

// Options are the operator's settings for accounts.
type Options struct {
	// SessionIdleTimeout signs a session out after this long without a request.
	SessionIdleTimeout time.Duration
	// SessionLifetime signs a session out this long after sign-in, whatever happens.
	SessionLifetime time.Duration
	// ConfirmationTTL is how long a confirmation link works.
	ConfirmationTTL time.Duration
	// Password are the argon2id parameters.
	Password PasswordParams
	// WantsEmail tells whether the user asked to be e-mailed about an event
	// ("signin_failed", "password_changed"; SEC-7), read in the transaction
	// that sends it. Nil means always. The app sets it to security.WantsEmail
	// (security imports account, not the reverse).
	WantsEmail func(ctx context.Context, q store.Querier, userID, event string) (bool, error)
	// Place names the place of an IP address in a language for the alert
	// e-mails (SEC-6); nil without a GeoIP database.
	Place func(ip, lang string) string
}

func (o Options) withDefaults() Options {
	if o.SessionIdleTimeout == 0 {
		o.SessionIdleTimeout = 2 * time.Hour
	}
	if o.SessionLifetime == 0 {
		o.SessionLifetime = 24 * time.Hour
	}
	if o.ConfirmationTTL == 0 {
		o.ConfirmationTTL = 48 * time.Hour
	}
	if o.Password == (PasswordParams{}) {
		o.Password = DefaultPasswordParams
	}
	return o
}

// wantsEmail applies Options.WantsEmail.
func (s *Service) wantsEmail(ctx context.Context, q store.Querier, userID, event string) (bool, error) {
	if s.opts.WantsEmail == nil {
		return true, nil
	}
	return s.opts.WantsEmail(ctx, q, userID, event)
}

// Service runs accounts.
type Service struct {
	db     *store.DB
	clock  clock.Clock
	notify *notify.Notifier
	opts   Options
	dummy  string // a hash checked for unknown e-mails, so both answers take as long
}

// New returns the account service.
func New(db *store.DB, clk clock.Clock, n *notify.Notifier, opts Options) *Service {
	opts = opts.withDefaults()
	s := &Service{db: db, clock: clk, notify: n, opts: opts}
	s.dummy, _ = HashPassword("not a real password, only for timing", opts.Password)
	return s
}

const userColumns = `id, email, first_name, last_name, phone, recovery_email, language, country,
	time_zone, email_confirmed_at, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var confirmed sql.NullTime
	err := row.Scan(&u.ID, &u.Email, &u.FirstName, &u.LastName, &u.Phone, &u.RecoveryEmail,
		&u.Language, &u.Country, &u.TimeZone, &confirmed, &u.CreatedAt, &u.UpdatedAt)
	u.EmailConfirmed = confirmed.Valid
	return u, err
}

// Get returns the user with id userID, or apperr.NotFound.
func (s *Service) Get(ctx context.Context, userID string) (User, error) {
	return getUser(ctx, s.db, userID)
}

func getUser(ctx context.Context, q store.Querier, userID string) (User, error) {
	if !id.Valid(userID) {
		return User{}, apperr.NotFound
	}
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.NotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("account: loading user: %w", err)
	}
	return u, nil
}

// GetByEmail returns the user whose login is email, or apperr.NotFound.
func (s *Service) GetByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`,
		normalizeEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.NotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("account: loading user by e-mail: %w", err)
	}
	return u, nil
}

func normalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}
