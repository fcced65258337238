package security

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/store"
)

// Passkeys (WebAuthn) are a second factor after the password, and a
// password-less sign-in on their own: a passkey proves possession of a
// device and, with user verification (fingerprint, face, PIN), its owner —
// both factors at once.
//
// # Rules
//
//   - The relying party is the console's public address (UseWebAuthn): its
//     host is the RP ID, its origin the only one accepted. Without it, every
//     ceremony is ErrPasskeysUnavailable.
//   - A ceremony (register, second step, sign-in) lasts CeremonyTTL and is
//     used once, whatever its outcome: its secret token is kept hashed in
//     webauthn_sessions with the challenge.
//   - The user handle of the passkeys is the 16 bytes of the user's id.
//   - Registration asks for a discoverable credential (resident key
//     required), so that every passkey can sign in without a password, and
//     prefers user verification. The user's passkeys are excluded.
//   - Password-less sign-in requires user verification; an unknown passkey
//     is refused like a wrong password (account.ErrInvalidCredentials), and
//     attempts are throttled like passwords (package throttle); one client
//     address begins at most SignInCeremoniesPerMinute of them a minute.
//   - Each use records the authenticator's signature counter; a counter
//     that does not grow (a cloned authenticator) is a refusal.

// CeremonyTTL is how long a WebAuthn ceremony waits for the browser.
const CeremonyTTL = 5 * time.Minute

// MaxPasskeys is the most passkeys an account may have.
const MaxPasskeys = 20

// Purposes of a ceremony (webauthn_sessions.purpose).
const (
	purposeRegister     = "register"
	purposeSecondFactor = "second_factor"
	purposeSignIn       = "signin"
)

// Errors of passkeys.
var (
	// ErrPasskeysUnavailable refuses every ceremony while the server has no
	// public address to be a relying party for (UseWebAuthn was not called
	// or refused the address). It is 409, not 503: it is a lasting state of
	// the server's configuration that retrying does not change, and a 5xx
	// would be reported as an unexpected error.
	ErrPasskeysUnavailable = apperr.Register("passkeys_unavailable", http.StatusConflict,
		"Passkeys are not available on this server: use your password and another method, and tell the provider that its public address is not set.")
	// ErrPasskeyCeremonyInvalid is an unknown, expired or already used
	// ceremony token: the person starts again.
	ErrPasskeyCeremonyInvalid = apperr.Register("passkey_request_expired", http.StatusConflict,
		"This passkey request has expired or was already used: try again.")
	// ErrPasskeyInvalid refuses a new passkey whose answer does not verify.
	ErrPasskeyInvalid = apperr.Register("passkey_invalid", http.StatusUnprocessableEntity,
		"Your browser's answer could not be verified: try adding the passkey again.")
	// ErrPasskeyRefused refuses a passkey at the second step of sign-in: not
	// one of the account's, or its answer does not verify.
	ErrPasskeyRefused = apperr.Register("passkey_refused", http.StatusUnprocessableEntity,
		"This passkey was not accepted: use a passkey saved for this account, or another method.")
	// ErrNoPasskey is a passkey second step for an account without one.
	ErrNoPasskey = apperr.Register("passkey_none", http.StatusConflict,
		"This account has no passkey: use another method.")
	// ErrPasskeyExists refuses adding a passkey that is already added.
	ErrPasskeyExists = apperr.Register("passkey_already_added", http.StatusConflict,
		"This passkey is already added to your account.")
	// ErrTooManyPasskeys refuses a passkey beyond MaxPasskeys.
	ErrTooManyPasskeys = apperr.Register("too_many_passkeys", http.StatusConflict,
		"You have 20 passkeys, the most allowed: remove one you no longer use.")
)

// Ceremony is a WebAuthn ceremony begun for the browser.
type Ceremony struct {
	// Token is the ceremony's secret, sent back with the browser's answer.
	Token string
	// Options is the JSON of the options for navigator.credentials.create
	// or .get: {"publicKey": {...}}, binary fields in base64url.
	Options json.RawMessage
}

