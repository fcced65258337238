package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// Session is a signed-in browser. Its secret token lives only in the cookie;
// the database keeps its hash.
type Session struct {
	ID             string
	UserID         string
	OrganizationID string // the organization selected in the switcher
	IP             string
	UserAgent      string
	CreatedAt      time.Time
	LastSeenAt     time.Time
	ExpiresAt      time.Time // absolute end, whatever the activity
}

// CreateSession signs userID in and returns the session's secret token. The
// console calls it after Authenticate, and deletes the previous session: the
// token is renewed at every sign-in.
func (s *Service) CreateSession(ctx context.Context, userID string, meta audit.Meta) (string, Session, error) {
	secret, hash, err := newSecret()
	if err != nil {
		return "", Session{}, err
	}
	now := s.clock.Now()
	sess := Session{ID: id.New(), UserID: userID, IP: meta.IP, UserAgent: meta.UserAgent,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.opts.SessionLifetime)}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, id, user_id, ip, user_agent, created_at,
			last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
			hash, sess.ID, userID, sess.IP, sess.UserAgent, now, sess.ExpiresAt); err != nil {
			return fmt.Errorf("account: creating session: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: userID, SubjectUserID: userID, Action: "session.signed_in",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now})
	})
	if err != nil {
		return "", Session{}, err
	}
	return secret, sess, nil
}

// SessionByToken returns the session of a cookie's token and its user, or
// apperr.NotAuthorized when it is unknown, idle too long or past its end.
func (s *Service) SessionByToken(ctx context.Context, token string) (Session, User, error) {
	if token == "" {
		return Session{}, User{}, apperr.NotAuthorized
	}
	hash := hashSecret(token)
	var sess Session
	var orgID sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT id, user_id, organization_id, ip, user_agent, created_at,
		last_seen_at, expires_at FROM sessions WHERE id_hash = $1`, hash).
		Scan(&sess.ID, &sess.UserID, &orgID, &sess.IP, &sess.UserAgent, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, apperr.NotAuthorized
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("account: loading session: %w", err)
	}
	sess.OrganizationID = orgID.String
	now := s.clock.Now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.opts.SessionIdleTimeout {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hash); err != nil {
			return Session{}, User{}, fmt.Errorf("account: ending session: %w", err)
		}
		return Session{}, User{}, apperr.NotAuthorized
	}
	u, err := s.Get(ctx, sess.UserID)
	if err != nil {
		return Session{}, User{}, err
	}
	// Record activity at most once a minute: enough for the idle timeout.
	if now.Sub(sess.LastSeenAt) >= time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2`, now, hash); err != nil {
			return Session{}, User{}, fmt.Errorf("account: touching session: %w", err)
		}
		sess.LastSeenAt = now
	}
	return sess, u, nil
}

// DeleteSession signs a session out. Deleting an unknown token is not an error.
func (s *Service) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hashSecret(token)); err != nil {
		return fmt.Errorf("account: deleting session: %w", err)
	}
	return nil
}

// SetSessionOrganization selects the organization a session works in. The
// user must belong to it; otherwise it is "not found" (ORG-9).
func (s *Service) SetSessionOrganization(ctx context.Context, sessionID, orgID string) error {
	if !id.Valid(orgID) || !id.Valid(sessionID) {
		return apperr.NotFound
	}
	res, err := s.db.ExecContext(ctx, `UPDATE sessions SET organization_id = $1 WHERE id = $2
		AND EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = $1 AND m.user_id = sessions.user_id)`,
		orgID, sessionID)
	if err != nil {
		return fmt.Errorf("account: switching organization: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.NotFound
	}
	return nil
}

// SweepSessions deletes sessions past their end or idle timeout; the app
// registers it as a periodic sweep.
func (s *Service) SweepSessions(ctx context.Context, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`,
		now, now.Add(-s.opts.SessionIdleTimeout))
	if err != nil {
		return fmt.Errorf("account: sweeping sessions: %w", err)
	}
	return nil
}
