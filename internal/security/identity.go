package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/store"
)

// ReasonTwoStepLost is the reason of the identity verification asked to
// switch two-step sign-in off without a working method (SEC-5, IDV-1).
const ReasonTwoStepLost = "two_step_lost"

// IdentityRequest is a request waiting for staff to verify the identity of
// the person behind an account (IDV-1).
type IdentityRequest struct {
	ID        string
	Reason    string // ReasonTwoStepLost
	Status    string // "waiting" until staff decide
	CreatedAt time.Time
}

// RequestSwitchOff opens, from a pending sign-in (the password was right,
// no method works: phone lost, no backup code left), the identity
// verification that may switch two-step sign-in off (SEC-5). Two-step
// sign-in stays on until staff decide. See requestSwitchOff for the rest.
// An ended or unknown pending sign-in is ErrChallengeInvalid.
func (s *Service) RequestSwitchOff(ctx context.Context, challengeToken string, meta audit.Meta) (IdentityRequest, error) {
	c, err := openChallenge(ctx, s.db, challengeToken, s.clock.Now())
	if err != nil {
		return IdentityRequest{}, err
	}
	u, err := s.accounts.Get(ctx, c.userID)
	if errors.Is(err, apperr.NotFound) {
		return IdentityRequest{}, ErrChallengeInvalid
	}
	if err != nil {
		return IdentityRequest{}, err
	}
	return s.requestSwitchOff(ctx, u, func(tx *sql.Tx, now time.Time) error {
		_, err := openChallenge(ctx, tx, challengeToken, now) // still pending
		return err
	}, meta)
}

// RequestSwitchOffSignedIn is RequestSwitchOff for a signed-in user who can
// no longer produce a code (for instance signed in with the last backup
// code).
func (s *Service) RequestSwitchOffSignedIn(ctx context.Context, userID string, meta audit.Meta) (IdentityRequest, error) {
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return IdentityRequest{}, err
	}
	return s.requestSwitchOff(ctx, u, nil, meta)
}

// requestSwitchOff records the request of u (identity_requests, reason
// ReasonTwoStepLost, with the login e-mail and phone for staff), audits it
// ("security.identity_requested") and tells the login address by e-mail,
// and the phone by SMS when there is one: a request was opened, what
// happens next, and to change the password if it was not them (no link,
// SEC-6). A user has at most one waiting request: asking again answers it,
// without a new message. ErrTwoStepOff when two-step sign-in is off.
func (s *Service) requestSwitchOff(ctx context.Context, u account.User, check func(*sql.Tx, time.Time) error, meta audit.Meta) (IdentityRequest, error) {
	var req IdentityRequest
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		if check != nil {
			if err := check(tx, now); err != nil {
				return err
			}
		}
		n, err := methodCount(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrTwoStepOff
		}
		open, found, err := waitingRequest(ctx, tx, u.ID)
		if err != nil || found {
			req = open
			return err
		}
		req = IdentityRequest{ID: id.New(), Reason: ReasonTwoStepLost, Status: "waiting", CreatedAt: now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO identity_requests (id, user_id, email, phone, reason, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, req.ID, u.ID, u.Email, u.Phone, req.Reason, req.Status, now); err != nil {
			return fmt.Errorf("security: recording the identity request: %w", err)
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: "security.identity_requested", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"reason": req.Reason}, CreatedAt: now}); err != nil {
			return err
		}
		at := formatTime(now, u.TimeZone)
		if _, err := s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: u.Email, Language: u.Language,
			Template: "security_identity_request", UserID: u.ID,
			Data: map[string]any{"FirstName": u.FirstName, "Time": at}}); err != nil {
			return fmt.Errorf("security: e-mailing the identity request: %w", err)
		}
		if u.Phone == "" {
			return nil
		}
		if _, err := s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelSMS, To: u.Phone, Language: u.Language,
			Template: "security_identity_request_sms", UserID: u.ID, Data: map[string]any{"Time": at}}); err != nil {
			return fmt.Errorf("security: sending the identity request SMS: %w", err)
		}
		return nil
	})
	if err != nil {
		return IdentityRequest{}, err
	}
	return req, nil
}

// waitingRequest returns userID's waiting request to switch two-step
// sign-in off; found is false when there is none.
func waitingRequest(ctx context.Context, q store.Querier, userID string) (req IdentityRequest, found bool, err error) {
	req.Reason = ReasonTwoStepLost
	err = q.QueryRowContext(ctx, `SELECT CAST(id AS text), status, created_at FROM identity_requests
		WHERE user_id = $1 AND reason = $2 AND status = 'waiting' ORDER BY created_at DESC LIMIT 1`,
		userID, ReasonTwoStepLost).Scan(&req.ID, &req.Status, &req.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return IdentityRequest{}, false, nil
	}
	if err != nil {
		return IdentityRequest{}, false, fmt.Errorf("security: loading identity requests: %w", err)
	}
	req.CreatedAt = req.CreatedAt.UTC()
	return req, true, nil
}
