package security_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/security/passkeytest"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/throttle"
)

// passkeyOrigin is the console's address in these tests.
const passkeyOrigin = "https://manager.example"

// passkeyEnv is an env whose service is the relying party of passkeyOrigin.
func passkeyEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := newEnv(t, db)
	if err := e.sec.UseWebAuthn(passkeyOrigin + "/"); err != nil {
		t.Fatalf("UseWebAuthn: %v", err)
	}
	return e
}

// addPasskey registers a passkey of a for u and returns it with the backup codes.
func (e *env) addPasskey(t *testing.T, a *passkeytest.Authenticator, u account.User, name string) (security.Passkey, []string) {
	t.Helper()
	p, codes, err := passkeytest.Register(ctx, e.sec, a, u.ID, name)
	if err != nil {
		t.Fatalf("registering a passkey: %v", err)
	}
	return p, codes
}

// passkeyStep runs a new pending sign-in of u and answers its passkey step with a.
func (e *env) passkeyStep(t *testing.T, a *passkeytest.Authenticator, u account.User) (account.User, error) {
	t.Helper()
	token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.sec.BeginPasskeyStep(ctx, token)
	if err != nil {
		return account.User{}, err
	}
	resp, err := a.Get(c.Options)
	if err != nil {
		t.Fatalf("the authenticator did not answer: %v", err)
	}
	return e.sec.FinishPasskeyStep(ctx, token, c.Token, resp, audit.Meta{IP: "192.0.2.1"})
}

// passkeySignIn runs a password-less sign-in answered by a.
func (e *env) passkeySignIn(t *testing.T, a *passkeytest.Authenticator) (account.User, error) {
	t.Helper()
	c, err := e.sec.BeginPasskeySignIn(ctx, audit.Meta{IP: "192.0.2.7"})
	if err != nil {
		t.Fatalf("BeginPasskeySignIn: %v", err)
	}
	resp, err := a.Get(c.Options)
	if err != nil {
		t.Fatalf("the authenticator did not answer: %v", err)
	}
	return e.sec.FinishPasskeySignIn(ctx, c.Token, resp, audit.Meta{IP: "192.0.2.7", UserAgent: "test"})
}

