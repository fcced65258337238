package e2e

import (
	"testing"
	"time"
)

type clockState struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
}

// The test clock's offset lives in the database: a restarted server and the
// CLI see the same time (issue #2, API.md "Test mode").
func TestDevClockPersistsAcrossRestartAndCLI(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	srv := startServer(t, "--dev", "--data", data)
	var before, after envelope[clockState]
	if code := srv.call("GET", "/api/1/_dev/clock", "", nil, &before); code != 200 {
		t.Fatalf("GET clock: %d", code)
	}
	if code := srv.call("POST", "/api/1/_dev/clock", "", map[string]string{"advance": "15d"}, &after); code != 200 {
		t.Fatalf("POST clock: %d %+v", code, after)
	}
	if d := after.Data.Now.Sub(before.Data.Now); d < 15*24*time.Hour || d > 15*24*time.Hour+time.Minute {
		t.Fatalf("advance 15d moved the clock by %v", d)
	}
	var bad envelope[any]
	if code := srv.call("POST", "/api/1/_dev/clock", "", map[string]string{"advance": "-1d"}, &bad); code != 422 {
		t.Fatalf("negative advance: %d %+v", code, bad)
	}
	srv.stop()

	// The CLI makes a token that expires in a day of test-clock time: it works
	// only if the CLI and the restarted server agree on the time.
	mustCLI(t, "user", "create", "--data", data, "--email", "clock@example.ch", "--password", "clock pass 123",
		"--first-name", "C", "--last-name", "L")
	tok := mustCLI(t, "token", "create", "--data", data, "--email", "clock@example.ch", "--name", "day", "--expires-in", "24h")
	srv = startServer(t, "--dev", "--data", data)
	var restarted envelope[clockState]
	srv.call("GET", "/api/1/_dev/clock", "", nil, &restarted)
	if restarted.Data.Now.Sub(after.Data.Now) < 0 || restarted.Data.Now.Sub(time.Now()) < 15*24*time.Hour-time.Minute {
		t.Fatalf("after restart the clock is at %v, want 15 days ahead", restarted.Data.Now)
	}
	var p envelope[profile]
	if code := srv.call("GET", "/api/1/profile", tok, nil, &p); code != 200 {
		t.Fatalf("token made by the CLI on the test clock: %d %+v", code, p)
	}
	srv.call("POST", "/api/1/_dev/clock", "", map[string]string{"advance": "2d"}, nil)
	if code := srv.call("GET", "/api/1/profile", tok, nil, &p); code != 401 {
		t.Fatalf("token past its test-clock expiry: %d, want 401", code)
	}
	srv.stop()
}

// Without --dev the test routes do not exist.
func TestDevRoutesAbsentWithoutDev(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--data", t.TempDir())
	var e envelope[any]
	if code := srv.call("POST", "/api/1/_dev/clock", "", map[string]string{"advance": "1d"}, &e); code != 404 {
		t.Fatalf("POST /api/1/_dev/clock without --dev: %d", code)
	}
	srv.stop()
}
