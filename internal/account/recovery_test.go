package account_test

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

const newPassword = "a fresh recovery passphrase"

// recoverable makes ada@example.ch with a phone and a recovery e-mail
// confirmed by its link.
func recoverable(t *testing.T, b *bundle) account.User {
	t.Helper()
	ctx := context.Background()
	u := signUp(t, b, "ada@example.ch", true)
	phone := "+41791234567"
	if _, err := b.accounts.UpdateProfile(ctx, u.ID, account.ProfileUpdate{Phone: &phone}, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	u, err := b.accounts.SetRecoveryEmail(ctx, u.ID, "ada.private@example.org", audit.Meta{ActorID: u.ID})
	if err != nil {
		t.Fatalf("SetRecoveryEmail: %v", err)
	}
	confirmRecoveryEmail(t, b, "ada.private@example.org")
	return u
}

// resetLinkToken returns the token of the newest reset link e-mailed to recipient.
func resetLinkToken(t *testing.T, b *bundle, recipient string) string {
	t.Helper()
	ms := mails(t, b, recipient, "password_reset")
	if len(ms) == 0 {
		t.Fatalf("no password_reset e-mail to %s", recipient)
	}
	for _, l := range ms[0].Links {
		if u, err := url.Parse(l); err == nil && u.Path == "/signin/forgot/reset" && u.Query().Get("token") != "" {
			return u.Query().Get("token")
		}
	}
	t.Fatalf("the reset e-mail has no reset link: %v", ms[0].Links)
	return ""
}

var smsCode = regexp.MustCompile(`\b\d{6}\b`)

// lastSMSCode returns the code of the newest SMS to phone.
func lastSMSCode(t *testing.T, b *bundle, phone string) string {
	t.Helper()
	ms := mails(t, b, phone, "sms_code")
	if len(ms) == 0 {
		t.Fatalf("no SMS to %s", phone)
	}
	code := smsCode.FindString(ms[0].BodyText)
	if code == "" {
		t.Fatalf("no code in the SMS %q", ms[0].BodyText)
	}
	return code
}

func TestACC1_RecoveryEmailValidatedAndDiffersFromLogin(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u := signUp(t, b, "ada@example.ch", true)
	_, err := b.accounts.SetRecoveryEmail(ctx, u.ID, "not an address", audit.Meta{})
	wantCode(t, "malformed", err, "validation_failed", "recovery_email")
	_, err = b.accounts.SetRecoveryEmail(ctx, u.ID, "ADA@example.ch", audit.Meta{})
	wantCode(t, "same as login", err, "validation_failed", "recovery_email")
	got, err := b.accounts.SetRecoveryEmail(ctx, u.ID, " Ada.Private@Example.org ", audit.Meta{})
	if err != nil || got.RecoveryEmail != "ada.private@example.org" {
		t.Fatalf("SetRecoveryEmail = %q, %v", got.RecoveryEmail, err)
	}
	if got, _ := b.accounts.Get(ctx, u.ID); got.RecoveryEmail != "ada.private@example.org" {
		t.Fatalf("stored recovery e-mail = %q", got.RecoveryEmail)
	}
	if got, err := b.accounts.SetRecoveryEmail(ctx, u.ID, "", audit.Meta{}); err != nil || got.RecoveryEmail != "" {
		t.Fatalf("removing: %q, %v", got.RecoveryEmail, err)
	}
}

func TestSEC8_ResetByRecoveryEmailLink(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := recoverable(t, b)
		other, _, _ := b.accounts.CreateSession(ctx, ada.ID, audit.Meta{})

		flow, err := b.accounts.StartPasswordReset(ctx, "ada@example.ch", account.ResetByLink, audit.Meta{IP: "192.0.2.1"})
		if err != nil || flow != "" {
			t.Fatalf("StartPasswordReset(link) = %q, %v", flow, err)
		}
		if n := len(mails(t, b, "ada@example.ch", "password_reset")); n != 0 {
			t.Fatalf("the reset link went to the login address (%d)", n)
		}
		token := resetLinkToken(t, b, "ada.private@example.org")
		if err := b.accounts.CheckPasswordReset(ctx, token); err != nil {
			t.Fatalf("CheckPasswordReset: %v", err)
		}
		wantCode(t, "common password", b.accounts.ResetPassword(ctx, token, "password123", audit.Meta{}), "validation_failed", "password")
		if err := b.accounts.ResetPassword(ctx, token, newPassword, audit.Meta{}); err != nil {
			t.Fatalf("ResetPassword: %v", err)
		}
		if _, err := b.accounts.Authenticate(ctx, "ada@example.ch", password, audit.Meta{}); !errors.Is(err, account.ErrInvalidCredentials) {
			t.Fatalf("old password: %v", err)
		}
		if _, err := b.accounts.Authenticate(ctx, "ada@example.ch", newPassword, audit.Meta{}); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, _, err := b.accounts.SessionByToken(ctx, other); !errors.Is(err, apperr.NotAuthorized) {
			t.Fatalf("a session survived the reset: %v", err)
		}
		if !errors.Is(b.accounts.ResetPassword(ctx, token, "yet another passphrase", audit.Meta{}), account.ErrResetInvalid) {
			t.Fatal("the link worked twice")
		}
		sent := mails(t, b, "ada@example.ch", "password_changed")
		if len(sent) != 1 || len(sent[0].Links) != 0 {
			t.Fatalf("password_changed e-mails = %+v, want one without a link", sent)
		}
		if n := count(t, b.db, `SELECT COUNT(*) FROM audit_events WHERE action = 'account.password_reset'`); n != 1 {
			t.Fatalf("%d account.password_reset events, want 1", n)
		}

		// A link expires after an hour.
		if _, err := b.accounts.StartPasswordReset(ctx, "ada@example.ch", account.ResetByLink, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		late := resetLinkToken(t, b, "ada.private@example.org")
		b.clock.Advance(account.ResetLinkTTL + time.Second)
		if !errors.Is(b.accounts.CheckPasswordReset(ctx, late), account.ErrResetInvalid) ||
			!errors.Is(b.accounts.ResetPassword(ctx, late, "yet another passphrase", audit.Meta{}), account.ErrResetInvalid) {
			t.Fatal("an expired link still works")
		}
	})
}