func (e *env) audits(t *testing.T, userID, action string) int {
	t.Helper()
	return e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = $2`, userID, action)
}

func TestSEC2_FirstPasskeySwitchesTwoStepOnWithBackupCodes(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		a := passkeytest.New(passkeyOrigin)
		if has, err := e.sec.HasPasskeys(ctx, u.ID); err != nil || has {
			t.Fatalf("HasPasskeys before any: %v, %v", has, err)
		}
		p, codes := e.addPasskey(t, a, u, "  Laptop   fingerprint ")
		if has, err := e.sec.HasPasskeys(ctx, u.ID); err != nil || !has {
			t.Errorf("HasPasskeys after one: %v, %v", has, err)
		}
		if p.Name != "Laptop fingerprint" || len(codes) != security.BackupCodeCount {
			t.Fatalf("first passkey %+v with %d codes, want the name tidied and %d codes", p, len(codes), security.BackupCodeCount)
		}
		st := e.status(t, u.ID)
		if !st.Enabled || method(st, security.MethodPasskey).Count != 1 || len(st.Passkeys) != 1 || st.Passkeys[0].ID != p.ID {
			t.Fatalf("status after the first passkey: %+v", st)
		}
		if n := len(e.mails(t, u.Email, "two_step_changed")); n != 1 {
			t.Errorf("%d two-step e-mails, want 1", n)
		}
		if n := e.audits(t, u.ID, "security.passkey_added"); n != 1 {
			t.Errorf("%d passkey_added events, want 1", n)
		}

		// A second passkey (another device) brings no new codes; the first
		// one is excluded, so the same device cannot add itself twice.
		c, err := e.sec.BeginPasskeyRegistration(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Create(c.Options); !errors.Is(err, passkeytest.ErrNotAllowed) {
			t.Errorf("the same authenticator answered a registration that excludes its passkey: %v", err)
		}
		_, again := e.addPasskey(t, passkeytest.New(passkeyOrigin), u, "")
		if again != nil {
			t.Errorf("a second method returned backup codes %v", again)
		}
		if st := e.status(t, u.ID); len(st.Passkeys) != 2 || st.Passkeys[1].Name != "Passkey" {
			t.Errorf("passkeys %+v, want two, the unnamed one called Passkey", st.Passkeys)
		}
	})
}

func TestSEC1_PasskeyPassesTheSecondStep(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		a := passkeytest.New(passkeyOrigin)
		a.Verify = false // presence is enough after the password
		p, _ := e.addPasskey(t, a, u, "Key")
		if on, err := e.sec.Required(ctx, u.ID); err != nil || !on {
			t.Fatalf("Required = %v, %v after a passkey", on, err)
		}
		e.clock.Advance(time.Minute)
		got, err := e.passkeyStep(t, a, u)
		if err != nil || got.ID != u.ID {
			t.Fatalf("passkey step: %+v, %v", got, err)
		}
		st := e.status(t, u.ID)
		if used := st.Passkeys[0].LastUsedAt; used == nil || !used.Equal(e.clock.Now()) {
			t.Errorf("last used %v, want %v", used, e.clock.Now())
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1
			AND action = 'session.second_factor_ok' AND data LIKE '%passkey%'`, u.ID); n != 1 {
			t.Errorf("%d second-step events by passkey, want 1", n)
		}

		// A passkey of another account (another authenticator) is refused
		// and counts as a wrong code.
		other := passkeytest.New(passkeyOrigin)
		e.addPasskey(t, other, e.signUp(t, "zoe@example.ch"), "Zoe's")
		token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.sec.BeginPasskeyStep(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Get(c.Options); !errors.Is(err, passkeytest.ErrNotAllowed) {
			t.Fatalf("another account's authenticator answered: the options allow other passkeys (%v)", err)
		}
		resp, err := other.Get([]byte(`{"publicKey":{"challenge":"` + challengeOf(t, c.Options) + `","rpId":"manager.example"}}`))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.sec.FinishPasskeyStep(ctx, token, c.Token, resp, audit.Meta{})
		wantCode(t, "another account's passkey", err, "passkey_refused", "")
		if n := e.count(t, `SELECT attempts FROM signin_challenges WHERE user_id = $1 AND completed_at IS NULL`, u.ID); n != 1 {
			t.Errorf("attempts %d after a refused passkey, want 1", n)
		}
		_ = p
	})
}

func TestSEC1_PasskeyStepEndsAfterTooManyRefusals(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		e.addPasskey(t, passkeytest.New(passkeyOrigin), u, "Key")
		token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= security.ChallengeAttempts; i++ {
			c, err := e.sec.BeginPasskeyStep(ctx, token)
			if err != nil {
				t.Fatalf("attempt %d: %v", i, err)
			}
			_, err = e.sec.FinishPasskeyStep(ctx, token, c.Token, []byte(`{"id":"garbage"}`), audit.Meta{})
			want := "passkey_refused"
			if i == security.ChallengeAttempts {
				want = "signin_challenge_invalid"
			}
			wantCode(t, "garbage answer", err, want, "")
		}
		if _, err := e.sec.BeginPasskeyStep(ctx, token); !errors.Is(err, security.ErrChallengeInvalid) {
			t.Errorf("a passkey step after the last attempt: %v, want signin_challenge_invalid", err)
		}
	})
}

