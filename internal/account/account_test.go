package account_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/store"
)

type bundle struct {
	db       *store.DB
	clock    *clock.Fixed
	accounts *account.Service
	orgs     *org.Service
	notifier *notify.Notifier
}

// cheap argon2id parameters keep the tests fast; production uses the defaults.
var cheap = account.PasswordParams{Memory: 1024, Time: 1, Threads: 1}

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return newBundle(t, db)
}

// newBundle builds the services over a migrated database of either engine.
func newBundle(t *testing.T, db *store.DB) *bundle {
	t.Helper()
	clk := clock.NewFixed(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(db, clk, logger)
	n := notify.New(db, clk, q, notify.Config{Hold: true, BaseURL: "http://console.test"}, notify.SandboxSMS{}, logger)
	notify.RegisterWorkers(q, n)
	if err := q.Open(false); err != nil {
		t.Fatal(err)
	}
	return &bundle{db: db, clock: clk, notifier: n, orgs: org.New(db, clk),
		accounts: account.New(db, clk, n, account.Options{Password: cheap})}
}

func signUp(t *testing.T, b *bundle, email string, confirmed bool) account.User {
	t.Helper()
	u, err := b.accounts.SignUp(context.Background(), account.SignUpInput{Email: email, Password: "correct horse battery",
		FirstName: "Ada", LastName: "Muster", Language: "de", Confirmed: confirmed}, audit.Meta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	return u
}

func confirmationToken(t *testing.T, b *bundle, email string) string {
	t.Helper()
	msgs, err := b.notifier.List(context.Background(), email, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Template != "confirm_email" {
			continue
		}
		for _, l := range m.Links {
			if u, err := url.Parse(l); err == nil && u.Path == "/confirm" {
				return u.Query().Get("token")
			}
		}
	}
	t.Fatalf("no confirmation link in the outbox of %s", email)
	return ""
}

func TestACC2_SignUpCreatesOrganizationWithLegalRepresentative(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := signUp(t, b, "Ada@Example.CH", false)
	if u.Email != "ada@example.ch" {
		t.Errorf("login e-mail kept as %q, want it lower-cased", u.Email)
	}
	orgs, err := b.orgs.ListForUser(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 1 || orgs[0].Name != "Ada Muster" || orgs[0].Role != org.RoleLegalRepresentative {
		t.Fatalf("organizations after sign-up = %+v, want one named \"Ada Muster\" with the user as legal representative", orgs)
	}
}

func TestACC2_CompanyNameAndInvitationWithoutOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, err := b.accounts.SignUp(ctx, account.SignUpInput{Email: "co@example.ch", Password: "correct horse battery",
		FirstName: "Co", LastName: "Founder", OrganizationName: "Example AG", Confirmed: true}, audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	orgs, _ := b.orgs.ListForUser(ctx, u.ID)
	if len(orgs) != 1 || orgs[0].Name != "Example AG" || orgs[0].LegalForm != "company" {
		t.Fatalf("organizations = %+v, want Example AG (company)", orgs)
	}
	inv, err := b.accounts.SignUp(ctx, account.SignUpInput{Email: "inv@example.ch", Password: "correct horse battery",
		FirstName: "In", LastName: "Vited", NoOrganization: true, Confirmed: true}, audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if orgs, _ := b.orgs.ListForUser(ctx, inv.ID); len(orgs) != 0 {
		t.Fatalf("an invited person got organizations %+v", orgs)
	}
}

func TestACC2_FailedSignUpLeavesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	_, err := b.accounts.SignUp(ctx, account.SignUpInput{Email: "x@example.ch", Password: "correct horse battery",
		FirstName: "X", LastName: "Y", OrganizationName: strings.Repeat("n", 201)}, audit.Meta{})
	if !errors.Is(err, org.ErrNameInvalid) {
		t.Fatalf("err = %v, want organization_name_invalid", err)
	}
	for _, table := range []string{"users", "organizations", "memberships", "outbox", "email_confirmations"} {
		var n int
		if err := b.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s has %d rows after a refused sign-up", table, n)
		}
	}
}

func TestACC2_DuplicateEmailRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	signUp(t, b, "dup@example.ch", true)
	_, err := b.accounts.SignUp(context.Background(), account.SignUpInput{Email: "DUP@example.ch", Password: "another password!",
		FirstName: "D", LastName: "Up"}, audit.Meta{})
	if !errors.Is(err, account.ErrEmailTaken) {
		t.Fatalf("err = %v, want email_already_registered", err)
	}
}

func TestSignUpValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	base := account.SignUpInput{Email: "v@example.ch", Password: "long enough pw", FirstName: "V", LastName: "W"}
	cases := map[string]func(*account.SignUpInput){
		"email":      func(in *account.SignUpInput) { in.Email = "not-an-email" },
		"password":   func(in *account.SignUpInput) { in.Password = "short" },
		"first_name": func(in *account.SignUpInput) { in.FirstName = "  " },
		"language":   func(in *account.SignUpInput) { in.Language = "pt" },
		"country":    func(in *account.SignUpInput) { in.Country = "Switzerland" },
		"time_zone":  func(in *account.SignUpInput) { in.TimeZone = "Mars/Olympus" },
	}
	for attr, mutate := range cases {
		in := base
		mutate(&in)
		_, err := b.accounts.SignUp(context.Background(), in, audit.Meta{})
		e := apperr.As(err)
		if e == nil || e.Code != "validation_failed" || e.Attribute != attr {
			t.Errorf("%s: err = %v, want validation_failed on %s", attr, err, attr)
		}
	}
}

