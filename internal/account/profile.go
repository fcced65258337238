package account

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/alpage/alpage/internal/audit"
)

// ProfileUpdate lists the profile fields to change; nil leaves one as it is.
type ProfileUpdate struct {
	FirstName *string
	LastName  *string
	Language  *string
	Country   *string
	TimeZone  *string
	Phone     *string
	// RecoveryEmail is the recovery e-mail (ACC-1), "" to remove it. A new
	// address gets a confirmation link and is used for recovery only once
	// confirmed (see SetRecoveryEmail).
	RecoveryEmail *string
}

// UpdateProfile changes the profile's names, language, country, time zone,
// phone and recovery e-mail (ACC-1, UI-5), in one transaction: a bad value
// refuses the whole change.
func (s *Service) UpdateProfile(ctx context.Context, userID string, upd ProfileUpdate, meta audit.Meta) (User, error) {
	var u User
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = getUser(ctx, tx, userID); err != nil {
			return err
		}
		changed := map[string]string{}
		set := func(attr string, v *string, validate func(string) (string, error), dst *string) error {
			if v == nil {
				return nil
			}
			clean, err := validate(*v)
			if err != nil {
				return err
			}
			if clean != *dst {
				changed[attr] = clean
				*dst = clean
			}
			return nil
		}
		for _, f := range []struct {
			attr     string
			v        *string
			validate func(string) (string, error)
			dst      *string
		}{
			{"first_name", upd.FirstName, func(v string) (string, error) { return validateName("first_name", v) }, &u.FirstName},
			{"last_name", upd.LastName, func(v string) (string, error) { return validateName("last_name", v) }, &u.LastName},
			{"language", upd.Language, validateLanguage, &u.Language},
			{"country", upd.Country, validateCountry, &u.Country},
			{"time_zone", upd.TimeZone, validateTimeZone, &u.TimeZone},
			{"phone", upd.Phone, validatePhone, &u.Phone},
		} {
			if err := set(f.attr, f.v, f.validate, f.dst); err != nil {
				return err
			}
		}
		now := s.clock.Now()
		if upd.RecoveryEmail != nil {
			// Validated before anything is written; it audits itself.
			if _, err := cleanRecoveryEmail(u, *upd.RecoveryEmail); err != nil {
				return err
			}
		}
		if len(changed) > 0 {
			if err := s.saveProfile(ctx, tx, &u, changed, meta, now); err != nil {
				return err
			}
		}
		if upd.RecoveryEmail != nil {
			if _, err := s.setRecoveryEmail(ctx, tx, &u, *upd.RecoveryEmail, meta, now); err != nil {
				return err
			}
		}
		return nil
	})
	return u, err
}

// saveProfile writes u's changed profile fields and audits their names.
func (s *Service) saveProfile(ctx context.Context, tx *sql.Tx, u *User, changed map[string]string, meta audit.Meta, now time.Time) error {
	u.UpdatedAt = now
	if _, err := tx.ExecContext(ctx, `UPDATE users SET first_name = $1, last_name = $2, language = $3,
			country = $4, time_zone = $5, phone = $6, updated_at = $7 WHERE id = $8`,
		u.FirstName, u.LastName, u.Language, u.Country, u.TimeZone, u.Phone, now, u.ID); err != nil {
		return fmt.Errorf("account: updating profile: %w", err)
	}
	fields := make([]string, 0, len(changed))
	for k := range changed {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	data := map[string]string{}
	for _, f := range fields {
		data[f] = "changed"
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID, Action: "account.profile_changed",
		IP: meta.IP, UserAgent: meta.UserAgent, Data: data, CreatedAt: now})
}
