package security_test

import (
	"testing"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestSEC7_SignOutSessionOfAnotherUserIsNotFound(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ada := e.signUp(t, "ada@example.ch")
		bob := e.signUp(t, "bob@example.ch")
		adaToken, adaSess, err := e.accounts.CreateSession(ctx, ada.ID, audit.Meta{UserAgent: firefoxLinux})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, "bob signs out ada's session", e.sec.SignOutSession(ctx, bob.ID, adaSess.ID, audit.Meta{ActorID: bob.ID}),
			"object_not_found", "")
		wantCode(t, "unknown id", e.sec.SignOutSession(ctx, ada.ID, "not-an-id", audit.Meta{}), "object_not_found", "")
		if _, _, err := e.accounts.SessionByToken(ctx, adaToken); err != nil {
			t.Fatalf("ada's session ended by bob's attempt: %v", err)
		}
		if err := e.sec.SignOutSession(ctx, ada.ID, adaSess.ID, audit.Meta{ActorID: ada.ID}); err != nil {
			t.Fatalf("SignOutSession: %v", err)
		}
		_, _, err = e.accounts.SessionByToken(ctx, adaToken)
		wantCode(t, "signed-out session", err, "not_authorized", "")
		wantCode(t, "signing out twice", e.sec.SignOutSession(ctx, ada.ID, adaSess.ID, audit.Meta{}), "object_not_found", "")
	})
}

func TestSEC7_SignOutOthersKeepsTheGivenSession(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ada := e.signUp(t, "ada@example.ch")
		bob := e.signUp(t, "bob@example.ch")
		var keep string
		for i, ua := range []string{firefoxLinux, safariIPhone, chromeWin} {
			_, sess, err := e.accounts.CreateSession(ctx, ada.ID, audit.Meta{UserAgent: ua})
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				keep = sess.ID
			}
		}
		bobToken, _, err := e.accounts.CreateSession(ctx, bob.ID, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		n, err := e.sec.SignOutOthers(ctx, ada.ID, keep, audit.Meta{ActorID: ada.ID})
		if err != nil || n != 2 {
			t.Fatalf("SignOutOthers = %d, %v; want 2", n, err)
		}
		left, err := e.accounts.Sessions(ctx, ada.ID)
		if err != nil || len(left) != 1 || left[0].ID != keep {
			t.Fatalf("sessions left = %+v, %v; want only %s", left, err, keep)
		}
		if _, _, err := e.accounts.SessionByToken(ctx, bobToken); err != nil {
			t.Fatalf("bob's session ended: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'session.others_signed_out'`, ada.ID); n != 1 {
			t.Errorf("%d session.others_signed_out events, want 1", n)
		}
	})
}
