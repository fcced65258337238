package account

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

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
}

// UpdateProfile changes the profile's names, language, country, time zone
// and phone (ACC-1, UI-5). A bad value refuses the whole change.
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
		if len(changed) == 0 {
			return nil
		}
		now := s.clock.Now()
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
	})
	return u, err
}
