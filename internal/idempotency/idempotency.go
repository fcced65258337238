// Package idempotency makes a retried POST harmless (API.md "Writes"): a
// request sent with an Idempotency-Key runs once, and the same key with the
// same request within 24 hours answers the first response again.
//
// One row of idempotency_keys per (owner, key). The primary key decides who
// runs the request: Begin inserts the row "in progress" and only the request
// whose insert succeeds runs; Complete stores its response, Abandon deletes
// the row (after a 5xx, so that a retry can run). Rows older than TTL are
// ignored, may be taken over by a new request, and are deleted by Sweep.
package idempotency

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/store"
)

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// MaxKeyLength bounds the Idempotency-Key header.
const MaxKeyLength = 255

// Store records keys and responses.
type Store struct {
	db    *store.DB
	clock clock.Clock
}

// New returns a store on db reading time from clk.
func New(db *store.DB, clk clock.Clock) *Store {
	return &Store{db: db, clock: clk}
}

// Request identifies what was asked with a key.
type Request struct {
	Owner  string // who may reuse the key: the authenticated user
	Key    string
	Method string
	Path   string
	Body   []byte
}

// Response is a stored answer, replayed byte for byte.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Hash returns the hex SHA-256 of a request body.
func Hash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Begin claims the key for req. It returns (nil, nil) when the caller now
// owns the key and must run the request, then call Complete or Abandon; the
// stored response when the same request already completed; or
// apperr.IdempotencyReuse (another request under this key) or
// apperr.InProgress (the first request is still running).
func (s *Store) Begin(ctx context.Context, req Request) (*Response, error) {
	if req.Key == "" || len(req.Key) > MaxKeyLength {
		return nil, apperr.BadRequest.With(fmt.Sprintf("The Idempotency-Key header must have 1 to %d characters.", MaxKeyLength)).Field("Idempotency-Key")
	}
	hash := Hash(req.Body)
	now := s.clock.Now()
	var replay *Response
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		replay = nil
		// Take over a forgotten key first: older than TTL, it is ignored.
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND created_at <= $3`,
			req.Owner, req.Key, now.Add(-TTL)); err != nil {
			return fmt.Errorf("idempotency: expiring key: %w", err)
		}
		// ON CONFLICT DO NOTHING: the primary key decides, and on
		// PostgreSQL a conflict does not abort the transaction.
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys
			(owner, key, method, path, request_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (owner, key) DO NOTHING`,
			req.Owner, req.Key, req.Method, req.Path, hash, now)
		if err != nil {
			return fmt.Errorf("idempotency: claiming key: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("idempotency: claiming key: %w", err)
		} else if n == 1 {
			return nil
		}
		var (
			method, path, storedHash, contentType string
			status                                int
			body                                  []byte
			completed                             sql.NullTime
		)
		err = tx.QueryRowContext(ctx, `SELECT method, path, request_hash, status_code, response_body, response_type, completed_at
			FROM idempotency_keys WHERE owner = $1 AND key = $2`, req.Owner, req.Key).
			Scan(&method, &path, &storedHash, &status, &body, &contentType, &completed)
		if errors.Is(err, sql.ErrNoRows) {
			// Deleted between our insert and this read (an abandoned
			// request): let the client retry.
			return apperr.InProgress
		}
		if err != nil {
			return fmt.Errorf("idempotency: reading key: %w", err)
		}
		if method != req.Method || path != req.Path || storedHash != hash {
			return apperr.IdempotencyReuse
		}
		if !completed.Valid {
			return apperr.InProgress
		}
		replay = &Response{Status: status, ContentType: contentType, Body: body}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return replay, nil
}

// Complete stores the response of the request that owns the key.
func (s *Store) Complete(ctx context.Context, owner, key string, resp Response) error {
	if resp.Body == nil {
		resp.Body = []byte{}
	}
	_, err := s.db.ExecContext(ctx, `UPDATE idempotency_keys
		SET status_code = $1, response_body = $2, response_type = $3, completed_at = $4
		WHERE owner = $5 AND key = $6`,
		resp.Status, resp.Body, resp.ContentType, s.clock.Now(), owner, key)
	if err != nil {
		return fmt.Errorf("idempotency: storing response: %w", err)
	}
	return nil
}

// Abandon forgets the key, so that the same request can be retried (after a
// server error, whose effects were rolled back).
func (s *Store) Abandon(ctx context.Context, owner, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2`, owner, key); err != nil {
		return fmt.Errorf("idempotency: abandoning key: %w", err)
	}
	return nil
}

// Sweep deletes keys older than TTL.
func Sweep(db *store.DB) jobs.Sweep {
	return jobs.Sweep{
		Name:  "idempotency.expire_keys",
		Every: time.Hour,
		Run: func(ctx context.Context, now time.Time) error {
			if _, err := db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at <= $1`, now.Add(-TTL)); err != nil {
				return fmt.Errorf("idempotency: sweeping keys: %w", err)
			}
			return nil
		},
	}
}
