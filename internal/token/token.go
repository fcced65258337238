// Package token holds personal API tokens (API-1, ACC-3): created and revoked
// by their user, shown once, stored as a SHA-256 hash, with a name, scopes,
// an optional expiry and the time of last use. A token acts as its user,
// within its scopes, and never beyond the user's own rights.
package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// The scopes a token may carry.
const (
	// ScopeAll lets a token do everything its user may do as a customer.
	ScopeAll = "all"
	// ScopeOperator lets a token use the operator routes (webhook
	// endpoints, bank files). "all" never implies it: it is carried
	// explicitly, and only `alpage token create --scopes operator` makes it
	// (CreateCustomer, used by the API and the console, refuses it).
	ScopeOperator = "operator"
)

// Scopes a token may carry.
var Scopes = []string{ScopeAll, ScopeOperator}

// ErrOperatorScope refuses an operator token asked for through the API or
// the console: only someone who runs the server may make one.
var ErrOperatorScope = apperr.Validation.With(
	"Operator tokens come from the command line of the server: alpage token create --email E --name N --scopes operator.").
	Field("scopes", ScopeOperator)

// MaxPerUser bounds how many tokens one user keeps.
const MaxPerUser = 50

// Prefix starts every token, so that secret scanners recognise a leaked one.
const Prefix = "alp_"

// ErrTooMany refuses a token beyond MaxPerUser.
var ErrTooMany = apperr.Register("too_many_tokens", http.StatusConflict,
	"You have reached the maximum of 50 API tokens: delete one you no longer use.")

// Token is a personal API token, without its secret.
type Token struct {
	ID         string
	UserID     string
	Name       string
	Prefix     string // the first characters of the secret, to recognise it
	Scopes     []string
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	CreatedAt  time.Time
}

// Service manages tokens.
type Service struct {
	db    *store.DB
	clock clock.Clock
}

// New returns the token service.
func New(db *store.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk}
}

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newSecret() (string, error) {
	b := make([]byte, 40)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: reading random bytes: %w", err)
	}
	var sb strings.Builder
	sb.WriteString(Prefix)
	for _, c := range b {
		sb.WriteByte(alphabet[int(c)%len(alphabet)]) // 256 % 57 bias is negligible for 40 chars
	}
	return sb.String(), nil
}

// CreateCustomer is Create for a token asked for by its user, through the
// API or the console: the operator scope is refused (ErrOperatorScope).
func (s *Service) CreateCustomer(ctx context.Context, userID, name string, scopes []string, expiresAt *time.Time, meta audit.Meta) (string, Token, error) {
	if slices.Contains(scopes, ScopeOperator) {
		return "", Token{}, ErrOperatorScope
	}
	return s.Create(ctx, userID, name, scopes, expiresAt, meta)
}

// Create makes a token for userID and returns its secret, shown this once.
// It may carry the operator scope: it is the command line's
// (`alpage token create`); requests from users go through CreateCustomer.
func (s *Service) Create(ctx context.Context, userID, name string, scopes []string, expiresAt *time.Time, meta audit.Meta) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", Token{}, apperr.Validation.With("Give the token a name of 1 to 100 characters.").Field("name", name)
	}
	if len(scopes) == 0 {
		scopes = []string{ScopeAll}
	}
	scopes = slices.Clone(scopes)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	for _, sc := range scopes {
		if !slices.Contains(Scopes, sc) {
			return "", Token{}, apperr.Validation.With("Unknown scope: the scopes are "+strings.Join(Scopes, ", ")+".").Field("scopes", sc)
		}
	}
	now := s.clock.Now()
	if expiresAt != nil && !expiresAt.After(now) {
		return "", Token{}, apperr.Validation.With("The expiry must be in the future.").Field("expires_at", expiresAt.Format(time.RFC3339))
	}
	secret, err := newSecret()
	if err != nil {
		return "", Token{}, err
	}
	t := Token{ID: id.New(), UserID: userID, Name: name, Prefix: secret[:len(Prefix)+6], Scopes: scopes, CreatedAt: now}
	if expiresAt != nil {
		e := expiresAt.UTC()
		t.ExpiresAt = &e
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE user_id = $1`, userID).Scan(&n); err != nil {
			return fmt.Errorf("token: counting tokens: %w", err)
		}
		if n >= MaxPerUser {
			return ErrTooMany
		}
		var exp any
		if t.ExpiresAt != nil {
			exp = *t.ExpiresAt
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, scopes,
			expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			t.ID, userID, t.Name, hash(secret), t.Prefix, strings.Join(scopes, " "), exp, now); err != nil {
			return fmt.Errorf("token: creating token: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: userID, Action: "token.created",
			IP: meta.IP, UserAgent: meta.UserAgent, Data: map[string]string{"name": t.Name, "token_id": t.ID}, CreatedAt: now})
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

const columns = `id, user_id, name, prefix, scopes, expires_at, last_used_at, created_at`

func scan(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var scopes string
	var exp, used sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &scopes, &exp, &used, &t.CreatedAt); err != nil {
		return Token{}, err
	}
	t.Scopes = strings.Fields(scopes)
	t.ExpiresAt, t.LastUsedAt = store.NullTime(exp), store.NullTime(used)
	return t, nil
}

// List returns userID's tokens, newest first.
func (s *Service) List(ctx context.Context, userID string) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+columns+` FROM api_tokens WHERE user_id = $1
		ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("token: listing tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("token: reading token: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Delete revokes one of userID's tokens; someone else's is "not found".
func (s *Service) Delete(ctx context.Context, userID, tokenID string, meta audit.Meta) error {
	if !id.Valid(tokenID) {
		return apperr.NotFound
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, tokenID, userID)
		if err != nil {
			return fmt.Errorf("token: deleting token: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.NotFound
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: userID, Action: "token.deleted",
			IP: meta.IP, UserAgent: meta.UserAgent, Data: map[string]string{"token_id": tokenID}, CreatedAt: s.clock.Now()})
	})
}

// Authenticate returns the token whose secret is given, or
// apperr.NotAuthorized when it is unknown, revoked or expired.
func (s *Service) Authenticate(ctx context.Context, secret string) (Token, error) {
	if !strings.HasPrefix(secret, Prefix) || len(secret) > 200 {
		return Token{}, apperr.NotAuthorized
	}
	h := hash(secret)
	t, err := scan(s.db.QueryRowContext(ctx, `SELECT `+columns+` FROM api_tokens WHERE token_hash = $1`, h))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, apperr.NotAuthorized
	}
	if err != nil {
		return Token{}, fmt.Errorf("token: loading token: %w", err)
	}
	now := s.clock.Now()
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return Token{}, apperr.NotAuthorized.With("This token has expired: create a new one.")
	}
	// Record use at most once a minute, to spare a write per request.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2`, now, h); err != nil {
			return Token{}, fmt.Errorf("token: recording use: %w", err)
		}
		t.LastUsedAt = &now
	}
	return t, nil
}

// HasScope reports whether t allows scope. "all" allows every scope but
// the operator's, which a token must carry itself.
func (t Token) HasScope(scope string) bool {
	if slices.Contains(t.Scopes, scope) {
		return true
	}
	return scope != ScopeOperator && slices.Contains(t.Scopes, ScopeAll)
}

// Operator reports whether t carries the operator scope.
func (t Token) Operator() bool { return slices.Contains(t.Scopes, ScopeOperator) }
