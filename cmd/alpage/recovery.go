package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
)

// UserRecoveryCmd puts an account in recovery (SEC-10). The provider's mail
// system calls it when it deletes a mailbox that is the login of an
// account: the account gets a temporary user name, sent by SMS and to its
// confirmed recovery e-mail (or, with neither, an identity verification
// request is opened), and must choose a new login e-mail at its next
// sign-in.
type UserRecoveryCmd struct {
	Email string `arg:"" help:"Login e-mail of the account whose mailbox was deleted."`
	Database
}

// Run puts the account in recovery and says how the user was told.
func (c *UserRecoveryCmd) Run() error {
	ctx := context.Background()
	a, err := app.Open(ctx, c.Database.config(quietLogger()), false)
	if err != nil {
		return err
	}
	defer a.Close()
	return c.run(ctx, a, os.Stdout)
}

// run puts the account in recovery and prints one line: the user's id and
// the channels the temporary user name went to (never the name itself).
func (c *UserRecoveryCmd) run(ctx context.Context, a *app.App, out io.Writer) error {
	rec, err := a.Accounts.EnterRecovery(ctx, c.Email, audit.Meta{UserAgent: "alpage-cli"})
	if errors.Is(err, apperr.NotFound) {
		return fmt.Errorf("no account has the login e-mail %q", c.Email)
	}
	if err != nil {
		return describe(err)
	}
	var sent []string
	if rec.SMS {
		sent = append(sent, "sms")
	}
	if rec.Email {
		sent = append(sent, "email")
	}
	if len(sent) == 0 {
		_, err = fmt.Fprintf(out, "%s in recovery: no phone nor confirmed recovery e-mail; identity verification request %s opened\n",
			rec.UserID, rec.IdentityRequestID)
		return err
	}
	_, err = fmt.Fprintf(out, "%s in recovery: temporary user name sent by %s\n", rec.UserID, strings.Join(sent, " and "))
	return err
}
