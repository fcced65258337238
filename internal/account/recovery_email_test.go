package account_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// recoveryLinkToken returns the token of the newest link to path e-mailed to
// recipient with template.
func recoveryLinkToken(t *testing.T, b *bundle, recipient, template, path string) string {
	t.Helper()
	ms := mails(t, b, recipient, template)
	if len(ms) == 0 {
		t.Fatalf("no %s e-mail to %s", template, recipient)
	}
	for _, l := range ms[0].Links {
		if u, err := url.Parse(l); err == nil && u.Path == path && u.Query().Get("token") != "" {
			return u.Query().Get("token")
		}
	}
	t.Fatalf("the %s e-mail has no %s link: %v", template, path, ms[0].Links)
	return ""
}

// confirmRecoveryEmail opens the newest confirmation link sent to address.
func confirmRecoveryEmail(t *testing.T, b *bundle, address string) account.User {
	t.Helper()
	token := recoveryLinkToken(t, b, address, "recovery_email_confirm", "/recovery-email/confirm")
	u, err := b.accounts.ConfirmRecoveryEmail(context.Background(), token, audit.Meta{})
	if err != nil {
		t.Fatalf("ConfirmRecoveryEmail: %v", err)
	}
	return u
}

func recoveryState(t *testing.T, b *bundle, userID string) account.RecoveryState {
	t.Helper()
	st, err := b.accounts.RecoveryState(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A new recovery e-mail gets a link, valid 7 days and once; until it is
// opened the address receives no reset link nor login reminder (SEC-8,
// SEC-9); changing the address voids the earlier link.
func TestSEC8_RecoveryEmailIsUsedOnlyOnceConfirmed(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		u := signUp(t, b, "ada@example.ch", true)
		phone := "+41791234567"
		addr := "ada.private@example.org"
		if _, err := b.accounts.UpdateProfile(ctx, u.ID, account.ProfileUpdate{Phone: &phone, RecoveryEmail: &addr},
			audit.Meta{ActorID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if st := recoveryState(t, b, u.ID); st.RecoveryEmail != addr || st.RecoveryEmailConfirmed {
			t.Fatalf("state after setting = %+v, want the address, unconfirmed", st)
		}
		// Not confirmed: nothing recovers the account through it.
		if _, err := b.accounts.StartPasswordReset(ctx, u.Email, account.ResetByLink, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if err := b.accounts.SendLoginReminder(ctx, phone, "", account.LoginByEmail, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if n := len(mails(t, b, addr, "password_reset")) + len(mails(t, b, addr, "login_reminder")); n != 0 {
			t.Fatalf("%d recovery messages to an unconfirmed address, want 0", n)
		}
		// The link: a new address voids it; the newest one works once.
		first := recoveryLinkToken(t, b, addr, "recovery_email_confirm", "/recovery-email/confirm")
		other := "ada.other@example.org"
		if _, err := b.accounts.SetRecoveryEmail(ctx, u.ID, other, audit.Meta{ActorID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.accounts.ConfirmRecoveryEmail(ctx, first, audit.Meta{}); err != account.ErrConfirmationInvalid {
			t.Fatalf("the link of a replaced address: %v, want confirmation_link_invalid", err)
		}
		if _, err := b.accounts.SetRecoveryEmail(ctx, u.ID, addr, audit.Meta{ActorID: u.ID}); err != nil {
			t.Fatal(err)
		}
		token := recoveryLinkToken(t, b, addr, "recovery_email_confirm", "/recovery-email/confirm")
		b.clock.Advance(account.RecoveryEmailTTL - time.Minute)
		if _, err := b.accounts.ConfirmRecoveryEmail(ctx, token, audit.Meta{}); err != nil {
			t.Fatalf("ConfirmRecoveryEmail before expiry: %v", err)
		}
		if _, err := b.accounts.ConfirmRecoveryEmail(ctx, token, audit.Meta{}); err != account.ErrConfirmationInvalid {
			t.Fatalf("the same link again: %v, want confirmation_link_invalid", err)
		}
		if st := recoveryState(t, b, u.ID); !st.RecoveryEmailConfirmed {
			t.Fatalf("state after the link = %+v, want confirmed", st)
		}
		err := b.accounts.ResendRecoveryEmailConfirmation(ctx, u.ID, audit.Meta{})
		wantCode(t, "resend once confirmed", err, "recovery_email_already_confirmed", "")
		// Confirmed: the reset link and the reminder go there.
		b.clock.Advance(time.Hour)
		if _, err := b.accounts.StartPasswordReset(ctx, u.Email, account.ResetByLink, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if err := b.accounts.SendLoginReminder(ctx, phone, "", account.LoginByEmail, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if len(mails(t, b, addr, "password_reset")) != 1 || len(mails(t, b, addr, "login_reminder")) != 1 {
			t.Fatal("the confirmed recovery e-mail did not get the reset link and the reminder")
		}
		// A change makes it unconfirmed again.
		if _, err := b.accounts.SetRecoveryEmail(ctx, u.ID, other, audit.Meta{ActorID: u.ID}); err != nil {
			t.Fatal(err)
		}
		if st := recoveryState(t, b, u.ID); st.RecoveryEmailConfirmed {
			t.Fatal("a changed recovery e-mail stays confirmed")
		}
	})
}

// An expired link does not confirm; resending makes a new one, at most one
// a minute.
func TestSEC8_RecoveryEmailLinkExpiresAndIsResent(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := newBundle(t, db)
		ctx := context.Background()
		u := signUp(t, b, "ada@example.ch", true)
		addr := "ada.private@example.org"
		if _, err := b.accounts.SetRecoveryEmail(ctx, u.ID, addr, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		token := recoveryLinkToken(t, b, addr, "recovery_email_confirm", "/recovery-email/confirm")
		err := b.accounts.ResendRecoveryEmailConfirmation(ctx, u.ID, audit.Meta{})
		wantCode(t, "resend within a minute", err, "too_many_requests", "")
		b.clock.Advance(account.RecoveryEmailTTL)
		if _, err := b.accounts.ConfirmRecoveryEmail(ctx, token, audit.Meta{}); err != account.ErrConfirmationInvalid {
			t.Fatalf("expired link: %v, want confirmation_link_invalid", err)
		}
		if err := b.accounts.ResendRecoveryEmailConfirmation(ctx, u.ID, audit.Meta{}); err != nil {
			t.Fatalf("resend: %v", err)
		}
		if n := len(mails(t, b, addr, "recovery_email_confirm")); n != 2 {
			t.Fatalf("%d links sent, want 2", n)
		}
		confirmRecoveryEmail(t, b, addr)
		if !recoveryState(t, b, u.ID).RecoveryEmailConfirmed {
			t.Fatal("the resent link did not confirm")
		}
		noAddr := signUp(t, b, "bob@example.ch", true)
		err = b.accounts.ResendRecoveryEmailConfirmation(ctx, noAddr.ID, audit.Meta{})
		wantCode(t, "resend without an address", err, "validation_failed", "recovery_email")
	})
}
