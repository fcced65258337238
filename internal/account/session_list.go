package account

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/id"
)

// Sessions lists the active sessions of userID (signed-in browsers not past
// their end nor idle too long), newest first, for the console's security
// page.
func (s *Service) Sessions(ctx context.Context, userID string) ([]Session, error) {
	if !id.Valid(userID) {
		return nil, apperr.NotFound
	}
	now := s.clock.Now()
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id, organization_id, ip, user_agent, created_at,
		last_seen_at, expires_at FROM sessions
		WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3
		ORDER BY created_at DESC, id DESC`, userID, now, now.Add(-s.opts.SessionIdleTimeout))
	if err != nil {
		return nil, fmt.Errorf("account: listing sessions: %w", err)
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var sess Session
		var orgID sql.NullString
		if err := rows.Scan(&sess.ID, &sess.UserID, &orgID, &sess.IP, &sess.UserAgent, &sess.CreatedAt,
			&sess.LastSeenAt, &sess.ExpiresAt); err != nil {
			return nil, fmt.Errorf("account: reading sessions: %w", err)
		}
		sess.OrganizationID = orgID.String
		out = append(out, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account: reading sessions: %w", err)
	}
	return out, nil
}
