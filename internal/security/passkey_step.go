package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
)

// BeginPasskeyStep starts the second step of the pending sign-in of
// challengeToken with a passkey: the options for navigator.credentials.get,
// allowing the account's passkeys. A pending sign-in that ended is
// ErrChallengeInvalid; an account without a passkey, ErrNoPasskey.
func (s *Service) BeginPasskeyStep(ctx context.Context, challengeToken string) (Ceremony, error) {
	wa, err := s.relyingParty()
	if err != nil {
		return Ceremony{}, err
	}
	c, err := openChallenge(ctx, s.db, challengeToken, s.clock.Now())
	if err != nil {
		return Ceremony{}, err
	}
	u, err := s.accounts.Get(ctx, c.userID)
	if errors.Is(err, apperr.NotFound) {
		return Ceremony{}, ErrChallengeInvalid
	}
	if err != nil {
		return Ceremony{}, err
	}
	creds, err := loadCredentials(ctx, s.db, c.userID)
	if err != nil {
		return Ceremony{}, err
	}
	if len(creds) == 0 {
		return Ceremony{}, ErrNoPasskey
	}
	// The password was the first factor: the passkey's presence is the
	// second, verification of its owner is welcome but not required.
	options, data, err := wa.BeginLogin(&passkeyUser{u: u, creds: creds},
		webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return Ceremony{}, fmt.Errorf("security: starting the passkey step: %w", err)
	}
	return s.beginCeremony(ctx, purposeSecondFactor, c.userID, options, data)
}

// FinishPasskeyStep checks the browser's answer (response, the JSON of the
// PublicKeyCredential) to the ceremony of ceremonyToken and, when it is
// right, passes the second step of the pending sign-in of challengeToken
// and returns the user; the caller then opens the session. An answer that
// does not verify (another passkey, a bad signature, a cloned
// authenticator) is ErrPasskeyRefused and counts as a wrong code; the last
// of ChallengeAttempts ends the sign-in (ErrChallengeInvalid).
func (s *Service) FinishPasskeyStep(ctx context.Context, challengeToken, ceremonyToken string, response []byte,
	meta audit.Meta) (account.User, error) {
	wa, err := s.relyingParty()
	if err != nil {
		return account.User{}, err
	}
	c, err := openChallenge(ctx, s.db, challengeToken, s.clock.Now())
	if err != nil {
		return account.User{}, err
	}
	cer, err := s.takeCeremony(ctx, ceremonyToken, purposeSecondFactor)
	if err != nil {
		return account.User{}, err
	}
	if cer.userID != c.userID {
		return account.User{}, ErrPasskeyCeremonyInvalid
	}
	u, err := s.accounts.Get(ctx, c.userID)
	if errors.Is(err, apperr.NotFound) {
		return account.User{}, ErrChallengeInvalid
	}
	if err != nil {
		return account.User{}, err
	}
	creds, err := loadCredentials(ctx, s.db, c.userID)
	if err != nil {
		return account.User{}, err
	}
	user := &passkeyUser{u: u, creds: creds}
	var used *webauthn.Credential
	if parsed, perr := protocol.ParseCredentialRequestResponseBytes(response); perr == nil {
		if cred, verr := wa.ValidateLogin(user, cer.data, parsed); verr == nil && !cred.Authenticator.CloneWarning {
			used = cred
		}
	}
	var ended bool
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		c, err := openChallenge(ctx, tx, challengeToken, now)
		if err != nil {
			return err
		}
		if used != nil {
			stored, _ := user.byCredentialID(used.ID)
			if err := recordUse(ctx, tx, stored.id, used, now); err != nil {
				return err
			}
			return completeChallenge(ctx, tx, c.id, c.userID, MethodPasskey, meta, now)
		}
		var attempts int
		if err := tx.QueryRowContext(ctx, `UPDATE signin_challenges SET attempts = attempts + 1
			WHERE id = $1 RETURNING attempts`, c.id).Scan(&attempts); err != nil {
			return fmt.Errorf("security: counting the refused passkey: %w", err)
		}
		ended = attempts >= ChallengeAttempts
		return audit.Record(ctx, tx, audit.Event{SubjectUserID: c.userID, Action: "session.second_factor_failed",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: now,
			Data: map[string]string{"attempts": strconv.Itoa(attempts), "method": MethodPasskey}})
	})
	switch {
	case err != nil:
		return account.User{}, err
	case ended:
		return account.User{}, ErrChallengeInvalid
	case used == nil:
		return account.User{}, ErrPasskeyRefused
	}
	return u, nil
}
