package security

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/ratelimit"
	"github.com/alpage/alpage/internal/throttle"
)

// SignInCeremoniesPerMinute is how many password-less sign-ins one client
// address may begin in a minute: anyone may begin one, and each is stored
// until it ends.
const SignInCeremoniesPerMinute = 30

// BeginPasskeySignIn starts a password-less sign-in: the options for
// navigator.credentials.get without a list of passkeys (the browser offers
// the passkeys it holds for the console), requiring user verification.
// More than SignInCeremoniesPerMinute from meta.IP is apperr.TooManyRequests.
func (s *Service) BeginPasskeySignIn(ctx context.Context, meta audit.Meta) (Ceremony, error) {
	wa, err := s.relyingParty()
	if err != nil {
		return Ceremony{}, err
	}
	res, err := ratelimit.New(s.db, s.clock).Allow(ctx, "passkey_signin:"+meta.IP, SignInCeremoniesPerMinute)
	if err != nil {
		return Ceremony{}, err
	}
	if !res.Allowed {
		return Ceremony{}, apperr.TooManyRequests
	}
	options, data, err := wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return Ceremony{}, fmt.Errorf("security: starting the passkey sign-in: %w", err)
	}
	return s.beginCeremony(ctx, purposeSignIn, "", options, data)
}

// FinishPasskeySignIn checks the browser's answer (response, the JSON of
// the PublicKeyCredential) to the password-less sign-in of ceremonyToken
// and returns the user; the caller then opens the session. A verified
// passkey is both factors: possession of the device and, verified by it,
// its owner. Every refusal — an unknown passkey, a bad signature, no user
// verification, a cloned authenticator — is account.ErrInvalidCredentials,
// as for a wrong password, and attempts are throttled like passwords
// (a *throttle.Refusal while the account or address must wait).
func (s *Service) FinishPasskeySignIn(ctx context.Context, ceremonyToken string, response []byte, meta audit.Meta) (account.User, error) {
	wa, err := s.relyingParty()
	if err != nil {
		return account.User{}, err
	}
	cer, err := s.takeCeremony(ctx, ceremonyToken, purposeSignIn)
	if err != nil {
		return account.User{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return account.User{}, s.unknownPasskey(ctx, "", meta)
	}
	key := credentialKey(parsed.RawID)
	var userID string
	err = s.db.QueryRowContext(ctx, `SELECT CAST(user_id AS text) FROM passkeys WHERE credential_id = $1`, key).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && userIDOfHandle(parsed.Response.UserHandle) != userID) {
		return account.User{}, s.unknownPasskey(ctx, key, meta)
	}
	if err != nil {
		return account.User{}, fmt.Errorf("security: finding the passkey: %w", err)
	}
	u, err := s.accounts.Get(ctx, userID)
	if errors.Is(err, apperr.NotFound) {
		return account.User{}, s.unknownPasskey(ctx, key, meta)
	}
	if err != nil {
		return account.User{}, err
	}
	if err := s.accounts.CheckSignInThrottle(ctx, u.Email, meta); err != nil {
		return account.User{}, err
	}
	creds, err := loadCredentials(ctx, s.db, userID)
	if err != nil {
		return account.User{}, err
	}
	user := &passkeyUser{u: u, creds: creds}
	_, cred, err := wa.ValidatePasskeyLogin(func(_, _ []byte) (webauthn.User, error) { return user, nil }, cer.data, parsed)
	if err != nil || cred.Authenticator.CloneWarning {
		return account.User{}, s.refusePasskey(ctx, u, cred != nil, meta)
	}
	if !u.EmailConfirmed {
		return account.User{}, account.ErrEmailNotConfirmed
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		stored, _ := user.byCredentialID(cred.ID)
		if err := recordUse(ctx, tx, stored.id, cred, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: u.ID, SubjectUserID: u.ID, Action: "session.passkey_signin",
			IP: meta.IP, UserAgent: meta.UserAgent, Data: map[string]string{"passkey": stored.name}, CreatedAt: now})
	})
	if err != nil {
		return account.User{}, err
	}
	return u, nil
}

// unknownPasskey refuses a passkey of no account like an unknown e-mail:
// the attempt counts against the client's address (and the passkey's own
// bucket), and the answer is account.ErrInvalidCredentials, or a
// *throttle.Refusal while the address must wait.
func (s *Service) unknownPasskey(ctx context.Context, key string, meta audit.Meta) error {
	t := throttle.New(s.db.Engine, s.clock)
	bucket := "passkey:" + key
	if err := t.Check(ctx, s.db, bucket, meta.IP); err != nil {
		return err
	}
	if err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := t.Failed(ctx, tx, bucket, meta.IP)
		return err
	}); err != nil {
		return err
	}
	return account.ErrInvalidCredentials
}

// refusePasskey refuses a passkey of u that did not verify: it is recorded
// in u's activity, counts as a failed sign-in of the account (which may
// lock it and tell the owner), and is account.ErrInvalidCredentials.
func (s *Service) refusePasskey(ctx context.Context, u account.User, cloned bool, meta audit.Meta) error {
	reason := "invalid"
	if cloned {
		reason = "cloned"
	}
	if err := audit.Record(ctx, s.db, audit.Event{SubjectUserID: u.ID, Action: "session.passkey_signin_failed",
		IP: meta.IP, UserAgent: meta.UserAgent, Data: map[string]string{"reason": reason},
		CreatedAt: s.clock.Now()}); err != nil {
		return err
	}
	if err := s.accounts.RecordFailedSecondFactor(ctx, u, meta); err != nil {
		return err
	}
	return account.ErrInvalidCredentials
}
