package security_test

import (
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// SEC-5: switching two-step sign-in off without a working method opens one
// identity verification request, from the pending sign-in; two-step stays
// on; the login address (and the phone) are told, with no link; asking
// again answers the same request without a new message.
func TestSEC5_LostMethodOpensOneIdentityRequest(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		phone := "+41791234567"
		if _, err := e.accounts.UpdateProfile(ctx, u.ID, account.ProfileUpdate{Phone: &phone}, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		// Two-step off: nothing to switch off.
		if _, err := e.sec.RequestSwitchOffSignedIn(ctx, u.ID, audit.Meta{}); err != security.ErrTwoStepOff {
			t.Fatalf("with two-step off: %v, want two_step_off", err)
		}
		e.switchOn(t, u)
		if _, err := e.sec.RequestSwitchOff(ctx, "not-a-token", audit.Meta{}); err != security.ErrChallengeInvalid {
			t.Fatalf("without a pending sign-in: %v, want signin_challenge_invalid", err)
		}
		token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		req, err := e.sec.RequestSwitchOff(ctx, token, audit.Meta{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if req.ID == "" || req.Status != "waiting" || req.Reason != security.ReasonTwoStepLost || !req.CreatedAt.Equal(e.clock.Now()) {
			t.Fatalf("request = %+v", req)
		}
		// Two-step stays on, and the request is on the status.
		st := e.status(t, u.ID)
		if !st.Enabled || st.SwitchOff == nil || st.SwitchOff.ID != req.ID {
			t.Fatalf("status = %+v, want on with the waiting request", st)
		}
		if on, err := e.sec.Required(ctx, u.ID); err != nil || !on {
			t.Fatalf("Required = %v, %v", on, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM identity_requests WHERE user_id = $1 AND reason = $2
			AND email = $3 AND phone = $4`, u.ID, security.ReasonTwoStepLost, u.Email, phone); n != 1 {
			t.Fatalf("%d identity requests with login and phone, want 1", n)
		}
		mails := e.mails(t, u.Email, "security_identity_request")
		sms := e.mails(t, phone, "security_identity_request_sms")
		if len(mails) != 1 || len(sms) != 1 || len(mails[0].Links) != 0 || mails[0].Language != "de" {
			t.Fatalf("messages: %d e-mails, %d SMS (%+v)", len(mails), len(sms), mails)
		}
		if !strings.Contains(mails[0].BodyText, "Passwort") {
			t.Errorf("the e-mail does not tell to change the password:\n%s", mails[0].BodyText)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'security.identity_requested'`, u.ID); n != 1 {
			t.Fatalf("%d audit events, want 1", n)
		}
		// Again, from the pending sign-in or signed in: the same request, no new message.
		again, err := e.sec.RequestSwitchOff(ctx, token, audit.Meta{})
		if err != nil || again.ID != req.ID {
			t.Fatalf("again = %+v, %v", again, err)
		}
		signedIn, err := e.sec.RequestSwitchOffSignedIn(ctx, u.ID, audit.Meta{ActorID: u.ID})
		if err != nil || signedIn.ID != req.ID {
			t.Fatalf("signed in = %+v, %v", signedIn, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM identity_requests WHERE user_id = $1`, u.ID); n != 1 {
			t.Fatalf("%d identity requests, want 1", n)
		}
		if n := len(e.mails(t, u.Email, "security_identity_request")); n != 1 {
			t.Fatalf("%d e-mails after asking again, want 1", n)
		}
	})
}