func TestPasskeyCeremonyIsUsedOnceAndExpires(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		a := passkeytest.New(passkeyOrigin)
		e.addPasskey(t, a, u, "Key")

		// Used once: the same right answer again is refused.
		c, err := e.sec.BeginPasskeySignIn(ctx, audit.Meta{IP: "192.0.2.7"})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := a.Get(c.Options)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.sec.FinishPasskeySignIn(ctx, c.Token, resp, audit.Meta{}); err != nil || got.ID != u.ID {
			t.Fatalf("first use: %+v, %v", got, err)
		}
		_, err = e.sec.FinishPasskeySignIn(ctx, c.Token, resp, audit.Meta{})
		wantCode(t, "second use of a ceremony", err, "passkey_request_expired", "")

		// A refused answer uses the ceremony up too.
		c, err = e.sec.BeginPasskeySignIn(ctx, audit.Meta{IP: "192.0.2.7"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sec.FinishPasskeySignIn(ctx, c.Token, []byte(`{}`), audit.Meta{}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("garbage answer: %v", err)
		}
		resp, _ = a.Get(c.Options)
		_, err = e.sec.FinishPasskeySignIn(ctx, c.Token, resp, audit.Meta{})
		wantCode(t, "a ceremony after a refused answer", err, "passkey_request_expired", "")

		// Expires after CeremonyTTL, by the service's clock.
		for _, tc := range []struct {
			wait time.Duration
			ok   bool
		}{{security.CeremonyTTL - time.Second, true}, {security.CeremonyTTL, false}} {
			c, err := e.sec.BeginPasskeyRegistration(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := passkeytest.New(passkeyOrigin).Create(c.Options)
			if err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(tc.wait)
			_, _, err = e.sec.FinishPasskeyRegistration(ctx, u.ID, c.Token, "", resp, audit.Meta{})
			if tc.ok && err != nil {
				t.Errorf("registration %v after its start: %v", tc.wait, err)
			}
			if !tc.ok {
				wantCode(t, "registration after CeremonyTTL", err, "passkey_request_expired", "")
			}
		}

		// A ceremony belongs to its purpose and its user.
		c, err = e.sec.BeginPasskeyRegistration(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		resp, _ = passkeytest.New(passkeyOrigin).Create(c.Options)
		zoe := e.signUp(t, "zoe@example.ch")
		_, _, err = e.sec.FinishPasskeyRegistration(ctx, zoe.ID, c.Token, "", resp, audit.Meta{})
		wantCode(t, "another user's registration", err, "passkey_request_expired", "")
		if n := e.count(t, `SELECT COUNT(*) FROM webauthn_sessions`); n != 0 {
			t.Errorf("%d ceremonies left, want every used one gone", n)
		}
	})
}

func TestPasskeySignInIsBothFactors(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		a := passkeytest.New(passkeyOrigin)
		e.addPasskey(t, a, u, "Phone")
		got, err := e.passkeySignIn(t, a)
		if err != nil || got.ID != u.ID {
			t.Fatalf("password-less sign-in: %+v, %v", got, err)
		}
		if n := e.audits(t, u.ID, "session.passkey_signin"); n != 1 {
			t.Errorf("%d passkey_signin events, want 1", n)
		}
		if st := e.status(t, u.ID); st.Passkeys[0].LastUsedAt == nil {
			t.Errorf("last use not recorded: %+v", st.Passkeys[0])
		}
	})
}

func TestPasskeySignInRequiresUserVerification(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		a := passkeytest.New(passkeyOrigin)
		e.addPasskey(t, a, u, "Key")
		a.Verify = false // the key was touched, its owner not verified
		_, err := e.passkeySignIn(t, a)
		if !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("sign-in without user verification: %v, want invalid_credentials", err)
		}
		if n := e.audits(t, u.ID, "session.passkey_signin_failed"); n != 1 {
			t.Errorf("%d failed passkey sign-ins recorded, want 1", n)
		}
		if n := e.audits(t, u.ID, "session.passkey_signin"); n != 0 {
			t.Errorf("signed in without user verification")
		}
		// The same passkey as a second step after the password is fine.
		if _, err := e.passkeyStep(t, a, u); err != nil {
			t.Errorf("second step without user verification: %v", err)
		}
	})
}

