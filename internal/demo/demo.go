// Package demo fills a demo provider for `alpage serve --demo`: a few
// customers in several languages, each with an organization, one of them with
// a second organization. It is idempotent: running it again changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
)

// Credential tells how to sign in as a demo customer.
type Credential struct {
	Email, Password, About string
}

// Password is every demo customer's password. It is public: never run --demo
// on a server that faces the internet.
const Password = "alpage-demo-2026"

type customer struct {
	in    account.SignUpInput
	about string
	more  []string // further organizations (ACC-4)
}

var customers = []customer{
	{in: account.SignUpInput{Email: "ada@demo.alpage.ch", FirstName: "Ada", LastName: "Muster", Language: "en",
		Country: "CH", TimeZone: "Europe/Zurich"}, about: "English, legal representative of two organizations", more: []string{"Muster Hosting GmbH"}},
	{in: account.SignUpInput{Email: "claire@demo.alpage.ch", FirstName: "Claire", LastName: "Dubois", Language: "fr",
		Country: "CH", TimeZone: "Europe/Zurich", OrganizationName: "Atelier Dubois Sàrl"}, about: "français, collaborator at Muster Hosting"},
	{in: account.SignUpInput{Email: "jonas@demo.alpage.ch", FirstName: "Jonas", LastName: "Weber", Language: "de",
		Country: "DE", TimeZone: "Europe/Berlin"}, about: "Deutsch, administrator at Muster Hosting"},
	{in: account.SignUpInput{Email: "luca@demo.alpage.ch", FirstName: "Luca", LastName: "Rossi", Language: "it",
		Country: "IT", TimeZone: "Europe/Rome", OrganizationName: "Rossi & Figli SA"}, about: "italiano"},
	{in: account.SignUpInput{Email: "lucia@demo.alpage.ch", FirstName: "Lucía", LastName: "García", Language: "es",
		Country: "ES", TimeZone: "Europe/Madrid"}, about: "español"},
}

// Fill creates what is missing of the demo provider and returns the sign-in
// details of its customers.
func Fill(ctx context.Context, a *app.App) ([]Credential, error) {
	meta := audit.Meta{UserAgent: "alpage-demo"}
	var creds []Credential
	ids := map[string]string{}
	for _, c := range customers {
		in := c.in
		in.Password, in.Confirmed = Password, true
		u, err := a.Accounts.SignUp(ctx, in, meta)
		switch {
		case errors.Is(err, account.ErrEmailTaken):
			// Already there from an earlier run.
			if u, err = a.Accounts.GetByEmail(ctx, in.Email); err != nil {
				return nil, err
			}
		case err != nil:
			return nil, fmt.Errorf("demo: creating %s: %w", in.Email, err)
		default:
			// A confirmed recovery e-mail, so that the recovery flows
			// (SEC-8..10) can be tried on the demo.
			local, _, _ := strings.Cut(in.Email, "@")
			if _, err := a.Accounts.SetConfirmedRecoveryEmail(ctx, u.ID, local+".private@example.org", meta); err != nil {
				return nil, fmt.Errorf("demo: recovery e-mail of %s: %w", in.Email, err)
			}
			for _, name := range c.more {
				if _, err := a.Orgs.Create(ctx, u.ID, name, "company", meta); err != nil {
					return nil, fmt.Errorf("demo: creating %s: %w", name, err)
				}
			}
		}
		ids[in.Email] = u.ID
		creds = append(creds, Credential{Email: in.Email, Password: Password, About: c.about})
	}
	if err := loadCatalog(ctx, a); err != nil {
		return nil, err
	}
	if err := company(ctx, a, ids); err != nil {
		return nil, err
	}
	return creds, nil
}
