package security_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const password = "correct horse battery"

var ctx = context.Background()

// env is a security service over one database, at a fixed time.
type env struct {
	db       *store.DB
	clock    *clock.Fixed
	accounts *account.Service
	notifier *notify.Notifier
	sec      *security.Service
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	// 09:00:10 is 10 s into a 30 s step: a step earlier or later is a clear 30 s away.
	clk := clock.NewFixed(time.Date(2026, 11, 22, 9, 0, 10, 0, time.UTC))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(db, clk, logger)
	n := notify.New(db, clk, q, notify.Config{Hold: true, BaseURL: "http://console.test"}, notify.SandboxSMS{}, logger)
	notify.RegisterWorkers(q, n)
	if err := q.Open(false); err != nil {
		t.Fatal(err)
	}
	accounts := account.New(db, clk, n, account.Options{Password: account.PasswordParams{Memory: 1024, Time: 1, Threads: 1}})
	return &env{db: db, clock: clk, accounts: accounts, notifier: n, sec: security.New(db, clk, n, accounts)}
}

func (e *env) signUp(t *testing.T, email string) account.User {
	t.Helper()
	u, err := e.accounts.SignUp(ctx, account.SignUpInput{Email: email, Password: password, FirstName: "Ada",
		LastName: "Muster", Language: "de", Confirmed: true}, audit.Meta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	return u
}

// code is the one-time code of secret at the clock's time moved by d.
func (e *env) code(t *testing.T, secret string, d time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, e.clock.Now().Add(d), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// switchOn links an app and confirms it; it returns the secret and the backup codes.
func (e *env) switchOn(t *testing.T, u account.User) (string, []string) {
	t.Helper()
	setup, err := e.sec.StartTOTP(ctx, u.ID, audit.Meta{ActorID: u.ID})
	if err != nil {
		t.Fatalf("StartTOTP: %v", err)
	}
	codes, err := e.sec.ConfirmTOTP(ctx, u.ID, e.code(t, setup.Secret, 0), audit.Meta{ActorID: u.ID})
	if err != nil {
		t.Fatalf("ConfirmTOTP: %v", err)
	}
	return setup.Secret, codes
}

// signIn runs a new second step for u with code.
func (e *env) signIn(u account.User, code string) error {
	token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{IP: "192.0.2.1"})
	if err != nil {
		return err
	}
	got, err := e.sec.CompleteChallenge(ctx, token, code, audit.Meta{IP: "192.0.2.1"})
	if err == nil && got.ID != u.ID {
		return apperr.Unexpected.With("completed for " + got.ID)
	}
	return err
}

func wantCode(t *testing.T, what string, err error, code, attr string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || (attr != "" && e.Attribute != attr) {
		t.Fatalf("%s: err = %v (%+v), want %s on %q", what, err, e, code, attr)
	}
}

func (e *env) status(t *testing.T, userID string) security.Status {
	t.Helper()
	st, err := e.sec.Status(ctx, userID)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	return st
}

func method(st security.Status, kind string) security.Method {
	for _, m := range st.Methods {
		if m.Kind == kind {
			return m
		}
	}
	return security.Method{}
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// mails returns the outbox entries of template sent to recipient, newest first.
func (e *env) mails(t *testing.T, recipient, template string) []notify.OutboxEntry {
	t.Helper()
	all, err := e.notifier.List(ctx, recipient, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.OutboxEntry
	for _, m := range all {
		if m.Template == template {
			out = append(out, m)
		}
	}
	return out
}

func otpauthIssuer(t *testing.T, raw string) (issuer, label string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("otpauth URL %q: %v", raw, err)
	}
	return u.Query().Get("issuer"), u.Path
}