func TestPasskeySignInUnknownPasskeyIsAWrongPassword(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		// A passkey the server never saw, even with a real user's handle.
		a := passkeytest.New(passkeyOrigin)
		if err := a.Mint("manager.example", uuidBytes(t, u.ID)); err != nil {
			t.Fatal(err)
		}
		_, err := e.passkeySignIn(t, a)
		if !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("unknown passkey: %v, want the wrong-password refusal", err)
		}
		// A removed passkey is unknown too.
		b := passkeytest.New(passkeyOrigin)
		p, _ := e.addPasskey(t, b, u, "Old")
		if err := e.sec.RemovePasskey(ctx, u.ID, p.ID, password, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.passkeySignIn(t, b); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Errorf("removed passkey: %v, want invalid_credentials", err)
		}
		// Unknown passkeys count against the address, and are slowed down
		// like unknown e-mails.
		if n := e.count(t, `SELECT COUNT(*) FROM signin_failures WHERE bucket = 'ip:192.0.2.7'`); n != 2 {
			t.Errorf("%d failures of the address, want 2", n)
		}
		refused := false
		for range throttle.LockFailures {
			if _, err := e.passkeySignIn(t, a); throttle.AsRefusal(err) != nil {
				refused = true
				break
			}
		}
		if !refused {
			t.Errorf("the same unknown passkey %d times: never throttled", throttle.LockFailures)
		}
	})
}

func TestPasskeySignInBeginsAreLimitedPerAddress(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		for i := range security.SignInCeremoniesPerMinute {
			if _, err := e.sec.BeginPasskeySignIn(ctx, audit.Meta{IP: "203.0.113.5"}); err != nil {
				t.Fatalf("begin %d: %v", i+1, err)
			}
		}
		_, err := e.sec.BeginPasskeySignIn(ctx, audit.Meta{IP: "203.0.113.5"})
		wantCode(t, "one begin too many", err, apperr.TooManyRequests.Code, "")
		if _, err := e.sec.BeginPasskeySignIn(ctx, audit.Meta{IP: "203.0.113.6"}); err != nil {
			t.Errorf("another address: %v", err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.sec.BeginPasskeySignIn(ctx, audit.Meta{IP: "203.0.113.5"}); err != nil {
			t.Errorf("a minute later: %v", err)
		}
	})
}

func TestPasskeySignInRespectsTheAccountThrottle(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		a := passkeytest.New(passkeyOrigin)
		e.addPasskey(t, a, u, "Key")
		// Wrong passwords lock the account: its passkey waits as well.
		for n := 0; n < throttle.LockFailures; {
			_, err := e.accounts.Authenticate(ctx, u.Email, "wrong password!", audit.Meta{IP: "198.51.100.1"})
			if throttle.AsRefusal(err) != nil {
				e.clock.Advance(throttle.MaxDelay)
				continue
			}
			n++
		}
		_, err := e.passkeySignIn(t, a)
		if throttle.AsRefusal(err) == nil {
			t.Fatalf("passkey sign-in of a locked account: %v, want too_many_attempts", err)
		}
		e.clock.Advance(throttle.LockDuration)
		if _, err := e.passkeySignIn(t, a); err != nil {
			t.Errorf("after the lockout: %v", err)
		}
	})
}

func TestPasskeyClonedAuthenticatorIsRefused(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		a := passkeytest.New(passkeyOrigin)
		e.addPasskey(t, a, u, "Key")
		if _, err := e.passkeySignIn(t, a); err != nil {
			t.Fatal(err)
		}
		a.ResetCounters() // a copy of the key answers with an old counter
		if _, err := e.passkeySignIn(t, a); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Errorf("cloned authenticator at sign-in: %v, want invalid_credentials", err)
		}
		a.ResetCounters()
		if _, err := e.passkeyStep(t, a, u); !errors.Is(err, security.ErrPasskeyRefused) {
			t.Errorf("cloned authenticator at the second step: %v, want passkey_refused", err)
		}
	})
}

