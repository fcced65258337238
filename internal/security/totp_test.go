package security_test

import (
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestSEC1_SwitchOnNeedsAValidFirstCode(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		meta := audit.Meta{ActorID: u.ID, IP: "192.0.2.1"}
		_, err := e.sec.ConfirmTOTP(ctx, u.ID, "123456", meta)
		wantCode(t, "confirm before start", err, "two_step_setup_not_started", "")

		first, err := e.sec.StartTOTP(ctx, u.ID, meta)
		if err != nil {
			t.Fatal(err)
		}
		setup, err := e.sec.StartTOTP(ctx, u.ID, meta) // replaces the unconfirmed one
		if err != nil {
			t.Fatal(err)
		}
		if setup.Secret == first.Secret || setup.Secret == "" {
			t.Fatalf("second StartTOTP kept secret %q", setup.Secret)
		}
		if issuer, label := otpauthIssuer(t, setup.OTPAuthURL); issuer != "alpage" || label != "/alpage:ada@example.ch" {
			t.Errorf("otpauth URL %q: issuer %q, label %q", setup.OTPAuthURL, issuer, label)
		}
		if !strings.HasPrefix(setup.QRCodeSVG, "<svg") || !strings.Contains(setup.QRCodeSVG, "<path") {
			t.Errorf("QR code is not an SVG drawing: %.80s", setup.QRCodeSVG)
		}

		_, err = e.sec.ConfirmTOTP(ctx, u.ID, e.code(t, first.Secret, 0), meta)
		wantCode(t, "code of the replaced secret", err, "code_invalid", "code")
		_, err = e.sec.ConfirmTOTP(ctx, u.ID, "abcdef", meta)
		wantCode(t, "letters", err, "code_invalid", "code")
		if on, _ := e.sec.Required(ctx, u.ID); on || e.status(t, u.ID).Enabled {
			t.Fatal("two-step is on after wrong codes only")
		}
		if n := len(e.mails(t, u.Email, "two_step_changed")); n != 0 {
			t.Fatalf("%d two_step_changed e-mails before switching on", n)
		}

		codes, err := e.sec.ConfirmTOTP(ctx, u.ID, e.code(t, setup.Secret, 0), meta)
		if err != nil {
			t.Fatalf("ConfirmTOTP(valid): %v", err)
		}
		if len(codes) != 10 {
			t.Fatalf("%d backup codes, want 10", len(codes))
		}
		if on, err := e.sec.Required(ctx, u.ID); !on || err != nil {
			t.Fatalf("Required = %v, %v; want true", on, err)
		}
		st := e.status(t, u.ID)
		if !st.Enabled || !method(st, security.MethodTOTP).Enabled || method(st, security.MethodTOTP).CreatedAt == nil {
			t.Fatalf("status after switching on = %+v", st)
		}
		if len(st.RequiredBy) != 0 {
			t.Fatalf("RequiredBy = %v before any organization requires it", st.RequiredBy)
		}
		if _, err := db.ExecContext(ctx, `UPDATE organizations SET require_two_step = $1
			WHERE id IN (SELECT organization_id FROM memberships WHERE user_id = $2)`, true, u.ID); err != nil {
			t.Fatal(err)
		}
		if st := e.status(t, u.ID); len(st.RequiredBy) != 1 || st.RequiredBy[0] == "" {
			t.Fatalf("RequiredBy = %v, want the user's organization", st.RequiredBy)
		}
		_, err = e.sec.StartTOTP(ctx, u.ID, meta)
		wantCode(t, "start while on", err, "two_step_already_on", "")
		_, err = e.sec.ConfirmTOTP(ctx, u.ID, e.code(t, setup.Secret, 30*time.Second), meta)
		wantCode(t, "confirm while on", err, "two_step_already_on", "")
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'security.totp_enabled'`, u.ID); n != 1 {
			t.Errorf("%d security.totp_enabled events, want 1", n)
		}
	})
}

func TestSEC1_TOTPWindowAndNoReplay(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		secret, _ := e.switchOn(t, u)
		e.clock.Advance(10 * time.Minute)
		step := 30 * time.Second

		for _, d := range []time.Duration{-2 * step, 2 * step, 10 * step} {
			wantCode(t, "code "+d.String()+" away", e.signIn(u, e.code(t, secret, d)), "code_invalid", "code")
		}
		if err := e.signIn(u, e.code(t, secret, -step)); err != nil {
			t.Fatalf("code of the step before: %v", err)
		}
		wantCode(t, "the step before again", e.signIn(u, e.code(t, secret, -step)), "code_invalid", "code")
		if err := e.signIn(u, e.code(t, secret, 0)); err != nil {
			t.Fatalf("code of the current step: %v", err)
		}
		wantCode(t, "the current step again", e.signIn(u, e.code(t, secret, 0)), "code_invalid", "code")
		if err := e.signIn(u, e.code(t, secret, step)); err != nil {
			t.Fatalf("code of the step after: %v", err)
		}
		wantCode(t, "the step after again", e.signIn(u, e.code(t, secret, step)), "code_invalid", "code")

		// Half a minute later the old "step after" is the current step: still used.
		e.clock.Advance(step)
		wantCode(t, "a used step, now current", e.signIn(u, e.code(t, secret, 0)), "code_invalid", "code")
		if err := e.signIn(u, e.code(t, secret, step)); err != nil {
			t.Fatalf("code of the next step: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'session.second_factor_ok'`, u.ID); n != 4 {
			t.Errorf("%d session.second_factor_ok events, want 4", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'session.second_factor_failed'`, u.ID); n != 7 {
			t.Errorf("%d session.second_factor_failed events, want 7", n)
		}
	})
}
