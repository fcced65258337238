package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// ChallengeTTL is how long a pending sign-in waits for its second step.
const ChallengeTTL = 5 * time.Minute

// ChallengeAttempts is how many wrong codes end a pending sign-in.
const ChallengeAttempts = 5

// StartChallenge opens the second step of a sign-in for userID, after a
// correct password, and returns its secret token (only its hash is kept).
// It lasts ChallengeTTL.
func (s *Service) StartChallenge(ctx context.Context, userID string, meta audit.Meta) (string, error) {
	if !id.Valid(userID) {
		return "", apperr.NotFound
	}
	secret, hash, err := newToken()
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		// Ended pending sign-ins of this user are of no use any more.
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_challenges WHERE user_id = $1
			AND (expires_at <= $2 OR completed_at IS NOT NULL OR attempts >= $3)`, userID, now, ChallengeAttempts); err != nil {
			return fmt.Errorf("security: clearing ended sign-ins: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signin_challenges (id, token_hash, user_id, ip, user_agent,
			attempts, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)`,
			id.New(), hash, userID, meta.IP, meta.UserAgent, now, now.Add(ChallengeTTL)); err != nil {
			return fmt.Errorf("security: starting the second step: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

type challenge struct {
	id, userID string
}

// openChallenge returns the pending sign-in of token, or ErrChallengeInvalid
// when it is unknown, expired, completed or has had too many wrong codes.
func openChallenge(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, token string, now time.Time) (challenge, error) {
	if token == "" {
		return challenge{}, ErrChallengeInvalid
	}
	var c challenge
	err := q.QueryRowContext(ctx, `SELECT id, user_id FROM signin_challenges WHERE token_hash = $1
		AND completed_at IS NULL AND expires_at > $2 AND attempts < $3`, hashHex(token), now, ChallengeAttempts).
		Scan(&c.id, &c.userID)
	if errors.Is(err, sql.ErrNoRows) {
		return challenge{}, ErrChallengeInvalid
	}
	if err != nil {
		return challenge{}, fmt.Errorf("security: loading the pending sign-in: %w", err)
	}
	return c, nil
}

// ChallengeUser returns the user of a pending sign-in, or
// ErrChallengeInvalid.
func (s *Service) ChallengeUser(ctx context.Context, token string) (account.User, error) {
	c, err := openChallenge(ctx, s.db, token, s.clock.Now())
	if err != nil {
		return account.User{}, err
	}
	u, err := s.accounts.Get(ctx, c.userID)
	if errors.Is(err, apperr.NotFound) {
		return account.User{}, ErrChallengeInvalid
	}
	return u, err
}

// CompleteChallenge passes the second step of a pending sign-in with a
// one-time code or an unused backup code, and returns the user; the caller
// then creates the session (account.CreateSession). A wrong code is
// ErrCodeInvalid on "code" and counts as an attempt; the wrong code that
// uses the last of ChallengeAttempts ends the sign-in and is
// ErrChallengeInvalid, as is an unknown, expired or completed challenge.
func (s *Service) CompleteChallenge(ctx context.Context, token, code string, meta audit.Meta) (account.User, error) {
	var wrong, ended bool
	var userID string
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		c, err := openChallenge(ctx, tx, token, now)
		if err != nil {
			return err
		}
		userID = c.userID
		kind, err := useCode(ctx, tx, c.userID, code, now)
		if err != nil {
			return err
		}
		if kind == "" {
			wrong = true
			var attempts int
			if err := tx.QueryRowContext(ctx, `UPDATE signin_challenges SET attempts = attempts + 1
				WHERE id = $1 RETURNING attempts`, c.id).Scan(&attempts); err != nil {
				return fmt.Errorf("security: counting the wrong code: %w", err)
			}
			ended = attempts >= ChallengeAttempts
			return audit.Record(ctx, tx, audit.Event{SubjectUserID: c.userID, Action: "session.second_factor_failed",
				IP: meta.IP, UserAgent: meta.UserAgent, Data: map[string]string{"attempts": strconv.Itoa(attempts)},
				CreatedAt: now})
		}
		return completeChallenge(ctx, tx, c.id, c.userID, kind, meta, now)
	})
	switch {
	case err != nil:
		return account.User{}, err
	case ended:
		return account.User{}, ErrChallengeInvalid
	case wrong:
		return account.User{}, ErrCodeInvalid.Field("code")
	}
	u, err := s.accounts.Get(ctx, userID)
	if errors.Is(err, apperr.NotFound) {
		return account.User{}, ErrChallengeInvalid
	}
	return u, err
}

// completeChallenge ends the pending sign-in challengeID of userID as passed
// with method ("totp", "phone_code", "backup_code", "push", "passkey"), in
// tx; a second completion is ErrChallengeInvalid. Every method completes a
// sign-in through here.
func completeChallenge(ctx context.Context, tx *sql.Tx, challengeID, userID, method string, meta audit.Meta, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE signin_challenges SET completed_at = $1
		WHERE id = $2 AND completed_at IS NULL`, now, challengeID)
	if err != nil {
		return fmt.Errorf("security: completing the sign-in: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrChallengeInvalid
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: userID, SubjectUserID: userID,
		Action: "session.second_factor_ok", IP: meta.IP, UserAgent: meta.UserAgent,
		Data: map[string]string{"method": method}, CreatedAt: now})
}
