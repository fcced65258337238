package security_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

const (
	firefoxLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	safariIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	chromeWin    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	edgeWin      = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
	chromeMac    = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	androidCh    = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)

func TestSEC7_DeviceLabel(t *testing.T) {
	t.Parallel()
	for ua, want := range map[string]string{
		firefoxLinux:           "Firefox on Linux",
		safariIPhone:           "Safari on iOS",
		chromeWin:              "Chrome on Windows",
		edgeWin:                "Edge on Windows",
		chromeMac:              "Chrome on macOS",
		androidCh:              "Chrome on Android",
		"curl/8.5.0":           "curl",
		"":                     "",
		"SomethingNew/1.0 (X)": "Unknown browser",
	} {
		if got := security.DeviceLabel(ua); got != want {
			t.Errorf("DeviceLabel(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestSEC7_ActivityNewestFirstWithDevice(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		other := e.signUp(t, "bob@example.ch")
		e.clock.Advance(time.Minute)
		if _, _, err := e.accounts.CreateSession(ctx, u.ID, audit.Meta{IP: "192.0.2.7", UserAgent: firefoxLinux}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.accounts.CreateSession(ctx, other.ID, audit.Meta{IP: "192.0.2.9", UserAgent: chromeWin}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		e.switchOn(t, u)
		acts, err := e.sec.Activity(ctx, u.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(acts) < 3 {
			t.Fatalf("activity = %+v, want sign-up, sign-in and two-step", acts)
		}
		if acts[0].Action != "security.totp_enabled" || acts[len(acts)-1].Action != "account.signed_up" {
			t.Errorf("activity %v, want security.totp_enabled first and account.signed_up last", acts)
		}
		for i := 1; i < len(acts); i++ {
			if acts[i].At.After(acts[i-1].At) {
				t.Fatalf("activity not newest first: %v", acts)
			}
		}
		var signIn *security.Activity
		for i := range acts {
			if acts[i].Action == "session.signed_in" {
				signIn = &acts[i]
			}
			if acts[i].IP == "192.0.2.9" {
				t.Fatalf("activity shows another user's event: %+v", acts[i])
			}
		}
		if signIn == nil || signIn.IP != "192.0.2.7" || signIn.Device != "Firefox on Linux" || signIn.UserAgent != firefoxLinux {
			t.Fatalf("sign-in activity = %+v, want from 192.0.2.7 on Firefox on Linux", signIn)
		}
		if few, _ := e.sec.Activity(ctx, u.ID, 1); len(few) != 1 || few[0].Action != acts[0].Action {
			t.Errorf("Activity(limit 1) = %+v", few)
		}
	})
}

// fakePlaces is a GeoIP database in a map: ip → lang → place. It counts
// the lookups.
type fakePlaces struct {
	mu      sync.Mutex
	places  map[string]map[string]string
	lookups int
}

func (f *fakePlaces) Place(ip, lang string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	return f.places[ip][lang]
}

func (f *fakePlaces) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lookups
}

func zurich() *fakePlaces {
	return &fakePlaces{places: map[string]map[string]string{
		"81.62.1.2": {"de": "Zürich, Schweiz", "fr": "Zurich, Suisse", "en": "Zurich, Switzerland",
			"it": "Zurich, Switzerland"}, // as internal/geoip: English when the database has no Italian
		"2a02:1210::5": {"de": "Genf, Schweiz", "fr": "Genève, Suisse", "en": "Geneva, Switzerland"},
	}}
}

func TestSEC7_ActivityNamesThePlaceInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		places := zurich()
		e.sec.UsePlaces(places)
		u := e.signUp(t, "ada@example.ch") // German
		e.clock.Advance(time.Minute)
		for _, m := range []audit.Meta{{IP: "81.62.1.2", UserAgent: firefoxLinux}, {IP: "2a02:1210::5", UserAgent: safariIPhone},
			{IP: "81.62.1.2", UserAgent: firefoxLinux}} {
			e.clock.Advance(time.Minute)
			if _, _, err := e.accounts.CreateSession(ctx, u.ID, m); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.Advance(time.Minute)
		if err := audit.Record(ctx, db, audit.Event{SubjectUserID: u.ID, Action: "something.new", IP: "81.62.1.2",
			CreatedAt: e.clock.Now()}); err != nil {
			t.Fatal(err)
		}
		acts, err := e.sec.Activity(ctx, u.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, a := range acts {
			got[a.IP] = append(got[a.IP], a.Action+"@"+a.Place)
		}
		want := map[string][]string{
			"81.62.1.2":    {"something.new@Zürich, Schweiz", "session.signed_in@Zürich, Schweiz", "session.signed_in@Zürich, Schweiz"},
			"2a02:1210::5": {"session.signed_in@Genf, Schweiz"},
			"127.0.0.1":    {"account.signed_up@"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("activity places (-want +got):\n%s", diff)
		}
		// Each address is looked up once per list.
		if n := places.count(); n != 3 {
			t.Errorf("%d lookups, want 3 (one per address)", n)
		}
		// Another language, another name.
		lang := "fr"
		if _, err := e.accounts.UpdateProfile(ctx, u.ID, account.ProfileUpdate{Language: &lang}, audit.Meta{ActorID: u.ID}); err != nil {
			t.Fatal(err)
		}
		acts, err = e.sec.Activity(ctx, u.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(acts, func(a security.Activity) bool { return a.IP == "2a02:1210::5" }); i < 0 || acts[i].Place != "Genève, Suisse" {
			t.Errorf("in French: %+v", acts)
		}
	})
}

func TestSEC7_ActivityWithoutGeoIPHasNoPlace(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		if _, _, err := e.accounts.CreateSession(ctx, u.ID, audit.Meta{IP: "81.62.1.2", UserAgent: firefoxLinux}); err != nil {
			t.Fatal(err)
		}
		acts, err := e.sec.Activity(ctx, u.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range acts {
			if a.Place != "" {
				t.Errorf("%s has place %q without a GeoIP database", a.Action, a.Place)
			}
		}
	})
}

func TestSEC7_ActivityNamesTheSecondStepMethod(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.signUp(t, "ada@example.ch")
		secret, backup := e.switchOn(t, u)
		e.clock.Advance(time.Minute)
		if err := e.signIn(u, e.code(t, secret, 0)); err != nil {
			t.Fatalf("sign-in with a one-time code: %v", err)
		}
		e.clock.Advance(time.Minute)
		if err := e.signIn(u, backup[0]); err != nil {
			t.Fatalf("sign-in with a backup code: %v", err)
		}
		acts, err := e.sec.Activity(ctx, u.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var methods []string
		for _, a := range acts {
			if a.Action == "session.second_factor_ok" {
				methods = append(methods, a.Method)
			} else if a.Method != "" {
				t.Errorf("%s has method %q", a.Action, a.Method)
			}
		}
		if diff := cmp.Diff([]string{"backup_code", "totp"}, methods); diff != "" {
			t.Errorf("second-step methods, newest first (-want +got):\n%s", diff)
		}
	})
}
