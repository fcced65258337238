package catalog_test

import (
	"testing"
	"time"

	"github.com/alpage/alpage/internal/catalog"
)

// Due dates are calendar days in the catalog's time zone: a known zone is
// that zone (loaded once), none or an unknown one is UTC.
func TestCatalogLocationIsItsTimeZone(t *testing.T) {
	zurich := catalog.Catalog{TimeZone: "Europe/Zurich"}
	if loc := zurich.Location(); loc.String() != "Europe/Zurich" || zurich.Location() != loc {
		t.Errorf("Europe/Zurich gives %v, then a different value", loc)
	}
	for _, tz := range []string{"", "Mars/Olympus"} {
		if loc := (catalog.Catalog{TimeZone: tz}).Location(); loc != time.UTC {
			t.Errorf("%q gives %v, want UTC", tz, loc)
		}
	}
}
