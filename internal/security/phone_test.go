package security_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

const baseURL = "https://manager.example/"

// pairPhone links a new phone (or the phone of deviceToken) to u from the
// computer; it returns the phone's token, its id and the backup codes.
func (e *env) pairPhone(t *testing.T, u account.User, deviceToken string) (string, string, []string) {
	t.Helper()
	p, err := e.sec.StartPairing(ctx, u.ID, baseURL, audit.Meta{ActorID: u.ID})
	if err != nil {
		t.Fatalf("StartPairing: %v", err)
	}
	c, err := e.sec.ClaimPairing(ctx, p.Token, deviceToken, "Pixel 8", audit.Meta{UserAgent: "Mozilla/5.0 (Linux; Android 14) Chrome/130.0"})
	if err != nil {
		t.Fatalf("ClaimPairing: %v", err)
	}
	if deviceToken == "" {
		deviceToken = c.DeviceToken
	}
	codes, err := e.sec.ConfirmPairing(ctx, u.ID, p.ID, audit.Meta{ActorID: u.ID})
	if err != nil {
		t.Fatalf("ConfirmPairing: %v", err)
	}
	d, err := e.sec.Device(ctx, deviceToken)
	if err != nil {
		t.Fatalf("Device: %v", err)
	}
	return deviceToken, d.ID, codes
}

