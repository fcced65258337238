package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// Security events that can e-mail the user (SEC-6, SEC-7). Each is on until
// the user switches it off.
const (
	EventNewSignIn       = "new_signin"       // a sign-in from a new device or network
	EventSignInFailed    = "signin_failed"    // a wrong password for the login e-mail
	EventTwoStepChanged  = "two_step_changed" // two-step sign-in switched on or off
	EventPasswordChanged = "password_changed" // the password was changed
)

// AlertEvents lists the events a user chooses e-mails for, in display order.
var AlertEvents = []string{EventNewSignIn, EventSignInFailed, EventTwoStepChanged, EventPasswordChanged}

// AlertPreference says whether one security event e-mails the user.
type AlertPreference struct {
	Event string // one of AlertEvents
	Email bool
}

// WantsEmail reports whether userID wants the e-mail of event (SEC-7): true
// unless switched off. q is normally the transaction that sends the e-mail.
// An unknown event is an error.
func WantsEmail(ctx context.Context, q store.Querier, userID, event string) (bool, error) {
	if !slices.Contains(AlertEvents, event) {
		return false, fmt.Errorf("security: unknown alert event %q", event)
	}
	if !id.Valid(userID) {
		return false, apperr.NotFound
	}
	var on bool
	err := q.QueryRowContext(ctx, `SELECT email FROM security_alert_preferences
		WHERE user_id = $1 AND event = $2`, userID, event).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("security: loading the alert preference: %w", err)
	}
	return on, nil
}

// WantsEmail is the package function WantsEmail, for callers holding the
// Service.
func (s *Service) WantsEmail(ctx context.Context, q store.Querier, userID, event string) (bool, error) {
	return WantsEmail(ctx, q, userID, event)
}

// AlertPreferences returns userID's choice for every event of AlertEvents,
// in that order.
func (s *Service) AlertPreferences(ctx context.Context, userID string) ([]AlertPreference, error) {
	return alertPreferences(ctx, s.db, userID)
}

func alertPreferences(ctx context.Context, q store.Querier, userID string) ([]AlertPreference, error) {
	if !id.Valid(userID) {
		return nil, apperr.NotFound
	}
	rows, err := q.QueryContext(ctx, `SELECT event, email FROM security_alert_preferences WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("security: listing alert preferences: %w", err)
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var ev string
		var on bool
		if err := rows.Scan(&ev, &on); err != nil {
			return nil, fmt.Errorf("security: reading alert preferences: %w", err)
		}
		set[ev] = on
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("security: reading alert preferences: %w", err)
	}
	out := make([]AlertPreference, len(AlertEvents))
	for i, ev := range AlertEvents {
		on, ok := set[ev]
		out[i] = AlertPreference{Event: ev, Email: on || !ok}
	}
	return out, nil
}

// SetAlertPreferences changes the events named in changes (event → e-mail
// on) and keeps the others (SEC-7); an unknown event is validation_failed on
// the attribute "event". It returns every preference after the change.
func (s *Service) SetAlertPreferences(ctx context.Context, userID string, changes map[string]bool, meta audit.Meta) ([]AlertPreference, error) {
	if !id.Valid(userID) {
		return nil, apperr.NotFound
	}
	for ev := range changes {
		if !slices.Contains(AlertEvents, ev) {
			return nil, apperr.Validation.With("Unknown security event: choose among new_signin, signin_failed, two_step_changed and password_changed.").
				Field("event", ev)
		}
	}
	var out []AlertPreference
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		data := map[string]string{}
		for _, ev := range AlertEvents {
			on, ok := changes[ev]
			if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO security_alert_preferences (user_id, event, email, updated_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, event) DO UPDATE SET email = excluded.email,
				updated_at = excluded.updated_at`, userID, ev, on, now); err != nil {
				return fmt.Errorf("security: saving the alert preference: %w", err)
			}
			data[ev] = fmt.Sprint(on)
		}
		if len(data) > 0 {
			if err := audit.Record(ctx, tx, audit.Event{ActorID: actor(meta, userID), SubjectUserID: userID,
				Action: "security.alert_preferences_changed", IP: meta.IP, UserAgent: meta.UserAgent,
				Data: data, CreatedAt: now}); err != nil {
				return err
			}
		}
		var err error
		out, err = alertPreferences(ctx, tx, userID)
		return err
	})
	return out, err
}
