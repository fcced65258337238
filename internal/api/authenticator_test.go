package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
)

// deviceRoutes are the routes a phone calls with its device token, not with
// a person's token: TestORG9_EveryRouteHidesForeignObjects skips them, and
// TestSEC4_PhoneRoutesHideOtherAccounts walks them with a phone's token.
var deviceRoutes = map[string]string{
	"POST /authenticator/pair":                    "links a phone: the pairing token names the account",
	"POST /authenticator/link":                    "links a phone: the person's credentials name the account",
	"GET /authenticator/challenges":               "lists the requests of the phone's own accounts",
	"GET /authenticator/codes":                    "lists the secrets of the phone's own accounts",
	"POST /authenticator/challenges/{id}/approve": "walked with another phone's request",
	"POST /authenticator/challenges/{id}/reject":  "walked with another phone's request",
	"DELETE /authenticator/accounts/{user}":       "walked with an account the phone does not hold",
}

// phone links a new phone to userID as the console and a phone do: the
// console starts a pairing, the phone claims it over the API, the console
// confirms. It returns the phone's device token.
func (b *bundle) phone(t *testing.T, userID string) string {
	t.Helper()
	ctx := context.Background()
	p, err := b.security.StartPairing(ctx, userID, "http://127.0.0.1:8080", audit.Meta{ActorID: userID})
	if err != nil {
		t.Fatal(err)
	}
	r := b.do(t, "POST", "/api/1/authenticator/pair", "", map[string]any{"token": p.Token, "name": "Pixel 8"})
	d := r.data(t)
	token, _ := d["device_token"].(string)
	if r.status != http.StatusOK || !strings.HasPrefix(token, security.DeviceTokenPrefix) {
		t.Fatalf("pair: %d %s", r.status, r.raw)
	}
	if _, err := b.security.ConfirmPairing(ctx, userID, p.ID, audit.Meta{ActorID: userID}); err != nil {
		t.Fatal(err)
	}
	return token
}

