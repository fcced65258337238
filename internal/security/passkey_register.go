package security

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// BeginPasskeyRegistration starts adding a passkey to userID's account:
// the options for navigator.credentials.create, excluding the passkeys the
// account has, asking for a discoverable credential (so that it can sign in
// without a password) and preferring user verification.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, userID string) (Ceremony, error) {
	wa, err := s.relyingParty()
	if err != nil {
		return Ceremony{}, err
	}
	if !id.Valid(userID) {
		return Ceremony{}, apperr.NotFound
	}
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return Ceremony{}, err
	}
	creds, err := loadCredentials(ctx, s.db, userID)
	if err != nil {
		return Ceremony{}, err
	}
	if len(creds) >= MaxPasskeys {
		return Ceremony{}, ErrTooManyPasskeys
	}
	required := true
	options, data, err := wa.BeginRegistration(&passkeyUser{u: u, creds: creds},
		webauthn.WithExclusions(descriptors(creds)),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: &required,
			UserVerification:   protocol.VerificationPreferred,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return Ceremony{}, fmt.Errorf("security: starting the passkey registration: %w", err)
	}
	return s.beginCeremony(ctx, purposeRegister, userID, options, data)
}

// FinishPasskeyRegistration checks the browser's answer (response, the JSON
// of the PublicKeyCredential) to the ceremony of token and adds the passkey
// as name; an empty name is named after the device (meta.UserAgent). When
// it is the account's first method, two-step sign-in is now on and the 10
// backup codes are returned, to be shown once (SEC-2); otherwise nil.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, userID, token, name string, response []byte,
	meta audit.Meta) (Passkey, []string, error) {
	wa, err := s.relyingParty()
	if err != nil {
		return Passkey{}, nil, err
	}
	if !id.Valid(userID) {
		return Passkey{}, nil, apperr.NotFound
	}
	if name == "" {
		name = DeviceLabel(meta.UserAgent)
	}
	if name == "" {
		name = "Passkey"
	}
	if name, err = passkeyName(name); err != nil {
		return Passkey{}, nil, err
	}
	c, err := s.takeCeremony(ctx, token, purposeRegister)
	if err != nil {
		return Passkey{}, nil, err
	}
	if c.userID != userID {
		return Passkey{}, nil, ErrPasskeyCeremonyInvalid
	}
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return Passkey{}, nil, err
	}
	creds, err := loadCredentials(ctx, s.db, userID)
	if err != nil {
		return Passkey{}, nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return Passkey{}, nil, ErrPasskeyInvalid.Wrap(err)
	}
	cred, err := wa.CreateCredential(&passkeyUser{u: u, creds: creds}, c.data, parsed)
	if err != nil {
		return Passkey{}, nil, ErrPasskeyInvalid.Wrap(err)
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return Passkey{}, nil, fmt.Errorf("security: encoding the passkey: %w", err)
	}
	pk := Passkey{ID: id.New(), Name: name}
	var codes []string
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		pk.CreatedAt = now
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM passkeys WHERE user_id = $1`, userID).Scan(&n); err != nil {
			return fmt.Errorf("security: counting passkeys: %w", err)
		}
		if n >= MaxPasskeys {
			return ErrTooManyPasskeys
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO passkeys (id, user_id, credential_id, name, credential, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, pk.ID, userID, credentialKey(cred.ID), name, string(raw), now)
		if store.IsUniqueViolation(err) {
			return ErrPasskeyExists
		}
		if err != nil {
			return fmt.Errorf("security: storing the passkey: %w", err)
		}
		codes, err = s.methodAdded(ctx, tx, u, "security.passkey_added", map[string]string{"name": name}, meta, now)
		return err
	})
	if err != nil {
		return Passkey{}, nil, err
	}
	return pk, codes, nil
}