func TestACC6_PasswordStoredAsArgon2idOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := signUp(t, b, "hash@example.ch", true)
	var hash string
	if err := b.db.QueryRowContext(context.Background(), "SELECT password_hash FROM users WHERE id = $1", u.ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$") || strings.Contains(hash, "correct horse") {
		t.Fatalf("stored password = %q, want an argon2id hash", hash)
	}
	ok, err := account.CheckPassword("correct horse battery", hash)
	if err != nil || !ok {
		t.Fatalf("CheckPassword(right) = %v, %v", ok, err)
	}
	if ok, _ := account.CheckPassword("correct horse batterY", hash); ok {
		t.Fatal("CheckPassword accepted a wrong password")
	}
}

func TestConfirmationLinkThenSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	signUp(t, b, "new@example.ch", false)
	if _, err := b.accounts.Authenticate(ctx, "new@example.ch", "correct horse battery", audit.Meta{}); !errors.Is(err, account.ErrEmailNotConfirmed) {
		t.Fatalf("sign-in before confirmation: %v, want email_not_confirmed", err)
	}
	tok := confirmationToken(t, b, "new@example.ch")
	u, err := b.accounts.ConfirmEmail(ctx, tok, audit.Meta{})
	if err != nil || !u.EmailConfirmed {
		t.Fatalf("ConfirmEmail = %+v, %v", u, err)
	}
	if _, err := b.accounts.ConfirmEmail(ctx, tok, audit.Meta{}); !errors.Is(err, account.ErrConfirmationInvalid) {
		t.Fatalf("second use of the link: %v, want confirmation_link_invalid", err)
	}
	if _, err := b.accounts.Authenticate(ctx, "NEW@example.ch", "correct horse battery", audit.Meta{}); err != nil {
		t.Fatalf("sign-in after confirmation: %v", err)
	}
}

func TestConfirmationLinkExpires(t *testing.T) {
	t.Parallel()
	b := setup(t)
	signUp(t, b, "late@example.ch", false)
	tok := confirmationToken(t, b, "late@example.ch")
	b.clock.Advance(49 * time.Hour)
	if _, err := b.accounts.ConfirmEmail(context.Background(), tok, audit.Meta{}); !errors.Is(err, account.ErrConfirmationInvalid) {
		t.Fatalf("expired link: %v, want confirmation_link_invalid", err)
	}
}

func TestSignInWrongPasswordAndUnknownEmailAnswerAlike(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	signUp(t, b, "known@example.ch", true)
	_, errWrong := b.accounts.Authenticate(ctx, "known@example.ch", "wrong password!", audit.Meta{IP: "192.0.2.1"})
	_, errUnknown := b.accounts.Authenticate(ctx, "unknown@example.ch", "wrong password!", audit.Meta{})
	if !errors.Is(errWrong, account.ErrInvalidCredentials) || errWrong.Error() != errUnknown.Error() {
		t.Fatalf("wrong password: %v; unknown e-mail: %v; want the same invalid_credentials", errWrong, errUnknown)
	}
}

func TestSEC6_WrongPasswordAlertAtMostHourly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	signUp(t, b, "alert@example.ch", true)
	for range 3 {
		_, _ = b.accounts.Authenticate(ctx, "alert@example.ch", "wrong password!", audit.Meta{IP: "192.0.2.7"})
	}
	count := func() int {
		msgs, _ := b.notifier.List(ctx, "alert@example.ch", 50)
		n := 0
		for _, m := range msgs {
			if m.Template == "security_signin_failed" {
				n++
				if len(m.Links) != 0 {
					t.Errorf("security e-mail carries links %v", m.Links)
				}
			}
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("%d alerts after 3 wrong passwords, want 1", n)
	}
	b.clock.Advance(61 * time.Minute)
	_, _ = b.accounts.Authenticate(ctx, "alert@example.ch", "wrong password!", audit.Meta{})
	if n := count(); n != 2 {
		t.Fatalf("%d alerts an hour later, want 2", n)
	}
}

func TestSessionsRenewAndTimeOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u := signUp(t, b, "s@example.ch", true)
	tok1, _, err := b.accounts.CreateSession(ctx, u.ID, audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	tok2, _, _ := b.accounts.CreateSession(ctx, u.ID, audit.Meta{})
	if tok1 == tok2 {
		t.Fatal("two sign-ins gave the same session token")
	}
	var stored int
	_ = b.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sessions WHERE id_hash = $1", tok1).Scan(&stored)
	if stored != 0 {
		t.Fatal("the session token is stored in clear")
	}
	if _, got, err := b.accounts.SessionByToken(ctx, tok1); err != nil || got.ID != u.ID {
		t.Fatalf("SessionByToken = %v, %v", got, err)
	}
	// Idle: 2 hours without a request signs out.
	b.clock.Advance(2*time.Hour + time.Second)
	if _, _, err := b.accounts.SessionByToken(ctx, tok1); !errors.Is(err, apperr.NotAuthorized) {
		t.Fatalf("idle session: %v, want not_authorized", err)
	}
	// Absolute: activity every hour does not pass 24 hours.
	tok3, _, _ := b.accounts.CreateSession(ctx, u.ID, audit.Meta{})
	for range 23 {
		b.clock.Advance(time.Hour)
		if _, _, err := b.accounts.SessionByToken(ctx, tok3); err != nil {
			t.Fatalf("active session signed out early: %v", err)
		}
	}
	b.clock.Advance(time.Hour)
	if _, _, err := b.accounts.SessionByToken(ctx, tok3); !errors.Is(err, apperr.NotAuthorized) {
		t.Fatalf("session past 24 h: %v, want not_authorized", err)
	}
	if err := b.accounts.DeleteSession(ctx, tok2); err != nil {
		t.Fatal(err)
	}
}

func TestORG9_SessionCannotSwitchToForeignOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	a := signUp(t, b, "a@example.ch", true)
	other := signUp(t, b, "b@example.ch", true)
	foreign, _ := b.orgs.ListForUser(ctx, other.ID)
	_, sess, _ := b.accounts.CreateSession(ctx, a.ID, audit.Meta{})
	if err := b.accounts.SetSessionOrganization(ctx, sess.ID, foreign[0].ID); !errors.Is(err, apperr.NotFound) {
		t.Fatalf("switching to a foreign organization: %v, want object_not_found", err)
	}
	own, _ := b.orgs.ListForUser(ctx, a.ID)
	if err := b.accounts.SetSessionOrganization(ctx, sess.ID, own[0].ID); err != nil {
		t.Fatalf("switching to an own organization: %v", err)
	}
}

func TestProfileUpdate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u := signUp(t, b, "p@example.ch", true)
	lang, tz, phone := "it", "Europe/Rome", "+41 79 123 45 67"
	got, err := b.accounts.UpdateProfile(ctx, u.ID, account.ProfileUpdate{Language: &lang, TimeZone: &tz, Phone: &phone}, audit.Meta{ActorID: u.ID})
	if err != nil || got.Language != "it" || got.TimeZone != "Europe/Rome" || got.Phone != "+41791234567" {
		t.Fatalf("UpdateProfile = %+v, %v", got, err)
	}
	bad := "xx"
	_, err = b.accounts.UpdateProfile(ctx, u.ID, account.ProfileUpdate{Language: &bad, TimeZone: &tz}, audit.Meta{})
	if e := apperr.As(err); e == nil || e.Attribute != "language" {
		t.Fatalf("bad language: %v", err)
	}
	empty := ""
	if _, err := b.accounts.UpdateProfile(ctx, u.ID, account.ProfileUpdate{Country: &empty}, audit.Meta{}); apperr.As(err) == nil {
		t.Fatal("an empty country was accepted in an update")
	}
	events, _ := audit.ForUser(ctx, b.db, u.ID, 10)
	if len(events) == 0 || events[0].Action != "account.profile_changed" {
		t.Fatalf("no audit event for the profile change: %+v", events)
	}
}

func TestInitials(t *testing.T) {
	t.Parallel()
	if got := (account.User{FirstName: "élodie", LastName: "Roux"}).Initials(); got != "ÉR" {
		t.Fatalf("Initials = %q", got)
	}
}
