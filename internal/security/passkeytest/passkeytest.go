// Package passkeytest is a software passkey authenticator for tests that
// run without a browser: it answers the options of
// navigator.credentials.create and .get the way a platform authenticator
// behind a browser does (packed "none" attestation, ES256 keys, discoverable
// credentials), so that the WebAuthn ceremonies of package security can be
// driven end to end from Go. It is not for production use.
package passkeytest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
)

// Authenticator holds passkeys and answers ceremonies for one origin.
type Authenticator struct {
	// Origin is the page's origin the browser would report
	// ("http://localhost:8080").
	Origin string
	// Verify sets the user-verified flag (a fingerprint or PIN was
	// checked); true from New.
	Verify bool

	mu    sync.Mutex
	creds []*credential
}

type credential struct {
	id     []byte
	key    *ecdsa.PrivateKey
	rpID   string
	handle []byte
	count  uint32
}

// ErrNotAllowed is the authenticator's refusal: no passkey fits, or one of
// its passkeys is excluded (the browser's NotAllowedError or
// InvalidStateError).
var ErrNotAllowed = errors.New("passkeytest: no passkey fits the request")

// New returns an authenticator without passkeys, verifying its user.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin, Verify: true} }

var b64 = base64.RawURLEncoding

type descriptor struct {
	ID string `json:"id"`
}

type creationOptions struct {
	PublicKey struct {
		RP struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		Challenge string       `json:"challenge"`
		Exclude   []descriptor `json:"excludeCredentials"`
	} `json:"publicKey"`
}

type requestOptions struct {
	PublicKey struct {
		Challenge string       `json:"challenge"`
		RPID      string       `json:"rpId"`
		Allow     []descriptor `json:"allowCredentials"`
	} `json:"publicKey"`
}

// Create answers the options of navigator.credentials.create (the JSON
// {"publicKey": …}) with the JSON of a new PublicKeyCredential, keeping its
// key.
func (a *Authenticator) Create(options []byte) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("passkeytest: reading creation options: %w", err)
	}
	handle, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		return nil, fmt.Errorf("passkeytest: user handle: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ex := range o.PublicKey.Exclude {
		for _, c := range a.creds {
			if ex.ID == b64.EncodeToString(c.id) {
				return nil, ErrNotAllowed
			}
		}
	}
	c, err := newCredential(o.PublicKey.RP.ID, handle)
	if err != nil {
		return nil, err
	}
	clientData := a.clientData("webauthn.create", o.PublicKey.Challenge)
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1,
		-2: c.key.PublicKey.X.FillBytes(make([]byte, 32)), -3: c.key.PublicKey.Y.FillBytes(make([]byte, 32))})
	if err != nil {
		return nil, fmt.Errorf("passkeytest: encoding the public key: %w", err)
	}
	var authData bytes.Buffer
	authData.Write(a.authDataHead(c, 0x40)) // attested credential data
	authData.Write(make([]byte, 16))        // AAGUID
	_ = binary.Write(&authData, binary.BigEndian, uint16(len(c.id)))
	authData.Write(c.id)
	authData.Write(cose)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData.Bytes()})
	if err != nil {
		return nil, fmt.Errorf("passkeytest: encoding the attestation: %w", err)
	}
	a.creds = append(a.creds, c)
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.id), "rawId": b64.EncodeToString(c.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"internal"},
		},
	})
}

// Get answers the options of navigator.credentials.get with the JSON of a
// PublicKeyCredential signed by the first passkey that fits: one of the
// allowed credentials, or any of the RP's when none is listed.
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("passkeytest: reading request options: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var c *credential
	for _, cand := range a.creds {
		if cand.rpID != o.PublicKey.RPID {
			continue
		}
		allowed := len(o.PublicKey.Allow) == 0
		for _, d := range o.PublicKey.Allow {
			allowed = allowed || d.ID == b64.EncodeToString(cand.id)
		}
		if allowed {
			c = cand
			break
		}
	}
	if c == nil {
		return nil, ErrNotAllowed
	}
	c.count++
	authData := a.authDataHead(c, 0)
	clientData := a.clientData("webauthn.get", o.PublicKey.Challenge)
	sum := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte{}, authData...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("passkeytest: signing: %w", err)
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.id), "rawId": b64.EncodeToString(c.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"authenticatorData": b64.EncodeToString(authData),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(c.handle),
		},
	})
}

// Mint makes a passkey for rpID and the user handle without any server
// knowing it: a passkey of another site, or one whose account removed it.
func (a *Authenticator) Mint(rpID string, handle []byte) error {
	c, err := newCredential(rpID, handle)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.creds = append(a.creds, c)
	return nil
}

// ResetCounters sets the signature counters back to zero, as a copy of the
// keys on another device would: the next answer looks cloned.
func (a *Authenticator) ResetCounters() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.creds {
		c.count = 0
	}
}

func newCredential(rpID string, handle []byte) (*credential, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("passkeytest: generating a key: %w", err)
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("passkeytest: generating an id: %w", err)
	}
	return &credential{id: id, key: key, rpID: rpID, handle: handle}, nil
}

// authDataHead is the RP ID hash, the flags (user present, user verified
// when a.Verify, plus extra) and the signature counter.
func (a *Authenticator) authDataHead(c *credential, extra byte) []byte {
	rp := sha256.Sum256([]byte(c.rpID))
	flags := byte(0x01) | extra
	if a.Verify {
		flags |= 0x04
	}
	out := append(rp[:], flags)
	return binary.BigEndian.AppendUint32(out, c.count)
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

// Register adds a passkey of a to userID's account through the service's
// ceremony, as the security page does, and returns it with the backup
// codes when it was the first method.
func Register(ctx context.Context, sec *security.Service, a *Authenticator, userID, name string) (security.Passkey, []string, error) {
	c, err := sec.BeginPasskeyRegistration(ctx, userID)
	if err != nil {
		return security.Passkey{}, nil, err
	}
	resp, err := a.Create(c.Options)
	if err != nil {
		return security.Passkey{}, nil, err
	}
	return sec.FinishPasskeyRegistration(ctx, userID, c.Token, name, resp, audit.Meta{ActorID: userID})
}