func TestSEC8_ResetBySMSCode(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		recoverable(t, b)
		flow, err := b.accounts.StartPasswordReset(ctx, "ada@example.ch", account.ResetBySMS, audit.Meta{})
		if err != nil || flow == "" {
			t.Fatalf("StartPasswordReset(sms) = %q, %v", flow, err)
		}
		code := lastSMSCode(t, b, "+41791234567")
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		if !errors.Is(b.accounts.ResetPassword(ctx, flow, newPassword, audit.Meta{}), account.ErrResetInvalid) {
			t.Fatal("the reset worked before the code was entered")
		}
		wantCode(t, "wrong code", b.accounts.VerifyResetCode(ctx, flow, wrong), "password_reset_code_wrong", "code")
		if err := b.accounts.VerifyResetCode(ctx, flow, code); err != nil {
			t.Fatalf("right code: %v", err)
		}
		if err := b.accounts.ResetPassword(ctx, flow, newPassword, audit.Meta{}); err != nil {
			t.Fatalf("ResetPassword: %v", err)
		}
		if _, err := b.accounts.Authenticate(ctx, "ada@example.ch", newPassword, audit.Meta{}); err != nil {
			t.Fatalf("new password: %v", err)
		}

		// Five wrong codes end a reset, even for the right code after.
		flow, _ = b.accounts.StartPasswordReset(ctx, "ada@example.ch", account.ResetBySMS, audit.Meta{})
		code = lastSMSCode(t, b, "+41791234567")
		for i := 1; i <= account.ResetCodeAttempts; i++ {
			err := b.accounts.VerifyResetCode(ctx, flow, "abcdef")
			want := account.ErrResetCodeWrong
			if i == account.ResetCodeAttempts {
				want = account.ErrResetInvalid
			}
			if !errors.Is(err, want) {
				t.Fatalf("wrong code %d: %v, want %v", i, err, want)
			}
		}
		if !errors.Is(b.accounts.VerifyResetCode(ctx, flow, code), account.ErrResetInvalid) {
			t.Fatal("the right code worked after 5 wrong ones")
		}

		// A code expires after 10 minutes.
		flow, _ = b.accounts.StartPasswordReset(ctx, "ada@example.ch", account.ResetBySMS, audit.Meta{})
		code = lastSMSCode(t, b, "+41791234567")
		b.clock.Advance(account.ResetCodeTTL)
		if !errors.Is(b.accounts.VerifyResetCode(ctx, flow, code), account.ErrResetInvalid) {
			t.Fatal("an expired code still works")
		}
	})
}

func TestSEC8_UnknownEmailAnswersAlike(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		signUp(t, b, "bare@example.ch", true) // no phone, no recovery e-mail
		before := len(mails(t, b, "", "sms_code")) + len(mails(t, b, "", "password_reset"))
		for _, email := range []string{"nobody@example.ch", "bare@example.ch"} {
			flow, err := b.accounts.StartPasswordReset(ctx, email, account.ResetBySMS, audit.Meta{})
			if err != nil || flow == "" {
				t.Fatalf("%s by SMS = %q, %v; want a secret like any other", email, flow, err)
			}
			wantCode(t, email+" code", b.accounts.VerifyResetCode(ctx, flow, "123456"), "password_reset_code_wrong", "code")
			if flow, err := b.accounts.StartPasswordReset(ctx, email, account.ResetByLink, audit.Meta{}); err != nil || flow != "" {
				t.Fatalf("%s by link = %q, %v", email, flow, err)
			}
		}
		if after := len(mails(t, b, "", "sms_code")) + len(mails(t, b, "", "password_reset")); after != before {
			t.Fatalf("%d messages sent for accounts without options", after-before)
		}
		// Requests are counted alike: the 6th in an hour is refused for both.
		for _, email := range []string{"nobody@example.ch", "bare@example.ch"} {
			for range account.ResetRequestsPerHour - 2 {
				if _, err := b.accounts.StartPasswordReset(ctx, email, account.ResetByLink, audit.Meta{}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := b.accounts.StartPasswordReset(ctx, email, account.ResetByLink, audit.Meta{})
			wantCode(t, email+" 6th", err, "too_many_requests", "")
		}
	})
}

func TestSEC8_IdentityVerificationRequestRecorded(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := signUp(t, b, "ada@example.ch", true)
		for _, email := range []string{"ada@example.ch", "nobody@example.ch", "ada@example.ch"} {
			if err := b.accounts.RequestIdentityVerification(ctx, email, account.ReasonPasswordForgotten, audit.Meta{}); err != nil {
				t.Fatalf("%s: %v", email, err)
			}
		}
		if n := count(t, b.db, `SELECT COUNT(*) FROM identity_requests WHERE user_id = $1 AND email = 'ada@example.ch'
			AND reason = 'password_forgotten' AND status = 'waiting'`, ada.ID); n != 1 {
			t.Fatalf("%d waiting requests for ada, want 1 (a repeat is not recorded)", n)
		}
		if n := count(t, b.db, `SELECT COUNT(*) FROM identity_requests WHERE user_id IS NULL
			AND email = 'nobody@example.ch' AND status = 'waiting'`); n != 1 {
			t.Fatalf("%d requests for the unknown e-mail, want 1", n)
		}
	})
}
