package security_test

import (
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// TestSEC6_NewDeviceAlertNamesThePlace: with a GeoIP database, the
// new-device e-mail says where the sign-in came from, in the user's
// language, and still carries no link; without one it says nothing of a
// place.
func TestSEC6_NewDeviceAlertNamesThePlace(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		for _, c := range []struct {
			lang, label, place string
			geoip              bool
		}{
			{"fr", "Lieu approximatif : ", "Zurich, Suisse", true},
			{"de", "Ungefährer Ort: ", "Zürich, Schweiz", true},
			{"it", "Luogo approssimativo: ", "Zurich, Switzerland", true},
			{"en", "Approximate place", "", false},
		} {
			e := newEnv(t, db)
			if c.geoip {
				e.sec.UsePlaces(zurich())
			}
			u, err := e.accounts.SignUp(ctx, account.SignUpInput{Email: c.lang + "@example.ch", Password: password, FirstName: "Ada",
				LastName: "Muster", Language: c.lang, Confirmed: true}, audit.Meta{IP: "127.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			e.signInFrom(t, u, "192.0.2.1", firefoxLinux)
			if !e.signInFrom(t, u, "81.62.1.2", firefoxLinux) {
				t.Fatalf("%s: no alert for a new network", c.lang)
			}
			mails := e.mails(t, u.Email, "security_new_signin")
			if len(mails) != 1 {
				t.Fatalf("%s: %d e-mails", c.lang, len(mails))
			}
			m := mails[0]
			if c.geoip {
				for _, part := range []string{m.BodyText, m.BodyHTML} {
					if !strings.Contains(part, c.label+c.place+".") {
						t.Errorf("%s: the alert does not say %q:\n%s", c.lang, c.label+c.place, part)
					}
				}
			} else if strings.Contains(m.BodyText, c.label) {
				t.Errorf("without GeoIP the alert names a place:\n%s", m.BodyText)
			}
			if len(m.Links) != 0 || strings.Contains(m.BodyText, "http") || strings.Contains(m.BodyHTML, "href") {
				t.Errorf("%s: the alert carries a link: %v\n%s", c.lang, m.Links, m.BodyText)
			}
		}
	})
}
