package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
)

// germanPlaces is a GeoIP database that knows one address, in German only.
type germanPlaces map[string]string

func (g germanPlaces) Place(ip, lang string) string {
	if lang != "de" {
		return ""
	}
	return g[ip]
}

// SEC-7: each event of the activity has its place, in the language of the
// caller's profile, and a second step its method; every field stays.
func TestSEC7_ActivityHasPlaceAndMethodThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	b.security.UsePlaces(germanPlaces{"81.62.1.2": "Zürich, Schweiz"})
	ctx := context.Background()
	anna, token := b.userIn(t, "anna@example.ch", "de")
	firefox := "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	for _, e := range []audit.Event{
		{Action: "session.signed_in", IP: "81.62.1.2"},
		{Action: "session.second_factor_ok", IP: "81.62.1.2", Data: map[string]string{"method": "passkey"}},
		{Action: "security.account_locked", IP: "192.0.2.8"},
	} {
		b.clk.Advance(time.Minute)
		e.SubjectUserID, e.UserAgent, e.CreatedAt = anna, firefox, b.clk.Now()
		if err := audit.Record(ctx, b.db, e); err != nil {
			t.Fatal(err)
		}
	}
	r := b.do(t, "GET", "/api/1/profile/activity", token, nil)
	if r.status != http.StatusOK {
		t.Fatalf("activity: %d %s", r.status, r.raw)
	}
	list := r.body["data"].([]any)
	if len(list) < 3 {
		t.Fatalf("activity: %s", r.raw)
	}
	want := []map[string]any{
		{"action": "security.account_locked", "method": "", "ip": "192.0.2.8", "place": ""},
		{"action": "session.second_factor_ok", "method": "passkey", "ip": "81.62.1.2", "place": "Zürich, Schweiz"},
		{"action": "session.signed_in", "method": "", "ip": "81.62.1.2", "place": "Zürich, Schweiz"},
	}
	for i, w := range want {
		ev := list[i].(map[string]any)
		for k, v := range w {
			if ev[k] != v {
				t.Errorf("event %d: %s = %v, want %v (%v)", i, k, ev[k], v, ev)
			}
		}
		for _, k := range []string{"action", "method", "ip", "user_agent", "device", "place", "at"} {
			if _, ok := ev[k]; !ok {
				t.Errorf("event %d has no %q: %v", i, k, ev)
			}
		}
		if ev["device"] != "Firefox on Linux" || ev["user_agent"] != firefox ||
			ev["at"] != testNow.Add(time.Duration(3-i)*time.Minute).Format(time.RFC3339) {
			t.Errorf("event %d: %v", i, ev)
		}
	}
}
