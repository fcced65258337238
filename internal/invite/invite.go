package invite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
)

// Errors of this package.
var (
	ErrInvitationInvalid = apperr.Register("invitation_invalid", http.StatusGone,
		"This invitation is no longer valid: it has expired, was already answered or was cancelled. Ask the organization for a new one.")
	ErrInvitationOtherEmail = apperr.Register("invitation_for_another_email", http.StatusForbidden,
		"This invitation was sent to another e-mail address: sign in with that address, or ask for an invitation to yours.")
	ErrInvitationPending = apperr.Register("invitation_pending", http.StatusConflict,
		"This person is already invited: resend or cancel that invitation.")
)

// Statuses of an invitation. "expired" is never stored: it is a pending
// invitation past its expiry.
const (
	StatusPending   = "pending"
	StatusAccepted  = "accepted"
	StatusDeclined  = "declined"
	StatusCancelled = "cancelled"
	StatusExpired   = "expired"
)

// Invitation is an offer to join an organization (ORG-3).
type Invitation struct {
	ID                 string
	OrganizationID     string
	OrganizationName   string
	Email              string
	Role               string
	Billing            bool
	ContactPreferences []string
	ProductIDs         []string
	TeamIDs            []string
	InvitedByName      string
	Status             string
	ExpiresAt          time.Time
	CreatedAt          time.Time
	SentAt             time.Time
}

// Input is what an administrator sets when inviting (ORG-3).
type Input struct {
	Email              string
	Role               string
	Billing            bool
	ContactPreferences []string
	ProductIDs         []string
	TeamIDs            []string
}

// Options are the operator's settings for invitations.
type Options struct {
	TTL time.Duration // how long a link works; 14 days when zero
}

// Service runs invitations.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	notify   *notify.Notifier
	accounts *account.Service
	opts     Options
}

// New returns the invitation service.
func New(db *store.DB, clk clock.Clock, n *notify.Notifier, accounts *account.Service, opts Options) *Service {
	if opts.TTL <= 0 {
		opts.TTL = 14 * 24 * time.Hour
	}
	return &Service{db: db, clock: clk, notify: n, accounts: accounts, opts: opts}
}

const columns = `i.id, i.organization_id, o.name, i.email, i.role, i.billing, i.contact_preferences,
	i.product_ids, i.team_ids, COALESCE(u.first_name || ' ' || u.last_name, ''), i.status,
	i.expires_at, i.created_at, i.sent_at`

const from = ` FROM invitations i JOIN organizations o ON o.id = i.organization_id
	LEFT JOIN users u ON u.id = i.invited_by `

func scan(row interface{ Scan(...any) error }, now time.Time) (Invitation, error) {
	var inv Invitation
	var prefs, products, teams string
	err := row.Scan(&inv.ID, &inv.OrganizationID, &inv.OrganizationName, &inv.Email, &inv.Role, &inv.Billing,
		&prefs, &products, &teams, &inv.InvitedByName, &inv.Status, &inv.ExpiresAt, &inv.CreatedAt, &inv.SentAt)
	if err != nil {
		return Invitation{}, err
	}
	inv.InvitedByName = strings.TrimSpace(inv.InvitedByName)
	inv.ContactPreferences, inv.ProductIDs, inv.TeamIDs = fields(prefs), fields(products), fields(teams)
	inv.ExpiresAt, inv.CreatedAt, inv.SentAt = inv.ExpiresAt.UTC(), inv.CreatedAt.UTC(), inv.SentAt.UTC()
	if inv.Status == StatusPending && !now.Before(inv.ExpiresAt) {
		inv.Status = StatusExpired
	}
	return inv, nil
}

func fields(s string) []string {
	f := strings.Fields(s)
	if f == nil {
		return []string{}
	}
	return f
}

// list runs a query on columns and from, with the condition where.
func list(ctx context.Context, q store.Querier, now time.Time, where string, args ...any) ([]Invitation, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+columns+from+where, args...)
	if err != nil {
		return nil, fmt.Errorf("invite: listing invitations: %w", err)
	}
	defer rows.Close()
	out := []Invitation{}
	for rows.Next() {
		inv, err := scan(rows, now)
		if err != nil {
			return nil, fmt.Errorf("invite: reading invitation: %w", err)
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// byID loads invitation invitationID of orgID, or apperr.NotFound.
func byID(ctx context.Context, q store.Querier, now time.Time, orgID, invitationID string) (Invitation, error) {
	if !id.Valid(invitationID) {
		return Invitation{}, apperr.NotFound
	}
	inv, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+from+`WHERE i.organization_id = $1 AND i.id = $2`,
		orgID, invitationID), now)
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, apperr.NotFound
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: loading invitation: %w", err)
	}
	return inv, nil
}

// byToken loads the pending, unexpired invitation of a link's secret, or
// ErrInvitationInvalid.
func byToken(ctx context.Context, q store.Querier, now time.Time, token string) (Invitation, error) {
	if token == "" {
		return Invitation{}, ErrInvitationInvalid
	}
	inv, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+from+`WHERE i.token_hash = $1`, hashSecret(token)), now)
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, ErrInvitationInvalid
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: loading invitation: %w", err)
	}
	if inv.Status != StatusPending {
		return Invitation{}, ErrInvitationInvalid
	}
	return inv, nil
}

// allow loads actorID's membership of orgID and checks action.
func allow(ctx context.Context, q store.Querier, actorID, orgID string, actions ...authz.Action) error {
	actor, err := org.ActorOf(ctx, q, actorID, orgID)
	if err != nil {
		return err
	}
	for _, a := range actions {
		if err := authz.Allow(actor, a); err != nil {
			return err
		}
	}
	return nil
}

// rightsToInvite are the actions needed to invite someone with role.
func rightsToInvite(role string) []authz.Action {
	if role == org.RoleLegalRepresentative {
		return []authz.Action{authz.ManageMembers, authz.AppointLegalRep}
	}
	return []authz.Action{authz.ManageMembers}
}

// newSecret returns a random URL-safe secret and its SHA-256 hash (hex), the
// only form stored.
func newSecret() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("invite: reading random bytes: %w", err)
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret), nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