func (e *env) actions(t *testing.T, userID, action string) int {
	t.Helper()
	return e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = $2`, userID, action)
}

func TestSEC3_PhoneLinkedFromTheComputerByQRCode(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		p, err := e.sec.StartPairing(ctx, u.ID, baseURL, audit.Meta{ActorID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		if p.URL != "https://manager.example/phone/pair/"+p.Token || !strings.HasPrefix(p.QRCodeSVG, "<svg") {
			t.Fatalf("pairing URL %q, QR %.20q", p.URL, p.QRCodeSVG)
		}
		if !p.ExpiresAt.Equal(e.clock.Now().Add(10 * time.Minute)) {
			t.Errorf("expires at %v, want in 10 minutes", p.ExpiresAt)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM authenticator_pairings WHERE token_hash = $1`, p.Token); n != 0 {
			t.Fatal("the pairing token is stored in clear")
		}
		st, err := e.sec.PairingState(ctx, u.ID, p.ID)
		if err != nil || st.State != security.PairingWaiting {
			t.Fatalf("state before the phone = %+v, %v", st, err)
		}
		offer, err := e.sec.PairingOffered(ctx, p.Token)
		if err != nil || offer.Email != u.Email {
			t.Fatalf("offer = %+v, %v", offer, err)
		}
		c, err := e.sec.ClaimPairing(ctx, p.Token, "", "  Pixel   8 ", audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(c.DeviceToken, "alpd_") || c.Email != u.Email {
			t.Fatalf("claim = %+v", c)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM authenticator_devices WHERE token_hash = $1`, c.DeviceToken); n != 0 {
			t.Fatal("the device token is stored in clear")
		}
		// Claiming again from the same phone changes nothing.
		if _, err := e.sec.ClaimPairing(ctx, p.Token, c.DeviceToken, "", audit.Meta{}); err != nil {
			t.Fatalf("claim again from the same phone: %v", err)
		}
		st, _ = e.sec.PairingState(ctx, u.ID, p.ID)
		if st.State != security.PairingClaimed || st.PhoneName != "Pixel 8" {
			t.Fatalf("state after the claim = %+v", st)
		}
		if e.status(t, u.ID).Enabled {
			t.Fatal("two-step sign-in is on before the computer confirmed")
		}
		codes, err := e.sec.ConfirmPairing(ctx, u.ID, p.ID, audit.Meta{ActorID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != security.BackupCodeCount {
			t.Fatalf("first method: %d backup codes, want %d", len(codes), security.BackupCodeCount)
		}
		status := e.status(t, u.ID)
		if !status.Enabled || method(status, security.MethodPush).Count != 1 || len(status.Phones) != 1 || status.Phones[0].Name != "Pixel 8" {
			t.Fatalf("status = %+v", status)
		}
		if n := e.actions(t, u.ID, "security.phone_linked"); n != 1 {
			t.Errorf("%d security.phone_linked events, want 1", n)
		}
		if m := e.mails(t, u.Email, "two_step_changed"); len(m) != 1 {
			t.Errorf("%d two_step_changed e-mails, want 1", len(m))
		}
		// The pairing is used.
		_, err = e.sec.ConfirmPairing(ctx, u.ID, p.ID, audit.Meta{})
		wantCode(t, "confirm twice", err, "phone_pairing_invalid", "")
		_, err = e.sec.ClaimPairing(ctx, p.Token, "", "Other", audit.Meta{})
		wantCode(t, "claim after the link", err, "phone_pairing_invalid", "")
		st, _ = e.sec.PairingState(ctx, u.ID, p.ID)
		if st.State != security.PairingConfirmed {
			t.Errorf("state after the link = %s", st.State)
		}
	})
}

func TestSEC3_PairingExpiresAfterTenMinutes(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		p, err := e.sec.StartPairing(ctx, u.ID, baseURL, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(security.PairingTTL - time.Second)
		if _, err := e.sec.ClaimPairing(ctx, p.Token, "", "Pixel", audit.Meta{}); err != nil {
			t.Fatalf("claim before the end: %v", err)
		}
		e.clock.Advance(time.Second)
		_, err = e.sec.ConfirmPairing(ctx, u.ID, p.ID, audit.Meta{})
		wantCode(t, "confirm after 10 minutes", err, "phone_pairing_invalid", "")
		if st, _ := e.sec.PairingState(ctx, u.ID, p.ID); st.State != security.PairingExpired {
			t.Errorf("state = %s, want expired", st.State)
		}
		q, err := e.sec.StartPairing(ctx, u.ID, baseURL, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(security.PairingTTL)
		_, err = e.sec.PairingOffered(ctx, q.Token)
		wantCode(t, "offer after 10 minutes", err, "phone_pairing_invalid", "")
		_, err = e.sec.ClaimPairing(ctx, q.Token, "", "Pixel", audit.Meta{})
		wantCode(t, "claim after 10 minutes", err, "phone_pairing_invalid", "")
		_, err = e.sec.PairingOffered(ctx, "not-a-token")
		wantCode(t, "unknown token", err, "phone_pairing_invalid", "")
		if e.status(t, u.ID).Enabled {
			t.Error("an expired pairing linked a phone")
		}
	})
}

func TestSEC3_PairingBelongsToOnePhoneAndOneUser(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		other := e.signUp(t, "max@example.ch")
		p, err := e.sec.StartPairing(ctx, u.ID, baseURL, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.sec.ConfirmPairing(ctx, u.ID, p.ID, audit.Meta{})
		wantCode(t, "confirm before a phone claimed", err, "phone_pairing_not_claimed", "")
		if _, err := e.sec.ClaimPairing(ctx, p.Token, "", "First", audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		_, err = e.sec.ClaimPairing(ctx, p.Token, "", "Second", audit.Meta{})
		wantCode(t, "claim by a second phone", err, "phone_pairing_invalid", "")
		_, err = e.sec.PairingState(ctx, other.ID, p.ID)
		wantCode(t, "another user's pairing state", err, "object_not_found", "")
		_, err = e.sec.ConfirmPairing(ctx, other.ID, p.ID, audit.Meta{})
		wantCode(t, "another user's pairing", err, "object_not_found", "")
		if _, err := e.sec.ConfirmPairing(ctx, u.ID, p.ID, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if st := e.status(t, u.ID); st.Phones[0].Name != "First" {
			t.Errorf("linked phone %q, want First", st.Phones[0].Name)
		}
	})
}

func TestSEC3_OnePhoneHoldsSeveralAccounts(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ada := e.signUp(t, "ada@example.ch")
		max := e.signUp(t, "max@example.ch")
		deviceToken, deviceID, _ := e.pairPhone(t, ada, "")
		// Max already uses an app: linking from the phone asks for a code.
		secret, _ := e.switchOn(t, max)
		_, err := e.sec.LinkPhone(ctx, max.Email, password, "", deviceToken, "", audit.Meta{})
		wantCode(t, "link without the code", err, "code_required", "code")
		_, err = e.sec.LinkPhone(ctx, max.Email, password, "000000", deviceToken, "", audit.Meta{})
		wantCode(t, "link with a wrong code", err, "code_invalid", "code")
		e.clock.Advance(30 * time.Second)
		linked, err := e.sec.LinkPhone(ctx, max.Email, password, e.code(t, secret, 0), deviceToken, "", audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if linked.DeviceToken != "" || linked.BackupCodes != nil || linked.User.ID != max.ID {
			t.Fatalf("linked = %+v: the known phone got a new token, or backup codes came with a second method", linked)
		}
		accounts, err := e.sec.LinkedAccounts(ctx, deviceID)
		if err != nil || len(accounts) != 2 || accounts[0].Email != ada.Email || accounts[1].Email != max.Email {
			t.Fatalf("accounts of the phone = %+v, %v", accounts, err)
		}
		codes, err := e.sec.PhoneCodes(ctx, deviceID)
		if err != nil || len(codes) != 2 || codes[0].Secret == codes[1].Secret || codes[0].Period != 30 || codes[0].Digits != 6 {
			t.Fatalf("codes = %+v, %v", codes, err)
		}
		_, err = e.sec.LinkPhone(ctx, ada.Email, password, "", deviceToken, "", audit.Meta{})
		if !errors.Is(err, security.ErrCodeRequired) {
			t.Fatalf("ada has two-step on now: %v", err)
		}
		p, _ := e.sec.StartPairing(ctx, ada.ID, baseURL, audit.Meta{})
		_, err = e.sec.ClaimPairing(ctx, p.Token, deviceToken, "", audit.Meta{})
		wantCode(t, "the same phone twice", err, "phone_already_linked", "")
	})
}

func TestSEC3_LinkFromThePhoneItself(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		_, err := e.sec.StartPhoneLink(ctx, u.Email, "wrong password!", audit.Meta{IP: "192.0.2.7"})
		wantCode(t, "wrong password", err, "invalid_credentials", "")
		_, err = e.sec.StartPhoneLink(ctx, "nobody@example.ch", password, audit.Meta{IP: "192.0.2.7"})
		wantCode(t, "unknown e-mail", err, "invalid_credentials", "")
		start, err := e.sec.StartPhoneLink(ctx, u.Email, password, audit.Meta{})
		if err != nil || start.NeedsCode || start.Email != u.Email {
			t.Fatalf("start = %+v, %v", start, err)
		}
		// The pending link can never open a sign-in.
		_, err = e.sec.ChallengeUser(ctx, start.Token)
		wantCode(t, "pending link as a sign-in", err, "signin_challenge_invalid", "")
		linked, err := e.sec.FinishPhoneLink(ctx, start.Token, "", "iPhone", audit.Meta{UserAgent: "Mozilla/5.0 (iPhone) Safari/604.1"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(linked.DeviceToken, "alpd_") || len(linked.BackupCodes) != 10 {
			t.Fatalf("linked = %+v", linked)
		}
		_, err = e.sec.FinishPhoneLink(ctx, start.Token, linked.DeviceToken, "", audit.Meta{})
		wantCode(t, "finish twice", err, "signin_challenge_invalid", "")
		if st := e.status(t, u.ID); !st.Enabled || st.Phones[0].Name != "iPhone" {
			t.Errorf("status = %+v", st)
		}
	})
}

func TestSEC5_PhoneRemovedWithThePassword(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		other := e.signUp(t, "max@example.ch")
		_, deviceID, _ := e.pairPhone(t, u, "")
		err := e.sec.RemovePhone(ctx, u.ID, deviceID, "wrong password!", audit.Meta{})
		wantCode(t, "wrong password", err, "current_password_wrong", "password")
		err = e.sec.RemovePhone(ctx, other.ID, deviceID, password, audit.Meta{})
		wantCode(t, "another user's phone", err, "object_not_found", "")
		if err := e.sec.RemovePhone(ctx, u.ID, deviceID, password, audit.Meta{ActorID: u.ID}); err != nil {
			t.Fatal(err)
		}
		st := e.status(t, u.ID)
		if st.Enabled || len(st.Phones) != 0 || method(st, security.MethodBackupCodes).Remaining != 0 {
			t.Fatalf("after removing the last phone: %+v", st)
		}
		if n := e.actions(t, u.ID, "security.phone_removed"); n != 1 {
			t.Errorf("%d security.phone_removed events", n)
		}
		if m := e.mails(t, u.Email, "two_step_changed"); len(m) != 2 {
			t.Errorf("%d two_step_changed e-mails, want 2 (on, off)", len(m))
		}
		err = e.sec.RemovePhone(ctx, u.ID, deviceID, password, audit.Meta{})
		wantCode(t, "removed twice", err, "object_not_found", "")
	})
}

func TestSEC5_PhoneDropsAnAccountButNotARequiredLastMethod(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ada := e.signUp(t, "ada@example.ch")
		max := e.signUp(t, "max@example.ch")
		token, deviceID, _ := e.pairPhone(t, ada, "")
		e.pairPhone(t, max, token)
		if _, err := db.ExecContext(ctx, `UPDATE organizations SET require_two_step = $1
			WHERE id IN (SELECT organization_id FROM memberships WHERE user_id = $2)`, true, max.ID); err != nil {
			t.Fatal(err)
		}
		err := e.sec.DropAccount(ctx, deviceID, max.ID, audit.Meta{})
		wantCode(t, "required last method", err, "two_step_required", "")
		if err := e.sec.DropAccount(ctx, deviceID, ada.ID, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		accounts, _ := e.sec.LinkedAccounts(ctx, deviceID)
		if len(accounts) != 1 || accounts[0].UserID != max.ID {
			t.Fatalf("accounts left = %+v", accounts)
		}
		err = e.sec.DropAccount(ctx, deviceID, ada.ID, audit.Meta{})
		wantCode(t, "dropped twice", err, "object_not_found", "")
		if e.status(t, ada.ID).Enabled {
			t.Error("ada's two-step sign-in is still on without a method")
		}
	})
}

func TestSEC3_DeviceTokenUnknown(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, tok := range []string{"", "alpd_nope", "alp_personal-token"} {
			_, err := e.sec.Device(ctx, tok)
			if !errors.Is(err, security.ErrDeviceInvalid) || apperr.As(err).Status != 401 {
				t.Errorf("Device(%q) = %v, want device_token_invalid 401", tok, err)
			}
		}
	})
}

// A linked phone's offline codes pass the second step, each time step once.
func TestSEC3_PhoneCodesAcceptedOncePerStep(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		_, deviceID, _ := e.pairPhone(t, u, "")
		codes, err := e.sec.PhoneCodes(ctx, deviceID)
		if err != nil || len(codes) != 1 {
			t.Fatal(codes, err)
		}
		code := e.code(t, codes[0].Secret, 0)
		if err := e.signIn(u, code); err != nil {
			t.Fatalf("phone code: %v", err)
		}
		wantCode(t, "the same code again", e.signIn(u, code), "code_invalid", "code")
		e.clock.Advance(30 * time.Second)
		if err := e.signIn(u, e.code(t, codes[0].Secret, 0)); err != nil {
			t.Fatalf("next step's code: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'session.second_factor_ok'
			AND data LIKE '%phone_code%'`, u.ID); n != 2 {
			t.Errorf("%d sign-ins with a phone code recorded, want 2", n)
		}
	})
}