// UseWebAuthn makes the console at baseURL ("https://manager.example") the
// relying party of passkeys: RP ID its host without the port, the only
// origin its scheme, host and port. An address that cannot be a relying
// party (an IP address, a path other than "/") is an error, and passkeys
// stay unavailable. It is called once, before serving.
func (s *Service) UseWebAuthn(baseURL string) error {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("security: passkeys need the console's address as http(s)://host[:port], not %q", baseURL)
	}
	if u.Path != "" && u.Path != "/" {
		return fmt.Errorf("security: passkeys need the console at the root of its host, not %q", baseURL)
	}
	host := u.Hostname()
	if err := protocol.ValidateRPID(host); err != nil {
		return fmt.Errorf("security: %q cannot be the relying party of passkeys (use a host name, like localhost): %w", host, err)
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          host,
		RPDisplayName: "alpage",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		// Browsers and password managers may add extension outputs nobody
		// asked for; nothing here depends on extensions.
		ExtensionsUnsolicitedOutputPolicy: protocol.UnsolicitedOutputPolicyIgnore,
		// Timeouts are the browser's hint; the ceremony's life is CeremonyTTL,
		// checked with the service's clock.
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: CeremonyTTL, TimeoutUVD: CeremonyTTL},
			Registration: webauthn.TimeoutConfig{Timeout: CeremonyTTL, TimeoutUVD: CeremonyTTL},
		},
	})
	if err != nil {
		return fmt.Errorf("security: configuring passkeys: %w", err)
	}
	s.webauthn.Store(wa)
	return nil
}

// relyingParty returns the WebAuthn configuration, or ErrPasskeysUnavailable.
func (s *Service) relyingParty() (*webauthn.WebAuthn, error) {
	if wa := s.webauthn.Load(); wa != nil {
		return wa, nil
	}
	return nil, ErrPasskeysUnavailable
}

// passkeyUser is an account as go-webauthn sees it.
type passkeyUser struct {
	u     account.User
	creds []storedCredential
}

// storedCredential is a row of passkeys.
type storedCredential struct {
	id   string
	name string
	cred webauthn.Credential
}

// userHandle is the WebAuthn user handle of userID: its 16 UUID bytes.
func userHandle(userID string) []byte {
	u, err := uuid.Parse(userID)
	if err != nil {
		return nil
	}
	return u[:]
}

// userIDOfHandle is the user id of a user handle, or "".
func userIDOfHandle(handle []byte) string {
	u, err := uuid.FromBytes(handle)
	if err != nil {
		return ""
	}
	return u.String()
}

func (p *passkeyUser) WebAuthnID() []byte   { return userHandle(p.u.ID) }
func (p *passkeyUser) WebAuthnName() string { return p.u.Email }
func (p *passkeyUser) WebAuthnDisplayName() string {
	if n := strings.TrimSpace(p.u.FullName()); n != "" {
		return n
	}
	return p.u.Email
}

func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(p.creds))
	for i, c := range p.creds {
		out[i] = c.cred
	}
	return out
}

// byCredentialID returns the stored credential of raw id.
func (p *passkeyUser) byCredentialID(raw []byte) (storedCredential, bool) {
	want := credentialKey(raw)
	for _, c := range p.creds {
		if credentialKey(c.cred.ID) == want {
			return c, true
		}
	}
	return storedCredential{}, false
}

// credentialKey is a credential id as stored in passkeys.credential_id.
func credentialKey(raw []byte) string { return base64.RawURLEncoding.EncodeToString(raw) }

