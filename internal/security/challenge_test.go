package security_test

import (
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestSEC1_ChallengeExpiresAfterFiveMinutes(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		secret, _ := e.switchOn(t, u)
		token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM signin_challenges WHERE token_hash = $1`, token); n != 0 {
			t.Fatal("the challenge token is stored in clear")
		}
		e.clock.Advance(security.ChallengeTTL - time.Second)
		if got, err := e.sec.ChallengeUser(ctx, token); err != nil || got.ID != u.ID {
			t.Fatalf("ChallengeUser before the end = %v, %v", got.ID, err)
		}
		e.clock.Advance(time.Second)
		_, err = e.sec.ChallengeUser(ctx, token)
		wantCode(t, "ChallengeUser after 5 minutes", err, "signin_challenge_invalid", "")
		_, err = e.sec.CompleteChallenge(ctx, token, e.code(t, secret, 0), audit.Meta{})
		wantCode(t, "complete after 5 minutes", err, "signin_challenge_invalid", "")
		_, err = e.sec.ChallengeUser(ctx, "not a token")
		wantCode(t, "unknown token", err, "signin_challenge_invalid", "")
	})
}

func TestSEC1_ChallengeEndsAfterFiveWrongCodes(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		secret, _ := e.switchOn(t, u)
		e.clock.Advance(time.Minute)
		token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < security.ChallengeAttempts; i++ {
			_, err := e.sec.CompleteChallenge(ctx, token, "000000", audit.Meta{})
			wantCode(t, "wrong code", err, "code_invalid", "code")
		}
		_, err = e.sec.CompleteChallenge(ctx, token, "000000", audit.Meta{})
		wantCode(t, "fifth wrong code", err, "signin_challenge_invalid", "")
		_, err = e.sec.CompleteChallenge(ctx, token, e.code(t, secret, 0), audit.Meta{})
		wantCode(t, "right code after five wrong ones", err, "signin_challenge_invalid", "")
		_, err = e.sec.ChallengeUser(ctx, token)
		wantCode(t, "ChallengeUser after five wrong codes", err, "signin_challenge_invalid", "")
		// The right code was not spent on the ended challenge.
		if err := e.signIn(u, e.code(t, secret, 0)); err != nil {
			t.Fatalf("a new sign-in with the same code: %v", err)
		}
	})
}

func TestSEC1_CompletedChallengeCannotBeReused(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		secret, codes := e.switchOn(t, u)
		e.clock.Advance(time.Minute)
		token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.sec.CompleteChallenge(ctx, token, e.code(t, secret, 0), audit.Meta{}); err != nil || got.ID != u.ID {
			t.Fatalf("CompleteChallenge = %s, %v", got.ID, err)
		}
		_, err = e.sec.CompleteChallenge(ctx, token, codes[0], audit.Meta{})
		wantCode(t, "second completion", err, "signin_challenge_invalid", "")
		_, err = e.sec.ChallengeUser(ctx, token)
		wantCode(t, "ChallengeUser after completion", err, "signin_challenge_invalid", "")
		if r := method(e.status(t, u.ID), security.MethodBackupCodes).Remaining; r != 10 {
			t.Fatalf("the refused reuse spent a backup code: %d left", r)
		}
	})
}

func TestSEC1_ChallengeNeedsItsOwnUsersCode(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ada := e.signUp(t, "ada@example.ch")
		bob := e.signUp(t, "bob@example.ch")
		_, adaCodes := e.switchOn(t, ada)
		bobSecret, bobCodes := e.switchOn(t, bob)
		e.clock.Advance(time.Minute)
		token, err := e.sec.StartChallenge(ctx, ada.ID, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.sec.CompleteChallenge(ctx, token, e.code(t, bobSecret, 0), audit.Meta{})
		wantCode(t, "another user's one-time code", err, "code_invalid", "code")
		_, err = e.sec.CompleteChallenge(ctx, token, bobCodes[0], audit.Meta{})
		wantCode(t, "another user's backup code", err, "code_invalid", "code")
		if r := method(e.status(t, bob.ID), security.MethodBackupCodes).Remaining; r != 10 {
			t.Fatalf("bob's backup code was spent: %d left", r)
		}
		got, err := e.sec.CompleteChallenge(ctx, token, adaCodes[0], audit.Meta{})
		if err != nil || got.ID != ada.ID {
			t.Fatalf("CompleteChallenge with ada's code = %s, %v; want ada", got.ID, err)
		}
	})
}
