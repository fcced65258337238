package security_test

import (
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// SEC-6, SEC-10: while the account is in recovery its login mailbox is
// gone; the new-sign-in alert goes to the confirmed recovery e-mail.
func TestSEC10_NewSignInAlertGoesToTheRecoveryEmailInRecovery(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u, err := e.accounts.SignUp(ctx, account.SignUpInput{Email: "gone@example.ch", Password: password, FirstName: "Ada",
			LastName: "Muster", Language: "en", TimeZone: "Europe/Zurich", Confirmed: true}, audit.Meta{IP: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.accounts.SetConfirmedRecoveryEmail(ctx, u.ID, "ada.private@example.org", audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		e.signInFrom(t, u, "203.0.113.7", firefoxLinux)
		if _, err := e.accounts.EnterRecovery(ctx, u.Email, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if !e.signInFrom(t, u, "198.51.100.4", safariIPhone) {
			t.Fatal("a new device in recovery sent no alert")
		}
		if n := len(e.mails(t, "ada.private@example.org", "security_new_signin")); n != 1 {
			t.Errorf("%d alerts to the recovery e-mail, want 1", n)
		}
		if n := len(e.mails(t, u.Email, "security_new_signin")); n != 0 {
			t.Errorf("%d alerts to the lost login mailbox, want 0", n)
		}
	})
}
