package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// PushRequest is a sign-in waiting for a phone's answer, as the phone shows
// it (SEC-4).
type PushRequest struct {
	ID        string
	UserID    string
	Account   string // the login e-mail of the account signing in
	Device    string // "Firefox on Windows"
	UserAgent string
	IP        string
	Place     string // "" without a GeoIP database
	CreatedAt time.Time
	ExpiresAt time.Time
	Numbers   [3]int // one of them is the browser's
}

// PushRequests lists the pending sign-in requests of every account the
// phone deviceID holds, oldest first; places are named in lang.
func (s *Service) PushRequests(ctx context.Context, deviceID, lang string) ([]PushRequest, error) {
	if !id.Valid(deviceID) {
		return nil, apperr.NotFound
	}
	now := s.clock.Now()
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.user_id, u.email, p.user_agent, p.ip, p.number, p.created_at, p.expires_at
		FROM push_challenges p
		JOIN authenticator_links l ON l.user_id = p.user_id AND l.device_id = $1
		JOIN users u ON u.id = p.user_id
		JOIN signin_challenges c ON c.id = p.signin_challenge_id
		WHERE p.status = 'pending' AND p.expires_at > $2 AND c.completed_at IS NULL AND c.expires_at > $2
		ORDER BY p.created_at, p.id`, deviceID, now)
	if err != nil {
		return nil, fmt.Errorf("security: listing sign-in requests: %w", err)
	}
	defer rows.Close()
	out := []PushRequest{}
	for rows.Next() {
		var r PushRequest
		var number int
		if err := rows.Scan(&r.ID, &r.UserID, &r.Account, &r.UserAgent, &r.IP, &number, &r.CreatedAt, &r.ExpiresAt); err != nil {
			return nil, fmt.Errorf("security: reading sign-in requests: %w", err)
		}
		r.CreatedAt, r.ExpiresAt = r.CreatedAt.UTC(), r.ExpiresAt.UTC()
		r.Device = DeviceLabel(r.UserAgent)
		r.Numbers = decoys(r.ID, number)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("security: reading sign-in requests: %w", err)
	}
	for i := range out {
		out[i].Place = s.place(out[i].IP, lang)
	}
	return out, nil
}

// ApprovePush is YES on the phone deviceID to the request pushID, with the
// number the person picked: the right one approves it (the browser then
// completes the sign-in by itself); a wrong one rejects it and ends the
// sign-in (ErrPushNumberWrong). A request answered already, unknown, or of
// an account the phone does not hold is apperr.NotFound; one past PushTTL
// is ErrPushExpired.
func (s *Service) ApprovePush(ctx context.Context, deviceID, pushID string, number int, meta audit.Meta) error {
	return s.answerPush(ctx, deviceID, pushID, number, true, meta)
}

// RejectPush is NO on the phone deviceID to the request pushID: the
// sign-in is refused. Errors as ApprovePush.
func (s *Service) RejectPush(ctx context.Context, deviceID, pushID string, meta audit.Meta) error {
	return s.answerPush(ctx, deviceID, pushID, 0, false, meta)
}

func (s *Service) answerPush(ctx context.Context, deviceID, pushID string, number int, yes bool, meta audit.Meta) error {
	if !id.Valid(deviceID) || !id.Valid(pushID) {
		return apperr.NotFound
	}
	var wrong, expired bool
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		p, err := scanPush(tx.QueryRowContext(ctx, `SELECT `+pushColumns+` FROM push_challenges p
			WHERE id = $1 AND EXISTS (SELECT 1 FROM authenticator_links l WHERE l.user_id = p.user_id AND l.device_id = $2)`,
			pushID, deviceID))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound
		}
		if err != nil {
			return fmt.Errorf("security: loading the sign-in request: %w", err)
		}
		if expired, err = expirePush(ctx, tx, p, meta, now); err != nil || expired {
			return err
		}
		if p.status != PushPending {
			return apperr.NotFound
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM signin_challenges WHERE id = $1
			AND completed_at IS NULL AND expires_at > $2`, p.challengeID, now).Scan(&open); err != nil {
			return fmt.Errorf("security: loading the sign-in: %w", err)
		}
		if open == 0 { // completed with a code meanwhile, or ended
			return apperr.NotFound
		}
		wrong = yes && number != p.number
		status, action := PushApproved, "session.push_approved"
		data := map[string]string{"push": p.id, "device": deviceID}
		if !yes || wrong {
			status, action = PushRejected, "session.push_rejected"
		}
		if wrong {
			data["reason"], data["number"] = "wrong_number", strconv.Itoa(number)
		}
		res, err := tx.ExecContext(ctx, `UPDATE push_challenges SET status = $1, device_id = $2, answered_at = $3
			WHERE id = $4 AND status = 'pending'`, status, deviceID, now, p.id)
		if err != nil {
			return fmt.Errorf("security: answering the sign-in request: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.NotFound
		}
		if status == PushRejected {
			if err := endSignIn(ctx, tx, p.challengeID, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: p.userID, SubjectUserID: p.userID, Action: action,
			IP: meta.IP, UserAgent: meta.UserAgent, Data: data, CreatedAt: now})
	})
	switch {
	case err != nil:
		return err
	case expired:
		return ErrPushExpired
	case wrong:
		return ErrPushNumberWrong
	}
	return nil
}
