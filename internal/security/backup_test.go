package security_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestSEC2_TenBackupCodesSingleUse(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		meta := audit.Meta{ActorID: u.ID}
		_, err := e.sec.RegenerateBackupCodes(ctx, u.ID, password, meta)
		wantCode(t, "regenerate while off", err, "two_step_off", "")

		_, codes := e.switchOn(t, u)
		shape := regexp.MustCompile(`^[34679acdefghjkmnpqrtuvwxy]{5}-[34679acdefghjkmnpqrtuvwxy]{5}$`)
		seen := map[string]bool{}
		for _, c := range codes {
			if !shape.MatchString(c) || seen[c] {
				t.Fatalf("backup code %q: not xxxxx-xxxxx from the alphabet, or repeated (%v)", c, codes)
			}
			seen[c] = true
		}
		if n := e.count(t, `SELECT COUNT(*) FROM backup_codes WHERE user_id = $1 AND code_hash IN ($2, $3)`,
			u.ID, codes[0], strings.ReplaceAll(codes[0], "-", "")); n != 0 {
			t.Fatal("a backup code is stored in clear")
		}
		if r := method(e.status(t, u.ID), security.MethodBackupCodes); !r.Enabled || r.Remaining != 10 {
			t.Fatalf("backup codes method = %+v, want on with 10", r)
		}

		// Each works once: as given, without the dash, in upper case with spaces.
		forms := []string{codes[0], strings.ReplaceAll(codes[1], "-", ""), " " + strings.ToUpper(codes[2]) + " "}
		for i, c := range forms {
			if err := e.signIn(u, c); err != nil {
				t.Fatalf("backup code %q: %v", c, err)
			}
			if r := method(e.status(t, u.ID), security.MethodBackupCodes).Remaining; r != 9-i {
				t.Fatalf("Remaining = %d after %d codes, want %d", r, i+1, 9-i)
			}
			wantCode(t, "backup code used twice", e.signIn(u, codes[i]), "code_invalid", "code")
		}
		wantCode(t, "unknown backup code", e.signIn(u, "aaaaa-aaaaa"), "code_invalid", "code")

		_, err = e.sec.RegenerateBackupCodes(ctx, u.ID, "wrong password!", meta)
		wantCode(t, "regenerate with a wrong password", err, "current_password_wrong", "password")
		fresh, err := e.sec.RegenerateBackupCodes(ctx, u.ID, password, meta)
		if err != nil || len(fresh) != 10 {
			t.Fatalf("RegenerateBackupCodes = %d codes, %v", len(fresh), err)
		}
		if r := method(e.status(t, u.ID), security.MethodBackupCodes).Remaining; r != 10 {
			t.Fatalf("Remaining = %d after regenerating, want 10", r)
		}
		wantCode(t, "an old unused code after regenerating", e.signIn(u, codes[5]), "code_invalid", "code")
		if err := e.signIn(u, fresh[9]); err != nil {
			t.Fatalf("a new backup code: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'security.backup_codes_regenerated'`, u.ID); n != 1 {
			t.Errorf("%d security.backup_codes_regenerated events, want 1", n)
		}
	})
}
