package security

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// SignOutSession ends one session of userID, from the sessions list; a
// session of another user, or none, is apperr.NotFound.
func (s *Service) SignOutSession(ctx context.Context, userID, sessionID string, meta audit.Meta) error {
	if !id.Valid(userID) || !id.Valid(sessionID) {
		return apperr.NotFound
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 AND user_id = $2`, sessionID, userID)
		if err != nil {
			return fmt.Errorf("security: signing the session out: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.NotFound
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: actor(meta, userID), SubjectUserID: userID,
			Action: "session.signed_out_remotely", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"session_id": sessionID}, CreatedAt: s.clock.Now()})
	})
}

// SignOutOthers ends every session of userID but keepSessionID (the
// caller's; "" ends all) and returns how many ended.
func (s *Service) SignOutOthers(ctx context.Context, userID, keepSessionID string, meta audit.Meta) (int, error) {
	if !id.Valid(userID) {
		return 0, apperr.NotFound
	}
	var ended int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if id.Valid(keepSessionID) {
			res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keepSessionID)
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		}
		if err != nil {
			return fmt.Errorf("security: signing other sessions out: %w", err)
		}
		ended, _ = res.RowsAffected()
		return audit.Record(ctx, tx, audit.Event{ActorID: actor(meta, userID), SubjectUserID: userID,
			Action: "session.others_signed_out", IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"sessions_ended": strconv.FormatInt(ended, 10)}, CreatedAt: s.clock.Now()})
	})
	if err != nil {
		return 0, err
	}
	return int(ended), nil
}
