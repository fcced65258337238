package account_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/throttle"
)

var recoveryNameRe = regexp.MustCompile(`^[A-Z]{1,2}[0-9]{4}([0-9]{2})?$`)

// EnterRecovery gives the initials and digits, unique, sent by SMS and to
// the confirmed recovery e-mail with no link; calling it again keeps the
// name; an unknown address is object_not_found.
func TestSEC10_EnterRecoverySendsTheTemporaryName(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		u := recoverable(t, b) // Ada Muster, phone and confirmed recovery e-mail
		if _, err := b.accounts.EnterRecovery(ctx, "nobody@example.ch", audit.Meta{}); !errors.Is(err, apperr.NotFound) {
			t.Fatalf("unknown address: %v, want object_not_found", err)
		}
		rec, err := b.accounts.EnterRecovery(ctx, "ADA@example.ch", audit.Meta{UserAgent: "alpage-cli"})
		if err != nil {
			t.Fatal(err)
		}
		if !recoveryNameRe.MatchString(rec.Name) || !strings.HasPrefix(rec.Name, "AM") || !rec.SMS || !rec.Email || rec.IdentityRequestID != "" {
			t.Fatalf("EnterRecovery = %+v, want AM and digits by SMS and e-mail", rec)
		}
		sms := mails(t, b, u.Phone, "security_recovery_mode_sms")
		mail := mails(t, b, "ada.private@example.org", "security_recovery_mode")
		if len(sms) != 1 || !strings.Contains(sms[0].BodyText, rec.Name) {
			t.Fatalf("SMS = %+v, want one with %s", sms, rec.Name)
		}
		if len(mail) != 1 || !strings.Contains(mail[0].BodyText, rec.Name) || len(mail[0].Links) != 0 {
			t.Fatalf("e-mail = %+v, want one with %s and no link", mail, rec.Name)
		}
		if n := len(mails(t, b, u.Email, "security_recovery_mode")); n != 0 {
			t.Fatalf("%d messages to the deleted mailbox", n)
		}
		st := recoveryState(t, b, u.ID)
		if !st.InRecovery || st.RecoveryName != rec.Name || st.RecoveryStartedAt == nil {
			t.Fatalf("state = %+v", st)
		}
		if n := count(t, b.db, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'account.recovery_started'`, u.ID); n != 1 {
			t.Fatalf("%d recovery_started events, want 1", n)
		}
		again, err := b.accounts.EnterRecovery(ctx, u.Email, audit.Meta{})
		if err != nil || again.Name != rec.Name {
			t.Fatalf("again = %+v, %v: want the same name", again, err)
		}
		// Names are unique: many accounts with the same initials.
		seen := map[string]bool{rec.Name: true}
		for i := range 12 {
			other, err := b.accounts.SignUp(ctx, account.SignUpInput{Email: "am" + string(rune('a'+i)) + "@example.ch",
				Password: "correct horse battery", FirstName: "Ármin", LastName: "Müller", Language: "en", Confirmed: true}, audit.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			r, err := b.accounts.EnterRecovery(ctx, other.Email, audit.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if seen[r.Name] || !strings.HasPrefix(r.Name, "AM") || !recoveryNameRe.MatchString(r.Name) {
				t.Fatalf("name %q repeated or malformed", r.Name)
			}
			seen[r.Name] = true
			// No phone, no recovery e-mail: an identity request instead.
			if r.SMS || r.Email || r.IdentityRequestID == "" {
				t.Fatalf("without channels: %+v, want an identity request", r)
			}
		}
	})
}

// Without a phone nor a confirmed recovery e-mail, EnterRecovery opens one
// identity verification request (reason recovery_no_channel); an
// unconfirmed recovery e-mail gets nothing.
func TestSEC10_NoChannelOpensAnIdentityRequest(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		u := signUp(t, b, "ada@example.ch", true)
		if _, err := b.accounts.SetRecoveryEmail(ctx, u.ID, "ada.private@example.org", audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		rec, err := b.accounts.EnterRecovery(ctx, u.Email, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if rec.SMS || rec.Email || rec.IdentityRequestID == "" {
			t.Fatalf("EnterRecovery = %+v, want an identity request", rec)
		}
		if n := len(mails(t, b, "ada.private@example.org", "security_recovery_mode")); n != 0 {
			t.Fatalf("%d messages to an unconfirmed recovery e-mail", n)
		}
		if _, err := b.accounts.EnterRecovery(ctx, u.Email, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, b.db, `SELECT COUNT(*) FROM identity_requests WHERE user_id = $1 AND reason = $2 AND status = 'waiting'`,
			u.ID, account.ReasonRecoveryNoChannel); n != 1 {
			t.Fatalf("%d identity requests, want 1", n)
		}
	})
}

// The temporary name signs in, in any case, with the usual password; a
// wrong password by name is throttled against the account like by e-mail;
// the forced change confirms the new login by its link and ends recovery.
func TestSEC10_SignInByTemporaryNameAndForcedChange(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		u := recoverable(t, b)
		if _, err := b.accounts.Authenticate(ctx, "am1234", "correct horse battery", audit.Meta{IP: "192.0.2.1"}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("a name before recovery: %v, want invalid_credentials", err)
		}
		rec, err := b.accounts.EnterRecovery(ctx, u.Email, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.accounts.Authenticate(ctx, " "+strings.ToLower(rec.Name)+" ", "correct horse battery", audit.Meta{IP: "192.0.2.1"})
		if err != nil || got.ID != u.ID {
			t.Fatalf("sign-in by name = %v, %v", got.ID, err)
		}
		if in, err := b.accounts.InRecovery(ctx, u.ID); err != nil || !in {
			t.Fatalf("InRecovery = %v, %v", in, err)
		}
		// Wrong passwords by name count against the account.
		for range throttle.FreeFailures {
			if _, err := b.accounts.Authenticate(ctx, rec.Name, "wrong password!!", audit.Meta{IP: "192.0.2.9"}); err == nil {
				t.Fatal("a wrong password passed")
			}
		}
		if err := b.accounts.CheckSignInThrottle(ctx, u.Email, audit.Meta{IP: "192.0.2.10"}); throttle.AsRefusal(err) == nil {
			t.Fatalf("after wrong passwords by name, the account is not throttled: %v", err)
		}
		if err := b.accounts.SignInCompleted(ctx, u); err != nil {
			t.Fatal(err)
		}

		// The forced change.
		err = b.accounts.RequestRecoveryLogin(ctx, u.ID, u.Email, audit.Meta{})
		wantCode(t, "the old login", err, "validation_failed", "email")
		other := signUp(t, b, "taken@example.ch", true)
		err = b.accounts.RequestRecoveryLogin(ctx, u.ID, other.Email, audit.Meta{})
		wantCode(t, "a taken address", err, "email_already_registered", "email")
		if err := b.accounts.RequestRecoveryLogin(ctx, u.ID, "Ada@New.example", audit.Meta{ActorID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if st := recoveryState(t, b, u.ID); st.PendingLoginEmail != "ada@new.example" || !st.InRecovery {
			t.Fatalf("state = %+v, want the pending address, still in recovery", st)
		}
		token := recoveryLinkToken(t, b, "ada@new.example", "email_change", "/recovery/email/confirm")
		done, err := b.accounts.ConfirmRecoveryLogin(ctx, token, audit.Meta{})
		if err != nil || done.Email != "ada@new.example" || !done.EmailConfirmed {
			t.Fatalf("ConfirmRecoveryLogin = %+v, %v", done, err)
		}
		if _, err := b.accounts.ConfirmRecoveryLogin(ctx, token, audit.Meta{}); err != account.ErrConfirmationInvalid {
			t.Fatalf("the link again: %v", err)
		}
		if st := recoveryState(t, b, u.ID); st.InRecovery || st.RecoveryName != "" {
			t.Fatalf("state after the change = %+v, want out of recovery", st)
		}
		if _, err := b.accounts.Authenticate(ctx, rec.Name, "correct horse battery", audit.Meta{IP: "192.0.2.1"}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("the temporary name after recovery: %v, want invalid_credentials", err)
		}
		if _, err := b.accounts.Authenticate(ctx, "ada@new.example", "correct horse battery", audit.Meta{IP: "192.0.2.1"}); err != nil {
			t.Fatalf("the new login: %v", err)
		}
		for _, action := range []string{"account.email_changed", "account.recovery_ended"} {
			if n := count(t, b.db, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = $2`, u.ID, action); n != 1 {
				t.Errorf("%d %s events, want 1", n, action)
			}
		}
		err = b.accounts.RequestRecoveryLogin(ctx, u.ID, "ada@third.example", audit.Meta{})
		wantCode(t, "out of recovery", err, "account_not_in_recovery", "")
	})
}
