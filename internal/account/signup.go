package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
)

// SignUpInput is what a person gives to open an account.
type SignUpInput struct {
	Email     string
	Password  string
	FirstName string
	LastName  string
	// OrganizationName names the organization made with the account; empty
	// means "First Last" (ACC-2).
	OrganizationName string
	Language         string
	Country          string
	TimeZone         string
	// Confirmed makes the login address confirmed at once (operator CLI,
	// demo); otherwise a confirmation link is e-mailed.
	Confirmed bool
	// NoOrganization skips the organization, for a person who joins through
	// an invitation (ACC-2).
	NoOrganization bool
	// Join, when set, runs in the sign-up's transaction once the user exists:
	// accepting an invitation with the account is one change (ACC-2).
	Join func(ctx context.Context, tx *sql.Tx, u User) error
}

// SignUp creates an account and, unless in.NoOrganization, its organization
// with the person as legal representative (ACC-2), all in one transaction with
// the confirmation e-mail enqueued in it: a crash leaves no half-made account.
func (s *Service) SignUp(ctx context.Context, in SignUpInput, meta audit.Meta) (User, error) {
	u, err := s.validateSignUp(in)
	if err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password, s.opts.Password)
	if err != nil {
		return User{}, err
	}
	orgName := strings.TrimSpace(in.OrganizationName)
	if orgName == "" {
		orgName = u.FullName()
	}
	legalForm := "individual"
	if strings.TrimSpace(in.OrganizationName) != "" {
		legalForm = "company"
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		u.ID, u.CreatedAt, u.UpdatedAt = id.New(), now, now
		var confirmedAt any
		if in.Confirmed {
			confirmedAt, u.EmailConfirmed = now, true
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, password_hash, first_name, last_name,
			language, country, time_zone, email_confirmed_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
			u.ID, u.Email, hash, u.FirstName, u.LastName, u.Language, u.Country, u.TimeZone, confirmedAt, now)
		if store.IsUniqueViolation(err) {
			return ErrEmailTaken.Field("email", u.Email)
		}
		if err != nil {
			return fmt.Errorf("account: creating user: %w", err)
		}
		var orgID string
		if !in.NoOrganization {
			o, err := org.CreateTx(ctx, tx, now, orgName, legalForm, u.ID)
			if err != nil {
				return err
			}
			orgID = o.ID
		}
		if in.Join != nil {
			if err := in.Join(ctx, tx, u); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, SubjectUserID: u.ID, OrganizationID: orgID,
			Action: "account.signed_up", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now}); err != nil {
			return err
		}
		if !in.Confirmed {
			return s.sendConfirmation(ctx, tx, u, now)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func (s *Service) validateSignUp(in SignUpInput) (User, error) {
	var u User
	var err error
	if u.Email, err = validateEmail(in.Email); err != nil {
		return u, err
	}
	if err = validatePassword(in.Password); err != nil {
		return u, err
	}
	if u.FirstName, err = validateName("first_name", in.FirstName); err != nil {
		return u, err
	}
	if u.LastName, err = validateName("last_name", in.LastName); err != nil {
		return u, err
	}
	if u.Language, err = validateLanguage(orDefault(in.Language, "en")); err != nil {
		return u, err
	}
	if u.Country, err = validateCountry(orDefault(in.Country, "CH")); err != nil {
		return u, err
	}
	if u.TimeZone, err = validateTimeZone(orDefault(in.TimeZone, "Europe/Zurich")); err != nil {
		return u, err
	}
	if len([]rune(in.OrganizationName)) > 200 {
		return u, org.ErrNameInvalid.Field("organization_name")
	}
	return u, nil
}

// newSecret returns a random URL-safe secret and its SHA-256 hash (hex), the
// only form stored.
func newSecret() (secret, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("account: reading random bytes: %w", err)
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret), nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (s *Service) sendConfirmation(ctx context.Context, tx *sql.Tx, u User, now time.Time) error {
	secret, hash, err := newSecret()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO email_confirmations (token_hash, user_id, email, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5)`, hash, u.ID, u.Email, now.Add(s.opts.ConfirmationTTL), now); err != nil {
		return fmt.Errorf("account: storing confirmation: %w", err)
	}
	_, err = s.notify.Send(ctx, tx, notify.Message{
		Channel: "email", To: u.Email, Language: u.Language, Template: "confirm_email", UserID: u.ID,
		Data: map[string]any{"FirstName": u.FirstName, "Link": s.notify.BaseURL() + "/confirm?token=" + secret},
	})
	return err
}

// ConfirmEmail opens a confirmation link. A sign-up link confirms the login
// address; an e-mail change link (ACC-5) makes its address the new login and
// tells the old address. A link works once and until it expires.
func (s *Service) ConfirmEmail(ctx context.Context, token string, meta audit.Meta) (User, error) {
	var u User
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		var userID, email, kind string
		var expires time.Time
		var used sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT user_id, email, kind, expires_at, used_at FROM email_confirmations
			WHERE token_hash = $1`, hashSecret(token)).Scan(&userID, &email, &kind, &expires, &used)
		if err == sql.ErrNoRows || (err == nil && (used.Valid || !now.Before(expires))) {
			return ErrConfirmationInvalid
		}
		if err != nil {
			return fmt.Errorf("account: loading confirmation: %w", err)
		}
		if kind == "change" {
			err = s.completeEmailChange(ctx, tx, now, userID, email, meta)
		} else {
			err = confirmSignUpEmail(ctx, tx, now, userID, email, meta)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE email_confirmations SET used_at = $1 WHERE token_hash = $2`,
			now, hashSecret(token)); err != nil {
			return fmt.Errorf("account: using confirmation: %w", err)
		}
		u, err = getUser(ctx, tx, userID)
		return err
	})
	return u, err
}

// confirmSignUpEmail marks the login address confirmed, if it is still the
// address the link was sent to.
func confirmSignUpEmail(ctx context.Context, tx *sql.Tx, now time.Time, userID, email string, meta audit.Meta) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET email_confirmed_at = $1, updated_at = $1
		WHERE id = $2 AND email = $3`, now, userID, email)
	if err != nil {
		return fmt.Errorf("account: confirming: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrConfirmationInvalid // the login changed since the link was sent
	}
	return audit.Record(ctx, tx, audit.Event{ActorID: userID, SubjectUserID: userID,
		Action: "account.email_confirmed", IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now})
}

// ResendConfirmation e-mails a new confirmation link to an unconfirmed
// account. It answers the same whether or not the account exists.
func (s *Service) ResendConfirmation(ctx context.Context, email string, meta audit.Meta) error {
	email = normalizeEmail(email)
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
		if err == sql.ErrNoRows || (err == nil && u.EmailConfirmed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("account: loading user: %w", err)
		}
		now := s.clock.Now()
		// At most one new link per minute, so the form cannot flood a mailbox.
		var recent int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM email_confirmations
			WHERE user_id = $1 AND created_at > $2`, u.ID, now.Add(-time.Minute)).Scan(&recent); err != nil {
			return fmt.Errorf("account: counting confirmations: %w", err)
		}
		if recent > 0 {
			return nil
		}
		return s.sendConfirmation(ctx, tx, u, now)
	})
}
