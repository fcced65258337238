package account

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
)

// Ways to receive a forgotten login e-mail (SEC-9).
const (
	LoginBySMS      = "sms"      // an SMS to the mobile number entered
	LoginByEmail    = "email"    // an e-mail to the account's recovery e-mail
	LoginByIdentity = "identity" // an identity verification by staff
)

// The policy of login reminders.
const (
	LoginRemindersPerPhoneHr = 5  // reminder requests per mobile number and hour
	LoginRemindersPerIPHr    = 20 // reminder requests per client address and hour
)

// ReasonLoginForgotten is the reason of an identity verification asked
// from the forgotten-login page (IDV-1).
const ReasonLoginForgotten = "login_forgotten"

// actionLoginReminder is the audit action of every reminder request; the
// hourly limits count these events.
const actionLoginReminder = "account.login_reminder_requested"

// SendLoginReminder answers a forgotten login e-mail (SEC-9). phone is the
// mobile number in international form; recoveryEmail, when not "", must
// also match. When exactly one account matches, its login e-mail is sent by
// method: LoginBySMS to phone, LoginByEmail to the account's recovery e-mail
// (nothing when it has none or its owner did not confirm it), LoginByIdentity records an identity
// verification request for it. When none or several accounts match, an
// identity verification request (reason ReasonLoginForgotten) is recorded
// whatever the method. The answer is the same in every case.
//
// Errors: validation_failed on "phone", "recovery_email" or "method";
// apperr.TooManyRequests past LoginRemindersPerPhoneHr requests for the
// number or LoginRemindersPerIPHr from the address.
func (s *Service) SendLoginReminder(ctx context.Context, phone, recoveryEmail, method string, meta audit.Meta) error {
	phone, err := validatePhone(phone)
	if err != nil {
		return err
	}
	if phone == "" {
		return apperr.Validation.With("Enter the mobile number in international form, like +41791234567.").Field("phone", "")
	}
	if recoveryEmail = normalizeEmail(recoveryEmail); recoveryEmail != "" {
		if recoveryEmail, err = validateEmail(recoveryEmail); err != nil {
			return apperr.Validation.With("Enter a valid e-mail address, like ada@example.ch.").Field("recovery_email", recoveryEmail)
		}
	}
	if method != LoginBySMS && method != LoginByEmail && method != LoginByIdentity {
		return apperr.Validation.With("Choose how to receive your login e-mail.").Field("method", method)
	}
	rateKey, err := json.Marshal(map[string]string{"phone_hash": hashSecret("phone:" + phone)})
	if err != nil {
		return fmt.Errorf("account: encoding the reminder key: %w", err)
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		if err := s.checkLoginReminderRate(ctx, tx, now, string(rateKey), meta.IP); err != nil {
			return err
		}
		matches, err := s.usersByPhone(ctx, tx, phone, recoveryEmail)
		if err != nil {
			return err
		}
		var u User
		if len(matches) == 1 {
			u = matches[0]
		}
		// One event per request, with the same data whatever matched: the
		// hourly limits count them.
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
			Action: actionLoginReminder, IP: meta.IP, UserAgent: meta.UserAgent,
			Data: map[string]string{"phone_hash": hashSecret("phone:" + phone)}, CreatedAt: now}); err != nil {
			return err
		}
		switch {
		case u.ID == "" || method == LoginByIdentity:
			return s.recordLoginIdentityRequest(ctx, tx, now, u, recoveryEmail, meta)
		case method == LoginBySMS:
			_, err := s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelSMS, To: phone, Language: u.Language,
				Template: "login_reminder_sms", UserID: u.ID, Data: map[string]any{"Login": u.Email}})
			return err
		}
		// The login goes only to a recovery e-mail its owner confirmed.
		to, err := confirmedRecoveryEmail(ctx, tx, u.ID)
		switch {
		case err != nil:
			return err
		case to != "":
			_, err := s.notify.Send(ctx, tx, notify.Message{Channel: notify.ChannelEmail, To: to,
				Language: u.Language, Template: "login_reminder", UserID: u.ID, Data: map[string]any{
					"FirstName": u.FirstName,
					"Login":     u.Email,
				}})
			return err
		}
		return nil
	})
}

// usersByPhone returns up to two accounts with phone (and recoveryEmail
// when not ""): enough to tell none, one and several apart.
func (s *Service) usersByPhone(ctx context.Context, tx *sql.Tx, phone, recoveryEmail string) ([]User, error) {
	query, args := `SELECT `+userColumns+` FROM users WHERE phone = $1`, []any{phone}
	if recoveryEmail != "" {
		query, args = query+` AND recovery_email = $2`, append(args, recoveryEmail)
	}
	rows, err := tx.QueryContext(ctx, query+` ORDER BY id LIMIT 2`, args...)
	if err != nil {
		return nil, fmt.Errorf("account: finding users by phone: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("account: reading a user: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account: finding users by phone: %w", err)
	}
	return out, nil
}

// checkLoginReminderRate refuses a reminder request past the hourly limits;
// rateKey is the audit data that names the phone number.
func (s *Service) checkLoginReminderRate(ctx context.Context, tx *sql.Tx, now time.Time, rateKey, ip string) error {
	since := now.Add(-time.Hour)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND data = $2
		AND created_at > $3`, actionLoginReminder, rateKey, since).Scan(&n); err != nil {
		return fmt.Errorf("account: counting login reminders: %w", err)
	}
	if n >= LoginRemindersPerPhoneHr {
		return apperr.TooManyRequests
	}
	if ip == "" {
		return nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND ip = $2
		AND created_at > $3`, actionLoginReminder, ip, since).Scan(&n); err != nil {
		return fmt.Errorf("account: counting login reminders: %w", err)
	}
	if n >= LoginRemindersPerIPHr {
		return apperr.TooManyRequests
	}
	return nil
}

// recordLoginIdentityRequest records a waiting identity verification for a
// forgotten login: linked to u and its login e-mail when one account
// matched, else to nobody and the recovery e-mail entered (may be "").
func (s *Service) recordLoginIdentityRequest(ctx context.Context, tx *sql.Tx, now time.Time, u User,
	recoveryEmail string, meta audit.Meta) error {
	var uid any
	email := recoveryEmail
	if u.ID != "" {
		uid, email = u.ID, u.Email
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO identity_requests (id, user_id, email, reason, status, created_at)
		VALUES ($1, $2, $3, $4, 'waiting', $5)`, id.New(), uid, email, ReasonLoginForgotten, now); err != nil {
		return fmt.Errorf("account: recording the identity request: %w", err)
	}
	if u.ID == "" {
		return nil
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID,
		Action: "account.identity_verification_requested", IP: meta.IP, UserAgent: meta.UserAgent,
		Data: map[string]string{"reason": ReasonLoginForgotten}, CreatedAt: now})
}
