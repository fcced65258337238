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

func TestSEC5_DisableNeedsPasswordAndCode(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		meta := audit.Meta{ActorID: u.ID}
		wantCode(t, "disable while off", e.sec.DisableTOTP(ctx, u.ID, password, "123456", meta), "two_step_off", "")
		secret, _ := e.switchOn(t, u)
		e.clock.Advance(time.Minute)

		wantCode(t, "wrong password", e.sec.DisableTOTP(ctx, u.ID, "wrong password!", e.code(t, secret, 0), meta),
			"current_password_wrong", "password")
		wantCode(t, "wrong code", e.sec.DisableTOTP(ctx, u.ID, password, "000000", meta), "code_invalid", "code")
		if !e.status(t, u.ID).Enabled {
			t.Fatal("refused attempts switched two-step off")
		}
		if err := e.sec.DisableTOTP(ctx, u.ID, password, e.code(t, secret, 0), meta); err != nil {
			t.Fatalf("DisableTOTP: %v", err)
		}
		st := e.status(t, u.ID)
		if st.Enabled || method(st, security.MethodTOTP).Enabled || method(st, security.MethodBackupCodes).Enabled ||
			method(st, security.MethodBackupCodes).Remaining != 0 {
			t.Fatalf("status after switching off = %+v", st)
		}
		if on, _ := e.sec.Required(ctx, u.ID); on {
			t.Fatal("Required after switching off")
		}
		if n := e.count(t, `SELECT COUNT(*) FROM backup_codes WHERE user_id = $1`, u.ID); n != 0 {
			t.Fatalf("%d backup codes kept after switching off", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'security.totp_disabled'`, u.ID); n != 1 {
			t.Errorf("%d security.totp_disabled events, want 1", n)
		}

		// Switched on again, a backup code also switches it off.
		_, codes := e.switchOn(t, u)
		if err := e.sec.DisableTOTP(ctx, u.ID, password, strings.ToUpper(codes[3]), meta); err != nil {
			t.Fatalf("DisableTOTP with a backup code: %v", err)
		}
		if e.status(t, u.ID).Enabled {
			t.Fatal("still on after switching off with a backup code")
		}
	})
}

// TestSEC6_TwoStepChangedMailHasNoLink: switching on and off e-mails the
// user in their language, without any link.
func TestSEC6_TwoStepChangedMailHasNoLink(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch") // language de
		secret, _ := e.switchOn(t, u)
		e.clock.Advance(time.Minute)
		if err := e.sec.DisableTOTP(ctx, u.ID, password, e.code(t, secret, 0), audit.Meta{ActorID: u.ID}); err != nil {
			t.Fatal(err)
		}
		ms := e.mails(t, u.Email, "two_step_changed")
		if len(ms) != 2 {
			t.Fatalf("%d two_step_changed e-mails, want 2 (on, off)", len(ms))
		}
		for _, m := range ms {
			if len(m.Links) != 0 || strings.Contains(m.BodyText, "http") || strings.Contains(m.BodyHTML, "href") {
				t.Errorf("%q carries a link: %v", m.Subject, m.Links)
			}
			if m.Language != "de" {
				t.Errorf("%q in %s, want de", m.Subject, m.Language)
			}
		}
		if !strings.Contains(ms[0].Subject, "ausgeschaltet") || !strings.Contains(ms[1].Subject, "eingeschaltet") {
			t.Errorf("subjects = %q, %q; want off (newest) then on", ms[0].Subject, ms[1].Subject)
		}
	})
}