func TestSEC5_PasskeyRenameAndRemove(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		zoe := e.signUp(t, "zoe@example.ch")
		first, _ := e.addPasskey(t, passkeytest.New(passkeyOrigin), u, "Laptop")
		second, _ := e.addPasskey(t, passkeytest.New(passkeyOrigin), u, "Phone")
		theirs, _ := e.addPasskey(t, passkeytest.New(passkeyOrigin), zoe, "Zoe's")

		// Another user's passkey, or no passkey: not found, whatever the password.
		for _, pid := range []string{theirs.ID, "not-an-id", "0196b5c8-0000-7000-8000-000000000000"} {
			_, err := e.sec.RenamePasskey(ctx, u.ID, pid, "Mine now", audit.Meta{})
			wantCode(t, "renaming "+pid, err, apperr.NotFound.Code, "")
			err = e.sec.RemovePasskey(ctx, u.ID, pid, password, audit.Meta{})
			wantCode(t, "removing "+pid, err, apperr.NotFound.Code, "")
			err = e.sec.RemovePasskey(ctx, u.ID, pid, "wrong", audit.Meta{})
			wantCode(t, "removing "+pid+" with a wrong password", err, apperr.NotFound.Code, "")
		}
		if st := e.status(t, zoe.ID); len(st.Passkeys) != 1 || st.Passkeys[0].Name != "Zoe's" {
			t.Errorf("zoe's passkeys changed: %+v", st.Passkeys)
		}

		// Rename.
		_, err := e.sec.RenamePasskey(ctx, u.ID, first.ID, "   ", audit.Meta{})
		wantCode(t, "empty name", err, apperr.Validation.Code, "name")
		p, err := e.sec.RenamePasskey(ctx, u.ID, first.ID, "Work laptop", audit.Meta{})
		if err != nil || p.Name != "Work laptop" {
			t.Fatalf("rename: %+v, %v", p, err)
		}

		// Remove: the password is needed; then two-step stays on with the other.
		err = e.sec.RemovePasskey(ctx, u.ID, first.ID, "wrong", audit.Meta{})
		wantCode(t, "wrong password", err, "current_password_wrong", "password")
		if err := e.sec.RemovePasskey(ctx, u.ID, first.ID, password, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		st := e.status(t, u.ID)
		if !st.Enabled || len(st.Passkeys) != 1 || method(st, security.MethodBackupCodes).Remaining != security.BackupCodeCount {
			t.Fatalf("after removing one of two passkeys: %+v", st)
		}

		// The last method, while an organization requires two-step sign-in: refused.
		orgs, err := e.db.QueryContext(ctx, `SELECT organization_id FROM memberships WHERE user_id = $1`, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var orgID string
		for orgs.Next() {
			_ = orgs.Scan(&orgID)
		}
		orgs.Close()
		if _, err := e.db.ExecContext(ctx, `UPDATE organizations SET require_two_step = $1 WHERE id = $2`, true, orgID); err != nil {
			t.Fatal(err)
		}
		err = e.sec.RemovePasskey(ctx, u.ID, second.ID, password, audit.Meta{})
		wantCode(t, "removing the last method of a required user", err, "two_step_required", "")
		if _, err := e.db.ExecContext(ctx, `UPDATE organizations SET require_two_step = $1 WHERE id = $2`, false, orgID); err != nil {
			t.Fatal(err)
		}

		// The last method: two-step sign-in is off, backup codes gone, e-mail sent.
		if err := e.sec.RemovePasskey(ctx, u.ID, second.ID, password, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		st = e.status(t, u.ID)
		if st.Enabled || len(st.Passkeys) != 0 || method(st, security.MethodBackupCodes).Remaining != 0 {
			t.Fatalf("after removing the last passkey: %+v", st)
		}
		if n := len(e.mails(t, u.Email, "two_step_changed")); n != 2 {
			t.Errorf("%d two-step e-mails, want on then off", n)
		}
		if n := e.audits(t, u.ID, "security.passkey_removed"); n != 2 {
			t.Errorf("%d passkey_removed events, want 2", n)
		}
	})
}

func TestPasskeysUnavailableWithoutTheConsoleAddress(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		_, err := e.sec.BeginPasskeyRegistration(ctx, u.ID)
		wantCode(t, "registration", err, "passkeys_unavailable", "")
		_, err = e.sec.BeginPasskeySignIn(ctx, audit.Meta{})
		wantCode(t, "sign-in", err, "passkeys_unavailable", "")
		token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.sec.BeginPasskeyStep(ctx, token)
		wantCode(t, "second step", err, "passkeys_unavailable", "")
		if e := apperr.As(security.ErrPasskeysUnavailable); e.Status >= 500 {
			t.Errorf("passkeys_unavailable is %d: a 5xx is reported as an unexpected error", e.Status)
		}
		// Passkeys stored earlier are listed, not offered.
		if _, err := e.db.ExecContext(ctx, `INSERT INTO passkeys (id, user_id, credential_id, name, credential, created_at)
			VALUES ($1, $2, 'x', 'Old', '{}', $3)`, "0196b5c8-0000-7000-8000-000000000001", u.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if has, err := e.sec.HasPasskeys(ctx, u.ID); err != nil || has {
			t.Errorf("HasPasskeys without passkey support: %v, %v", has, err)
		}
		if list, err := e.sec.Passkeys(ctx, u.ID); err != nil || len(list) != 1 {
			t.Errorf("Passkeys: %v, %v", list, err)
		}
	})
}

