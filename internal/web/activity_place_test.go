package web

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/i18n"
)

// frenchPlaces is a GeoIP database that knows one address, in French only.
type frenchPlaces map[string]string

func (f frenchPlaces) Place(ip, lang string) string {
	if lang != "fr" {
		return ""
	}
	return f[ip]
}

// record adds an event about userID to the audit trail, a minute after the
// previous one.
func (b *testBundle) record(userID, action, ip string, data map[string]string) {
	b.t.Helper()
	b.clock.Advance(time.Minute)
	if err := audit.Record(context.Background(), b.db, audit.Event{SubjectUserID: userID, Action: action, IP: ip,
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", Data: data,
		CreatedAt: b.clock.Now()}); err != nil {
		b.t.Fatal(err)
	}
}

func TestSEC7_ActivityPageShowsThePlaceColumnOnlyWhenAPlaceIsKnown(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.security.UsePlaces(frenchPlaces{"81.62.1.2": "Zurich, Suisse"})
	u := b.user("ada@example.ch", "fr")
	b.record(u.ID, "session.signed_in", "81.62.1.2", nil)
	br := b.browser()
	br.signIn(u.Email)

	page := br.get("/profile/activity")
	if page.status != http.StatusOK {
		t.Fatalf("status %d", page.status)
	}
	mustContain(t, page.body, `data-testid="activity-place-col"`, i18n.T("fr", "activity.col.place"),
		`data-testid="activity-place">Zurich, Suisse</td>`,
		// The sign-in from the test server's loopback address has no place.
		`data-testid="activity-place"><span class="muted">—</span></td>`)

	// Another user, whose events have no known place, sees no place column.
	v := b.user("bob@example.ch", "fr")
	b.record(v.ID, "session.signed_in", "192.0.2.8", nil)
	other := b.browser()
	other.signIn(v.Email)
	page = other.get("/profile/activity")
	if strings.Contains(page.body, "activity-place") || strings.Contains(page.body, i18n.T("fr", "activity.col.place")+"</th>") {
		t.Error("the place column shows without any known place")
	}
	mustContain(t, page.body, "192.0.2.8")
}

func TestSEC7_ActivityPageLabelsEveryEvent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "de")
	for _, a := range []struct {
		action string
		data   map[string]string
	}{
		{"session.second_factor_ok", map[string]string{"method": "backup_code"}},
		{"session.second_factor_ok", map[string]string{"method": "push"}},
		{"session.second_factor_ok", map[string]string{"method": "from_the_future"}},
		{"session.passkey_signin", nil},
		{"security.passkey_added", nil},
		{"security.phone_removed", nil},
		{"session.push_rejected", nil},
		{"security.account_locked", nil},
		{"account.recovery_started", nil},
		{"security.something_new", nil},
		{"session.something_new", nil},
		{"lottery.won", nil},
	} {
		b.record(u.ID, a.action, "192.0.2.8", a.data)
	}
	br := b.browser()
	br.lang = "de"
	br.signIn(u.Email)
	body := br.get("/profile/activity").body
	tr := func(key string, args ...any) string { return html.EscapeString(i18n.T("de", key, args...)) }
	passed := i18n.T("de", "activity.action.session.second_factor_ok")
	mustContain(t, body,
		tr("activity.with_method", passed, i18n.T("de", "activity.method.backup_code")),
		tr("activity.with_method", passed, i18n.T("de", "activity.method.push")),
		">"+tr("activity.action.session.second_factor_ok")+"<", // an unknown method: the plain label
		tr("activity.action.session.passkey_signin"),
		tr("activity.action.security.passkey_added"),
		tr("activity.action.security.phone_removed"),
		`<span class="status status-blocked">`+tr("activity.action.session.push_rejected")+`</span>`,
		`<span class="status status-blocked">`+tr("activity.action.security.account_locked")+`</span>`,
		tr("activity.action.account.recovery_started"),
		tr("activity.action.other.security"),
		tr("activity.action.other.session"),
		">"+tr("activity.action.other")+"<")
	for _, raw := range []string{">security.", ">session.", ">lottery.", ">activity.", "from_the_future<", "(from_the_future)"} {
		if strings.Contains(body, raw) {
			t.Errorf("the activity page shows a raw key %q", raw)
		}
	}
	if strings.Contains(body, "activity-place") {
		t.Error("a place column without a GeoIP database")
	}
}

// TestSEC7_EveryRecordedActionHasALabel: every audit action written by the
// code has its own label in the activity page, in every language (the
// generic labels are for actions added later).
func TestSEC7_EveryRecordedActionHasALabel(t *testing.T) {
	t.Parallel()
	for _, action := range []string{
		"session.signed_in", "session.signin_failed", "session.second_factor_ok", "session.second_factor_failed",
		"session.passkey_signin", "security.account_locked", "account.password_changed", "account.password_reset",
		"account.email_changed", "security.totp_enabled", "security.totp_disabled", "security.phone_linked",
		"security.phone_removed", "security.passkey_added", "security.passkey_removed",
		"security.backup_codes_regenerated", "session.push_approved", "session.push_rejected", "session.push_expired",
		"security.identity_requested", "account.recovery_started", "account.recovery_ended",
	} {
		for _, lang := range []string{"fr", "en", "de", "it", "es"} {
			if _, ok := i18n.Lookup(lang, "activity.action."+action); !ok {
				t.Errorf("%s: no label for %s", lang, action)
			}
		}
	}
}