// loadCredentials reads userID's passkeys, oldest first.
func loadCredentials(ctx context.Context, q store.Querier, userID string) ([]storedCredential, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, credential FROM passkeys WHERE user_id = $1
		ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("security: loading passkeys: %w", err)
	}
	defer rows.Close()
	var out []storedCredential
	for rows.Next() {
		var c storedCredential
		var raw string
		if err := rows.Scan(&c.id, &c.name, &raw); err != nil {
			return nil, fmt.Errorf("security: reading passkeys: %w", err)
		}
		if err := json.Unmarshal([]byte(raw), &c.cred); err != nil {
			return nil, fmt.Errorf("security: decoding passkey %s: %w", c.id, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("security: reading passkeys: %w", err)
	}
	return out, nil
}

// descriptors lists creds for the browser (allowed or excluded credentials).
func descriptors(creds []storedCredential) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, len(creds))
	for i, c := range creds {
		out[i] = c.cred.Descriptor()
	}
	return out
}

// beginCeremony stores the state of a new ceremony and returns its token
// with the browser's options. Ended ceremonies are deleted on the way.
func (s *Service) beginCeremony(ctx context.Context, purpose, userID string, options any, data *webauthn.SessionData) (Ceremony, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return Ceremony{}, fmt.Errorf("security: encoding passkey options: %w", err)
	}
	state, err := json.Marshal(data)
	if err != nil {
		return Ceremony{}, fmt.Errorf("security: encoding passkey ceremony: %w", err)
	}
	token, hash, err := newToken()
	if err != nil {
		return Ceremony{}, err
	}
	var uid any
	if userID != "" {
		uid = userID
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM webauthn_sessions WHERE expires_at <= $1`, now); err != nil {
			return fmt.Errorf("security: clearing ended passkey ceremonies: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webauthn_sessions (token_hash, user_id, purpose, data, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, hash, uid, purpose, string(state), now.Add(CeremonyTTL)); err != nil {
			return fmt.Errorf("security: storing the passkey ceremony: %w", err)
		}
		return nil
	})
	if err != nil {
		return Ceremony{}, err
	}
	return Ceremony{Token: token, Options: opts}, nil
}

// ceremony is a ceremony taken from webauthn_sessions.
type ceremony struct {
	userID string // "" for a password-less sign-in
	data   webauthn.SessionData
}

// takeCeremony deletes the ceremony of token and purpose and returns it:
// a ceremony is used once, whatever its outcome, so it is committed gone
// before the browser's answer is looked at. Unknown, expired or another
// purpose's: ErrPasskeyCeremonyInvalid.
func (s *Service) takeCeremony(ctx context.Context, token, purpose string) (ceremony, error) {
	if token == "" {
		return ceremony{}, ErrPasskeyCeremonyInvalid
	}
	var c ceremony
	var uid sql.NullString
	var state string
	var expires time.Time
	err := s.db.QueryRowContext(ctx, `DELETE FROM webauthn_sessions WHERE token_hash = $1 AND purpose = $2
		RETURNING CAST(user_id AS text), data, expires_at`, hashHex(token), purpose).Scan(&uid, &state, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ceremony{}, ErrPasskeyCeremonyInvalid
	}
	if err != nil {
		return ceremony{}, fmt.Errorf("security: loading the passkey ceremony: %w", err)
	}
	if !expires.After(s.clock.Now()) {
		return ceremony{}, ErrPasskeyCeremonyInvalid
	}
	if err := json.Unmarshal([]byte(state), &c.data); err != nil {
		return ceremony{}, fmt.Errorf("security: decoding the passkey ceremony: %w", err)
	}
	c.userID = uid.String
	return c, nil
}

// recordUse stores the credential as updated by a successful assertion
// (signature counter, flags) and when it was used.
func recordUse(ctx context.Context, tx *sql.Tx, passkeyID string, cred *webauthn.Credential, now time.Time) error {
	raw, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("security: encoding passkey: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3`,
		string(raw), now, passkeyID); err != nil {
		return fmt.Errorf("security: recording the passkey's use: %w", err)
	}
	return nil
}

// passkeyName checks a passkey's name: trimmed, 1 to 100 characters.
func passkeyName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", apperr.Validation.With("Give the passkey a name of 1 to 100 characters.").Field("name")
	}
	return name, nil
}