func TestUseWebAuthnTakesAHostNameOnly(t *testing.T) {
	t.Parallel()
	sec := security.New(nil, nil, nil, nil)
	for _, bad := range []string{"http://127.0.0.1:8080", "http://[::1]:8080/", "ftp://manager.example", "manager.example",
		"https://manager.example/console", ""} {
		if err := sec.UseWebAuthn(bad); err == nil {
			t.Errorf("UseWebAuthn(%q) accepted an address that cannot be a relying party", bad)
		}
	}
	for _, good := range []string{"http://localhost:8080", "https://manager.example", "https://manager.example/"} {
		if err := sec.UseWebAuthn(good); err != nil {
			t.Errorf("UseWebAuthn(%q): %v", good, err)
		}
	}
}

// challengeOf reads the challenge of a ceremony's options.
func challengeOf(t *testing.T, options []byte) string {
	t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil || o.PublicKey.Challenge == "" {
		t.Fatalf("options without a challenge: %s (%v)", options, err)
	}
	return o.PublicKey.Challenge
}

func uuidBytes(t *testing.T, userID string) []byte {
	t.Helper()
	u, err := uuid.Parse(userID)
	if err != nil {
		t.Fatal(err)
	}
	return u[:]
}

// SEC-2: backup codes can be regenerated whatever the method that switched
// two-step sign-in on, not only with one-time codes.
func TestSEC2_RegenerateBackupCodesWithAPasskeyOnly(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := passkeyEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		if _, err := e.sec.RegenerateBackupCodes(ctx, u.ID, password, audit.Meta{}); !errors.Is(err, security.ErrTwoStepOff) {
			t.Fatalf("regenerating without any method = %v, want two_step_off", err)
		}
		_, first := e.addPasskey(t, passkeytest.New(passkeyOrigin), u, "Laptop")
		codes, err := e.sec.RegenerateBackupCodes(ctx, u.ID, password, audit.Meta{})
		if err != nil || len(codes) != security.BackupCodeCount || codes[0] == first[0] {
			t.Fatalf("regenerating with a passkey = %d codes, %v; want %d new ones", len(codes), err, security.BackupCodeCount)
		}
	})
}