// signingIn starts a sign-in of userID up to the push request the browser
// shows; it returns the pending sign-in's token and the request.
func (b *bundle) signingIn(t *testing.T, userID string) (string, security.Push) {
	t.Helper()
	ctx := context.Background()
	meta := audit.Meta{IP: "198.51.100.4", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0"}
	token, err := b.security.StartChallenge(ctx, userID, meta)
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.security.PushFor(ctx, token, meta)
	if err != nil {
		t.Fatal(err)
	}
	return token, p
}

// challenges lists the requests the phone of deviceToken sees.
func (b *bundle) challenges(t *testing.T, deviceToken string) []map[string]any {
	t.Helper()
	r := b.do(t, "GET", "/api/1/authenticator/challenges", deviceToken, nil)
	if r.status != http.StatusOK {
		t.Fatalf("challenges: %d %s", r.status, r.raw)
	}
	var out []map[string]any
	for _, v := range r.body["data"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func wrongNumber(t *testing.T, c map[string]any, right int) int {
	t.Helper()
	for _, n := range c["numbers"].([]any) {
		if int(n.(float64)) != right {
			return int(n.(float64))
		}
	}
	t.Fatal("no wrong number offered")
	return 0
}

func TestSEC3_PhonePairsWithTheConsoleQRCodeOverTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, personal := b.user(t, "anna@example.ch")
	ctx := context.Background()
	p, err := b.security.StartPairing(ctx, annaID, "http://127.0.0.1:8080", audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	b.do(t, "POST", "/api/1/authenticator/pair", "", map[string]any{"token": "nope"}).
		wantError(t, http.StatusGone, "phone_pairing_invalid")
	b.do(t, "POST", "/api/1/authenticator/pair", "alpd_unknown", map[string]any{"token": p.Token}).
		wantError(t, http.StatusUnauthorized, "device_token_invalid")
	r := b.do(t, "POST", "/api/1/authenticator/pair", "", map[string]any{"token": p.Token, "name": "Pixel 8"})
	d := r.data(t)
	device, _ := d["device_token"].(string)
	if d["account"] != "anna@example.ch" || !strings.HasPrefix(device, "alpd_") {
		t.Fatalf("pair = %s", r.raw)
	}
	// Not linked until the console confirms.
	if codes := b.do(t, "GET", "/api/1/authenticator/codes", device, nil); len(codes.body["data"].([]any)) != 0 {
		t.Fatalf("codes before the confirmation: %s", codes.raw)
	}
	if _, err := b.security.ConfirmPairing(ctx, annaID, p.ID, audit.Meta{ActorID: annaID}); err != nil {
		t.Fatal(err)
	}
	codes := b.do(t, "GET", "/api/1/authenticator/codes", device, nil)
	list := codes.body["data"].([]any)
	if len(list) != 1 {
		t.Fatalf("codes = %s", codes.raw)
	}
	c := list[0].(map[string]any)
	if c["account"] != "anna@example.ch" || c["period"] != 30.0 || c["digits"] != 6.0 || c["secret"] == "" {
		t.Errorf("code = %v", c)
	}
	// A person's token is not a phone's, and the other way round.
	b.do(t, "GET", "/api/1/authenticator/codes", personal, nil).wantError(t, http.StatusUnauthorized, "device_token_invalid")
	b.do(t, "GET", "/api/1/authenticator/codes", "", nil).wantError(t, http.StatusUnauthorized, "not_authorized")
	b.do(t, "GET", "/api/1/profile", device, nil).wantError(t, http.StatusUnauthorized, "not_authorized")
	if got := b.do(t, "GET", "/api/1/authenticator/codes", device, nil); got.header.Get("RateLimit-Limit") == "" {
		t.Error("no RateLimit-Limit header on a phone's request")
	}
}

func TestSEC3_PhoneLinkedBySigningInOnItOverTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.user(t, "anna@example.ch")
	maxID, _ := b.user(t, "max@example.ch")
	b.do(t, "POST", "/api/1/authenticator/link", "", map[string]any{"email": "anna@example.ch", "password": "wrong password!"}).
		wantError(t, http.StatusUnauthorized, "invalid_credentials")
	b.do(t, "POST", "/api/1/authenticator/link", "", map[string]any{"email": "nobody@example.ch", "password": testUserPassword}).
		wantError(t, http.StatusUnauthorized, "invalid_credentials")
	r := b.do(t, "POST", "/api/1/authenticator/link", "", map[string]any{"email": "anna@example.ch", "password": testUserPassword, "name": "Pixel 8"})
	d := r.data(t)
	device, _ := d["device_token"].(string)
	if !strings.HasPrefix(device, "alpd_") || len(d["backup_codes"].([]any)) != 10 {
		t.Fatalf("link = %s", r.raw)
	}
	// Max already has one-time codes: the code is needed, and no new backup codes come.
	ctx := context.Background()
	setupTOTP, err := b.security.StartTOTP(ctx, maxID, audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		c, err := totp.GenerateCodeCustom(setupTOTP.Secret, b.clk.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := b.security.ConfirmTOTP(ctx, maxID, code(), audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	b.clk.Advance(30 * time.Second)
	body := map[string]any{"email": "max@example.ch", "password": testUserPassword}
	b.do(t, "POST", "/api/1/authenticator/link", device, body).wantError(t, http.StatusUnprocessableEntity, "code_required", "code")
	body["code"] = "000000"
	b.do(t, "POST", "/api/1/authenticator/link", device, body).wantError(t, http.StatusUnprocessableEntity, "code_invalid", "code")
	body["code"] = code()
	r = b.do(t, "POST", "/api/1/authenticator/link", device, body)
	d = r.data(t)
	if d["device_token"] != device || d["account"] != "max@example.ch" || d["backup_codes"] != nil {
		t.Fatalf("second account = %s", r.raw)
	}
	if list := b.do(t, "GET", "/api/1/authenticator/codes", device, nil).body["data"].([]any); len(list) != 2 {
		t.Fatalf("%d accounts on the phone, want 2", len(list))
	}
	b.do(t, "POST", "/api/1/authenticator/link", device, map[string]any{"email": "anna@example.ch", "password": testUserPassword, "code": "000000"}).
		wantError(t, http.StatusUnprocessableEntity, "code_invalid", "code")
}

// SEC-4 with the test clock: at 1m59s the request still waits; at 2m
// approving it is 410 push_challenge_expired, and the sign-in is refused.
func TestSEC4_PushChallengeExpiresAtTwoMinutes(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, _ := b.user(t, "anna@example.ch")
	device := b.phone(t, annaID)
	token, push := b.signingIn(t, annaID)
	list := b.challenges(t, device)
	if len(list) != 1 || list[0]["id"] != push.ID || list[0]["account"] != "anna@example.ch" ||
		list[0]["device"] != "Firefox on Windows" || list[0]["ip"] != "198.51.100.4" || len(list[0]["numbers"].([]any)) != 3 {
		t.Fatalf("challenges = %v", list)
	}
	b.clk.Advance(security.PushTTL - time.Second)
	if len(b.challenges(t, device)) != 1 {
		t.Fatal("the request is gone at 1m59s")
	}
	b.clk.Advance(time.Second)
	if len(b.challenges(t, device)) != 0 {
		t.Fatal("the request is still listed at 2m")
	}
	path := "/api/1/authenticator/challenges/" + push.ID + "/approve"
	b.do(t, "POST", path, device, map[string]any{"number": push.Number}).wantError(t, http.StatusGone, "push_challenge_expired")
	b.do(t, "POST", "/api/1/authenticator/challenges/"+push.ID+"/reject", device, nil).
		wantError(t, http.StatusGone, "push_challenge_expired")
	if _, _, err := b.security.CheckPush(context.Background(), token, audit.Meta{}); err == nil || !strings.Contains(err.Error(), "push_refused") {
		t.Errorf("the browser's check after expiry: %v, want push_refused", err)
	}
}

func TestSEC4_PushApprovedRejectedAndWrongNumberOverTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	annaID, _ := b.user(t, "anna@example.ch")
	device := b.phone(t, annaID)
	ctx := context.Background()

	// YES with the right number: the browser's sign-in completes.
	token, push := b.signingIn(t, annaID)
	b.do(t, "POST", "/api/1/authenticator/challenges/"+push.ID+"/approve", device, map[string]any{"number": push.Number}).data(t)
	if u, _, err := b.security.CheckPush(ctx, token, audit.Meta{}); err != nil || u.ID != annaID {
		t.Fatalf("the browser's check after YES: %v, %v", u.ID, err)
	}
	b.do(t, "POST", "/api/1/authenticator/challenges/"+push.ID+"/approve", device, map[string]any{"number": push.Number}).
		wantError(t, http.StatusNotFound, "object_not_found")

	// A wrong number rejects the request.
	token, push = b.signingIn(t, annaID)
	wrong := wrongNumber(t, b.challenges(t, device)[0], push.Number)
	b.do(t, "POST", "/api/1/authenticator/challenges/"+push.ID+"/approve", device, map[string]any{"number": wrong}).
		wantError(t, http.StatusUnprocessableEntity, "push_number_wrong")
	b.do(t, "POST", "/api/1/authenticator/challenges/"+push.ID+"/approve", device, map[string]any{"number": push.Number}).
		wantError(t, http.StatusNotFound, "object_not_found")
	if _, _, err := b.security.CheckPush(ctx, token, audit.Meta{}); err == nil || !strings.Contains(err.Error(), "push_refused") {
		t.Errorf("the browser's check after a wrong number: %v", err)
	}

	// NO.
	_, push = b.signingIn(t, annaID)
	b.do(t, "POST", "/api/1/authenticator/challenges/"+push.ID+"/reject", device, nil).data(t)
	b.do(t, "POST", "/api/1/authenticator/challenges/"+push.ID+"/reject", device, nil).
		wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "POST", "/api/1/authenticator/challenges/"+push.ID+"/approve", device, map[string]any{"number": 5}).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed")

	// The phone drops the account: its secrets go, and two-step sign-in is off.
	b.do(t, "DELETE", "/api/1/authenticator/accounts/"+annaID, device, nil)
	if list := b.do(t, "GET", "/api/1/authenticator/codes", device, nil).body["data"].([]any); len(list) != 0 {
		t.Errorf("codes after removing the account: %v", list)
	}
	if on, _ := b.security.Required(ctx, annaID); on {
		t.Error("two-step sign-in still on after the last phone left")
	}
	b.do(t, "DELETE", "/api/1/authenticator/accounts/"+annaID, device, nil).wantError(t, http.StatusNotFound, "object_not_found")
}

// ORG-9 for phones: a phone acts only on the accounts it holds. Every
// authenticator route with a path parameter is walked with another
// account's request or user: 404 object_not_found, and nothing changes.
func TestSEC4_PhoneRoutesHideOtherAccounts(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{rateLimit: 1_000_000})
	annaID, _ := b.user(t, "anna@example.ch")
	zoeID, _ := b.user(t, "zoe@example.ch")
	annaPhone := b.phone(t, annaID)
	b.phone(t, zoeID)
	token, zoePush := b.signingIn(t, zoeID)
	foreign := map[string]string{"id": zoePush.ID, "user": zoeID}
	walked := 0
	for _, rt := range b.s.routes {
		key := rt.Method + " " + rt.Path
		if rt.Tag != "Authenticator" {
			if _, ok := deviceRoutes[key]; ok {
				t.Errorf("%s is listed in deviceRoutes but is not an authenticator route", key)
			}
			continue
		}
		if _, ok := deviceRoutes[key]; !ok {
			t.Errorf("authenticator route %s is not listed in deviceRoutes", key)
		}
		if !paramRE.MatchString(rt.Path) {
			continue
		}
		for _, path := range []string{rt.versionedPath(), rt.Path} {
			p := paramRE.ReplaceAllStringFunc(path, func(m string) string { return foreign[strings.Trim(m, "{}")] })
			var body any
			if rt.hasBody {
				body = map[string]any{"number": zoePush.Number}
			}
			b.do(t, rt.Method, "/api"+p, annaPhone, body).wantError(t, http.StatusNotFound, "object_not_found")
			walked++
		}
	}
	if walked != 6 {
		t.Errorf("%d requests walked, want 6", walked)
	}
	if len(b.challenges(t, annaPhone)) != 0 {
		t.Error("anna's phone lists zoe's request")
	}
	if _, _, err := b.security.CheckPush(context.Background(), token, audit.Meta{}); err == nil || !strings.Contains(err.Error(), "push_pending") {
		t.Errorf("zoe's request changed: %v", err)
	}
	if on, _ := b.security.Required(context.Background(), zoeID); !on {
		t.Error("zoe lost her phone")
	}
}
