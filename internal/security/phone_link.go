package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// Linking a phone from the phone itself (SEC-3): the person signs in on the
// phone — password, then a one-time or backup code when two-step sign-in is
// already on — and allows the phone to approve their sign-ins. The steps
// share one pending sign-in (signin_challenges): it is completed once both
// steps passed, and the link consumes it; it can never open a session.

// ErrCodeRequired asks for the second step when two-step sign-in is on.
var ErrCodeRequired = apperr.Register("code_required", http.StatusUnprocessableEntity,
	"Two-step sign-in is on for this account: enter a one-time code or a backup code too.")

// PhoneLinkStart is a phone link whose password was right.
type PhoneLinkStart struct {
	Token     string // the pending link's secret, for the next steps
	Email     string
	NeedsCode bool // two-step sign-in is on: a code must follow
}

// PhoneLinked is the result of linking a phone.
type PhoneLinked struct {
	User        account.User
	DeviceToken string   // a new phone's token, to keep; "" when the phone was known
	BackupCodes []string // shown once when the phone is the first method; else nil
}

// StartPhoneLink checks the e-mail and password typed on the phone
// (account.Authenticate: throttled, the same refusal for an unknown e-mail
// and a wrong password) and opens a pending link that lasts ChallengeTTL.
func (s *Service) StartPhoneLink(ctx context.Context, email, password string, meta audit.Meta) (PhoneLinkStart, error) {
	u, err := s.accounts.Authenticate(ctx, email, password, meta)
	if err != nil {
		return PhoneLinkStart{}, err
	}
	needs, err := s.Required(ctx, u.ID)
	if err != nil {
		return PhoneLinkStart{}, err
	}
	token, hash, err := newToken()
	if err != nil {
		return PhoneLinkStart{}, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		cid := id.New()
		if _, err := tx.ExecContext(ctx, `INSERT INTO signin_challenges (id, token_hash, user_id, ip, user_agent,
			attempts, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)`,
			cid, hash, u.ID, meta.IP, meta.UserAgent, now, now.Add(ChallengeTTL)); err != nil {
			return fmt.Errorf("security: starting the phone link: %w", err)
		}
		if needs {
			return nil
		}
		// The password was the only step.
		_, err := tx.ExecContext(ctx, `UPDATE signin_challenges SET completed_at = $1 WHERE id = $2`, now, cid)
		if err != nil {
			return fmt.Errorf("security: starting the phone link: %w", err)
		}
		return nil
	})
	if err != nil {
		return PhoneLinkStart{}, err
	}
	return PhoneLinkStart{Token: token, Email: u.Email, NeedsCode: needs}, nil
}

// PhoneLinkUser returns the account of a pending phone link and whether
// its steps are all passed; ErrChallengeInvalid when it expired or was used.
func (s *Service) PhoneLinkUser(ctx context.Context, token string) (account.User, bool, error) {
	if token == "" {
		return account.User{}, false, ErrChallengeInvalid
	}
	var userID string
	var completed sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT user_id, completed_at FROM signin_challenges WHERE token_hash = $1
		AND expires_at > $2 AND attempts < $3`, hashHex(token), s.clock.Now(), ChallengeAttempts).Scan(&userID, &completed)
	if errors.Is(err, sql.ErrNoRows) {
		return account.User{}, false, ErrChallengeInvalid
	}
	if err != nil {
		return account.User{}, false, fmt.Errorf("security: loading the phone link: %w", err)
	}
	u, err := s.accounts.Get(ctx, userID)
	if errors.Is(err, apperr.NotFound) {
		return account.User{}, false, ErrChallengeInvalid
	}
	return u, completed.Valid, err
}

// PassPhoneLinkCode checks the second step of a pending phone link: a
// one-time code (of the app or of another linked phone) or an unused backup
// code. A wrong code is ErrCodeInvalid on "code" and counts as an attempt;
// the last of ChallengeAttempts ends the link (ErrChallengeInvalid).
func (s *Service) PassPhoneLinkCode(ctx context.Context, token, code string, meta audit.Meta) error {
	var wrong, ended bool
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		c, err := openChallenge(ctx, tx, token, now)
		if err != nil {
			return err
		}
		kind, err := useCode(ctx, tx, c.userID, code, now)
		if err != nil {
			return err
		}
		if kind != "" {
			return completeChallenge(ctx, tx, c.id, c.userID, kind, meta, now)
		}
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
	})
	switch {
	case err != nil:
		return err
	case ended:
		return ErrChallengeInvalid
	case wrong:
		return ErrCodeInvalid.Field("code")
	}
	return nil
}

// FinishPhoneLink links the phone of deviceToken (or a new phone named
// name) to the account of a pending link whose steps all passed, and ends
// the pending link. A link whose code is still missing is ErrCodeRequired.
func (s *Service) FinishPhoneLink(ctx context.Context, token, deviceToken, name string, meta audit.Meta) (PhoneLinked, error) {
	// The user is read before the transaction (SQLite has one connection);
	// the transaction checks that the pending link is still theirs.
	u, _, err := s.PhoneLinkUser(ctx, token)
	if err != nil {
		return PhoneLinked{}, err
	}
	var out PhoneLinked
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var cid, userID string
		var completed sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT id, user_id, completed_at FROM signin_challenges WHERE token_hash = $1
			AND expires_at > $2 AND attempts < $3`, hashHex(token), now, ChallengeAttempts).Scan(&cid, &userID, &completed)
		if errors.Is(err, sql.ErrNoRows) || userID != u.ID {
			return ErrChallengeInvalid
		}
		if err != nil {
			return fmt.Errorf("security: loading the phone link: %w", err)
		}
		if !completed.Valid {
			return ErrCodeRequired.Field("code")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_challenges WHERE id = $1`, cid); err != nil {
			return fmt.Errorf("security: ending the phone link: %w", err)
		}
		deviceID, newTok, err := deviceForLink(ctx, tx, deviceToken, name, meta.UserAgent, now)
		if err != nil {
			return err
		}
		meta.ActorID = u.ID
		codes, err := s.linkPhone(ctx, tx, u, deviceID, meta, now)
		if err != nil {
			return err
		}
		out = PhoneLinked{User: u, DeviceToken: newTok, BackupCodes: codes}
		return nil
	})
	if err != nil {
		return PhoneLinked{}, err
	}
	return out, nil
}

// LinkPhone runs the three steps at once, for a native app: the e-mail and
// password, the code when two-step sign-in is on (ErrCodeRequired on "code"
// when missing), and the link.
func (s *Service) LinkPhone(ctx context.Context, email, password, code, deviceToken, name string, meta audit.Meta) (PhoneLinked, error) {
	start, err := s.StartPhoneLink(ctx, email, password, meta)
	if err != nil {
		return PhoneLinked{}, err
	}
	if start.NeedsCode {
		if code == "" {
			return PhoneLinked{}, ErrCodeRequired.Field("code")
		}
		if err := s.PassPhoneLinkCode(ctx, start.Token, code, meta); err != nil {
			return PhoneLinked{}, err
		}
	}
	return s.FinishPhoneLink(ctx, start.Token, deviceToken, name, meta)
}
