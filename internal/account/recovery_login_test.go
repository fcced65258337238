package account_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestSEC9_LoginSentBySMS(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		u := recoverable(t, b)
		if err := b.accounts.SendLoginReminder(ctx, " +41 79 123 45 67 ", "", account.LoginBySMS, audit.Meta{IP: "192.0.2.1"}); err != nil {
			t.Fatalf("SendLoginReminder: %v", err)
		}
		sms := mails(t, b, u.Phone, "login_reminder_sms")
		if len(sms) != 1 || !strings.Contains(sms[0].BodyText, "ada@example.ch") {
			t.Fatalf("login SMS = %+v, want one holding the login e-mail", sms)
		}
		if n := len(mails(t, b, "", "login_reminder")); n != 0 {
			t.Fatalf("%d e-mails sent, want none", n)
		}
		if n := count(t, b.db, `SELECT COUNT(*) FROM identity_requests`); n != 0 {
			t.Fatalf("%d identity requests for a match, want 0", n)
		}
	})
}

func TestSEC9_LoginSentToRecoveryEmail(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		recoverable(t, b)
		// A wrong recovery e-mail matches nothing: no message.
		if err := b.accounts.SendLoginReminder(ctx, "+41791234567", "other@example.org", account.LoginByEmail, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if n := len(mails(t, b, "", "login_reminder")); n != 0 {
			t.Fatalf("%d reminders for a wrong recovery e-mail, want 0", n)
		}
		if err := b.accounts.SendLoginReminder(ctx, "+41791234567", "Ada.Private@example.org", account.LoginByEmail, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		got := mails(t, b, "ada.private@example.org", "login_reminder")
		if len(got) != 1 || !strings.Contains(got[0].BodyText, "ada@example.ch") || !strings.Contains(got[0].BodyHTML, "ada@example.ch") {
			t.Fatalf("reminder e-mails = %+v, want one holding the login", got)
		}
		if n := len(mails(t, b, "", "login_reminder_sms")); n != 0 {
			t.Fatalf("%d SMS sent, want none", n)
		}
	})
}

func TestSEC9_NoMatchRecordsIdentityRequest(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		ada := recoverable(t, b)
		// A second account on the same number: several match.
		eve := signUp(t, b, "eve@example.ch", true)
		phone := ada.Phone
		if _, err := b.accounts.UpdateProfile(ctx, eve.ID, account.ProfileUpdate{Phone: &phone}, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ phone, method string }{
			{"+41790000000", account.LoginBySMS},
			{ada.Phone, account.LoginBySMS},
			{ada.Phone, account.LoginByEmail},
		} {
			if err := b.accounts.SendLoginReminder(ctx, c.phone, "", c.method, audit.Meta{}); err != nil {
				t.Fatalf("%s by %s: %v", c.phone, c.method, err)
			}
		}
		if n := len(mails(t, b, "", "login_reminder_sms")) + len(mails(t, b, "", "login_reminder")); n != 0 {
			t.Fatalf("%d reminders sent without a single match, want 0", n)
		}
		if n := count(t, b.db, `SELECT COUNT(*) FROM identity_requests WHERE user_id IS NULL
			AND reason = 'login_forgotten' AND status = 'waiting'`); n != 3 {
			t.Fatalf("%d identity requests, want 3", n)
		}
		// Asking for identity verification with one match links the account.
		if err := b.accounts.SendLoginReminder(ctx, ada.Phone, ada.RecoveryEmail, account.LoginByIdentity, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, b.db, `SELECT COUNT(*) FROM identity_requests WHERE user_id = $1
			AND email = 'ada@example.ch' AND reason = 'login_forgotten'`, ada.ID); n != 1 {
			t.Fatalf("%d identity requests for ada, want 1", n)
		}
	})
}

func TestSEC9_RemindersLimitedPerPhoneAndIP(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	recoverable(t, b)
	for _, phone := range []string{"+41791234567", "+41790000000"} {
		for i := range account.LoginRemindersPerPhoneHr {
			if err := b.accounts.SendLoginReminder(ctx, phone, "", account.LoginBySMS, audit.Meta{}); err != nil {
				t.Fatalf("%s request %d: %v", phone, i+1, err)
			}
		}
		err := b.accounts.SendLoginReminder(ctx, phone, "", account.LoginBySMS, audit.Meta{})
		wantCode(t, phone+" past the limit", err, "too_many_requests", "")
	}
	b.clock.Advance(61 * time.Minute)
	if err := b.accounts.SendLoginReminder(ctx, "+41791234567", "", account.LoginBySMS, audit.Meta{}); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
	meta := audit.Meta{IP: "198.51.100.7"}
	for i := range account.LoginRemindersPerIPHr {
		phone := "+417900001" + string(rune('0'+i/10)) + string(rune('0'+i%10))
		if err := b.accounts.SendLoginReminder(ctx, phone, "", account.LoginByIdentity, meta); err != nil {
			t.Fatalf("IP request %d: %v", i+1, err)
		}
	}
	err := b.accounts.SendLoginReminder(ctx, "+41799999999", "", account.LoginBySMS, meta)
	wantCode(t, "IP past the limit", err, "too_many_requests", "")
}

func TestSEC9_ReminderValidatesInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	wantCode(t, "no phone", b.accounts.SendLoginReminder(ctx, "", "", account.LoginBySMS, audit.Meta{}), "validation_failed", "phone")
	wantCode(t, "local phone", b.accounts.SendLoginReminder(ctx, "079 123 45 67", "", account.LoginBySMS, audit.Meta{}), "validation_failed", "phone")
	wantCode(t, "bad e-mail", b.accounts.SendLoginReminder(ctx, "+41791234567", "nope", account.LoginBySMS, audit.Meta{}), "validation_failed", "recovery_email")
	wantCode(t, "bad method", b.accounts.SendLoginReminder(ctx, "+41791234567", "", "fax", audit.Meta{}), "validation_failed", "method")
}
