package security_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// pushSetup is a user with a linked phone, signing in: the password was
// right and the browser shows a push request.
type pushSetup struct {
	u        account.User
	deviceID string
	token    string // the pending sign-in
	push     security.Push
}

func (e *env) pushSetup(t *testing.T) pushSetup {
	t.Helper()
	u := e.signUp(t, "ada@example.ch")
	_, deviceID, _ := e.pairPhone(t, u, "")
	token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.sec.PushFor(ctx, token, audit.Meta{IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0"})
	if err != nil {
		t.Fatalf("PushFor: %v", err)
	}
	return pushSetup{u: u, deviceID: deviceID, token: token, push: p}
}

func (e *env) requests(t *testing.T, deviceID string) []security.PushRequest {
	t.Helper()
	list, err := e.sec.PushRequests(ctx, deviceID, "en")
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestSEC4_PushApprovedWithTheRightNumberCompletesTheSignIn(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.pushSetup(t)
		if s.push.Number < 10 || s.push.Number > 99 || s.push.State != security.PushPending {
			t.Fatalf("push = %+v", s.push)
		}
		// The page reloaded: the same request.
		again, err := e.sec.PushFor(ctx, s.token, audit.Meta{})
		if err != nil || again.ID != s.push.ID || again.Number != s.push.Number {
			t.Fatalf("PushFor again = %+v, %v; want the same request", again, err)
		}
		list := e.requests(t, s.deviceID)
		if len(list) != 1 {
			t.Fatalf("%d requests on the phone, want 1", len(list))
		}
		r := list[0]
		if r.Account != s.u.Email || r.Device != "Firefox on Windows" || r.IP != "192.0.2.1" ||
			!r.ExpiresAt.Equal(e.clock.Now().Add(2*time.Minute)) {
			t.Errorf("request = %+v", r)
		}
		right, seen := 0, map[int]bool{}
		for _, n := range r.Numbers {
			if n == s.push.Number {
				right++
			}
			if n < 10 || n > 99 || seen[n] {
				t.Errorf("numbers %v: out of 10..99 or repeated", r.Numbers)
			}
			seen[n] = true
		}
		if right != 1 {
			t.Fatalf("numbers %v hold the browser's %d %d times, want once", r.Numbers, s.push.Number, right)
		}
		if e.requests(t, s.deviceID)[0].Numbers != r.Numbers {
			t.Error("the numbers changed between two looks")
		}
		_, _, err = e.sec.CheckPush(ctx, s.token, audit.Meta{})
		wantCode(t, "before the answer", err, "push_pending", "")

		if err := e.sec.ApprovePush(ctx, s.deviceID, s.push.ID, s.push.Number, audit.Meta{}); err != nil {
			t.Fatalf("approve: %v", err)
		}
		u, p, err := e.sec.CheckPush(ctx, s.token, audit.Meta{IP: "192.0.2.1"})
		if err != nil || u.ID != s.u.ID || p.State != security.PushApproved {
			t.Fatalf("CheckPush after YES = %v, %+v, %v", u.ID, p, err)
		}
		if n := e.actions(t, s.u.ID, "session.push_approved"); n != 1 {
			t.Errorf("%d session.push_approved events", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_events WHERE subject_user_id = $1 AND action = 'session.second_factor_ok'
			AND data LIKE '%push%'`, s.u.ID); n != 1 {
			t.Errorf("%d sign-ins completed by push", n)
		}
		// Once: the sign-in is complete, the request answered.
		_, _, err = e.sec.CheckPush(ctx, s.token, audit.Meta{})
		wantCode(t, "check after completion", err, "signin_challenge_invalid", "")
		err = e.sec.ApprovePush(ctx, s.deviceID, s.push.ID, s.push.Number, audit.Meta{})
		wantCode(t, "answered twice", err, "object_not_found", "")
		if len(e.requests(t, s.deviceID)) != 0 {
			t.Error("the answered request is still listed")
		}
	})
}

func TestSEC4_PushRejectedRefusesTheSignIn(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.pushSetup(t)
		if err := e.sec.RejectPush(ctx, s.deviceID, s.push.ID, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		_, p, err := e.sec.CheckPush(ctx, s.token, audit.Meta{})
		wantCode(t, "check after NO", err, "push_refused", "")
		if p.State != security.PushRejected {
			t.Errorf("state %s, want rejected", p.State)
		}
		_, err = e.sec.ChallengeUser(ctx, s.token)
		wantCode(t, "the refused sign-in", err, "signin_challenge_invalid", "")
		_, err = e.sec.CompleteChallenge(ctx, s.token, "123456", audit.Meta{})
		wantCode(t, "a code after NO", err, "signin_challenge_invalid", "")
		err = e.sec.RejectPush(ctx, s.deviceID, s.push.ID, audit.Meta{})
		wantCode(t, "rejected twice", err, "object_not_found", "")
		if n := e.actions(t, s.u.ID, "session.push_rejected"); n != 1 {
			t.Errorf("%d session.push_rejected events", n)
		}
	})
}

func TestSEC4_PushWithTheWrongNumberIsRejected(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.pushSetup(t)
		var wrongNumber int
		for _, n := range e.requests(t, s.deviceID)[0].Numbers {
			if n != s.push.Number {
				wrongNumber = n
			}
		}
		err := e.sec.ApprovePush(ctx, s.deviceID, s.push.ID, wrongNumber, audit.Meta{})
		wantCode(t, "wrong number", err, "push_number_wrong", "")
		if apperr.As(err).Status != http.StatusUnprocessableEntity {
			t.Errorf("status %d, want 422", apperr.As(err).Status)
		}
		_, _, err = e.sec.CheckPush(ctx, s.token, audit.Meta{})
		wantCode(t, "check after a wrong number", err, "push_refused", "")
		err = e.sec.ApprovePush(ctx, s.deviceID, s.push.ID, s.push.Number, audit.Meta{})
		wantCode(t, "the right number after a wrong one", err, "object_not_found", "")
	})
}

func TestSEC4_PushExpiresAfterTwoMinutes(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.pushSetup(t)
		e.clock.Advance(security.PushTTL - time.Second)
		if len(e.requests(t, s.deviceID)) != 1 {
			t.Fatal("the request is gone before 2 minutes")
		}
		_, _, err := e.sec.CheckPush(ctx, s.token, audit.Meta{})
		wantCode(t, "at 1m59s", err, "push_pending", "")
		e.clock.Advance(time.Second)
		if len(e.requests(t, s.deviceID)) != 0 {
			t.Error("the expired request is still listed")
		}
		for range 2 {
			err = e.sec.ApprovePush(ctx, s.deviceID, s.push.ID, s.push.Number, audit.Meta{})
			wantCode(t, "approve at 2m", err, "push_challenge_expired", "")
			if apperr.As(err).Status != http.StatusGone {
				t.Errorf("status %d, want 410", apperr.As(err).Status)
			}
		}
		_, p, err := e.sec.CheckPush(ctx, s.token, audit.Meta{})
		wantCode(t, "check at 2m", err, "push_refused", "")
		if p.State != security.PushExpired {
			t.Errorf("state %s, want expired", p.State)
		}
		_, err = e.sec.ChallengeUser(ctx, s.token)
		wantCode(t, "the sign-in after expiry", err, "signin_challenge_invalid", "")
		if n := e.actions(t, s.u.ID, "session.push_expired"); n != 1 {
			t.Errorf("%d session.push_expired events, want 1", n)
		}
	})
}

func TestSEC4_SendAgainReplacesTheRequest(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.pushSetup(t)
		e.clock.Advance(90 * time.Second)
		p2, err := e.sec.SendPushAgain(ctx, s.token, audit.Meta{})
		if err != nil || p2.ID == s.push.ID || !p2.ExpiresAt.Equal(e.clock.Now().Add(security.PushTTL)) {
			t.Fatalf("send again = %+v, %v", p2, err)
		}
		list := e.requests(t, s.deviceID)
		if len(list) != 1 || list[0].ID != p2.ID {
			t.Fatalf("requests = %+v, want only the new one", list)
		}
		err = e.sec.ApprovePush(ctx, s.deviceID, s.push.ID, s.push.Number, audit.Meta{})
		wantCode(t, "the replaced request", err, "object_not_found", "")
		e.clock.Advance(time.Minute) // past the first request's end, not the second's
		if err := e.sec.ApprovePush(ctx, s.deviceID, p2.ID, p2.Number, audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if u, _, err := e.sec.CheckPush(ctx, s.token, audit.Meta{}); err != nil || u.ID != s.u.ID {
			t.Fatalf("CheckPush = %v, %v", u.ID, err)
		}
	})
}

func TestSEC4_OnlyThePhonesOfTheAccountAnswer(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.pushSetup(t)
		max := e.signUp(t, "max@example.ch")
		_, maxDevice, _ := e.pairPhone(t, max, "")
		if len(e.requests(t, maxDevice)) != 0 {
			t.Error("another account's phone sees the request")
		}
		err := e.sec.ApprovePush(ctx, maxDevice, s.push.ID, s.push.Number, audit.Meta{})
		wantCode(t, "another phone", err, "object_not_found", "")
		err = e.sec.RejectPush(ctx, maxDevice, s.push.ID, audit.Meta{})
		wantCode(t, "another phone's NO", err, "object_not_found", "")
		err = e.sec.ApprovePush(ctx, s.deviceID, "00000000-0000-7000-8000-000000000000", 10, audit.Meta{})
		wantCode(t, "unknown request", err, "object_not_found", "")
		if _, _, err := e.sec.CheckPush(ctx, s.token, audit.Meta{}); !errors.Is(err, security.ErrPushPending) {
			t.Errorf("the request was touched: %v", err)
		}
	})
}

func TestSEC4_NoPushWithoutAPhone(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		e.switchOn(t, u)
		token, err := e.sec.StartChallenge(ctx, u.ID, audit.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.sec.PushFor(ctx, token, audit.Meta{})
		wantCode(t, "push without a phone", err, "push_no_phone", "")
		_, _, err = e.sec.CheckPush(ctx, token, audit.Meta{})
		wantCode(t, "check without a request", err, "signin_challenge_invalid", "")
	})
}

// A code typed in the browser while the phone's request waits completes the
// sign-in; the phone then no longer lists it.
func TestSEC4_CodeWhilePushWaits(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.pushSetup(t)
		codes, err := e.sec.PhoneCodes(ctx, s.deviceID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.sec.CompleteChallenge(ctx, s.token, e.code(t, codes[0].Secret, 0), audit.Meta{}); err != nil {
			t.Fatal(err)
		}
		if len(e.requests(t, s.deviceID)) != 0 {
			t.Error("the phone still lists the completed sign-in")
		}
		err = e.sec.ApprovePush(ctx, s.deviceID, s.push.ID, s.push.Number, audit.Meta{})
		wantCode(t, "approve a completed sign-in", err, "object_not_found", "")
	})
}

// A page opened again after two minutes, with no poll in between, finds the
// request ran out: the sign-in is refused, not given a new request.
func TestSEC4_PushRanOutUnseenRefusesTheSignIn(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		s := e.pushSetup(t)
		e.clock.Advance(security.PushTTL)
		_, err := e.sec.PushFor(ctx, s.token, audit.Meta{})
		wantCode(t, "the page after 2 minutes", err, "push_refused", "")
		_, err = e.sec.ChallengeUser(ctx, s.token)
		wantCode(t, "the sign-in after 2 minutes", err, "signin_challenge_invalid", "")
		if n := e.actions(t, s.u.ID, "session.push_expired"); n != 1 {
			t.Errorf("%d session.push_expired events, want 1", n)
		}
	})
}
