package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
)

// `alpage user recovery EMAIL` puts the account in recovery (SEC-10) and
// says by which channels the temporary name went, never the name; an
// unknown address is refused with a clear message.
func TestSEC10_UserRecoveryCommand(t *testing.T) {
	t.Parallel()
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("alpage"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := parser.Parse([]string{"user", "recovery", "ada@example.ch", "--data", dir}); err != nil {
		t.Fatalf("parsing: %v", err)
	}
	cmd := cli.User.Recovery
	if cmd.Email != "ada@example.ch" || cmd.Data != dir {
		t.Fatalf("parsed %+v", cmd)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir, Logger: quietLogger(),
		Account: account.Options{Password: account.PasswordParams{Memory: 1024, Time: 1, Threads: 1}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	phone := "+41791234567"
	u, err := a.Accounts.SignUp(ctx, account.SignUpInput{Email: "ada@example.ch", Password: "correct horse battery",
		FirstName: "Ada", LastName: "Muster", Language: "en", Confirmed: true}, audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Accounts.UpdateProfile(ctx, u.ID, account.ProfileUpdate{Phone: &phone}, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := cmd.run(ctx, a, &out); err != nil {
		t.Fatal(err)
	}
	st, err := a.Accounts.RecoveryState(ctx, u.ID)
	if err != nil || !st.InRecovery {
		t.Fatalf("state = %+v, %v", st, err)
	}
	if got := out.String(); got != u.ID+" in recovery: temporary user name sent by sms\n" || strings.Contains(got, st.RecoveryName) {
		t.Fatalf("printed %q", got)
	}
	unknown := UserRecoveryCmd{Email: "nobody@example.ch"}
	if err := unknown.run(ctx, a, &out); err == nil || !strings.Contains(err.Error(), "no account has the login e-mail") {
		t.Fatalf("unknown address: %v", err)
	}
}
