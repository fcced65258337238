package geoip_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/alpage/alpage/internal/geoip"
)

// A DB is a security.Places (written out, so that this package's tests do
// not depend on security building).
var _ interface{ Place(ip, lang string) string } = (*geoip.DB)(nil)

// names is a "names" map of a MaxMind record.
func names(kv ...string) mmdbtype.Map {
	m := mmdbtype.Map{}
	for i := 0; i < len(kv); i += 2 {
		m[mmdbtype.String(kv[i])] = mmdbtype.String(kv[i+1])
	}
	return mmdbtype.Map{"names": m}
}

// writeDB writes a small database of type kind: records maps a network to
// its record. Reserved networks are allowed, to prove that Place ignores
// them whatever the file says.
func writeDB(t testing.TB, kind string, records map[string]mmdbtype.Map) string {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: kind, RecordSize: 24, IncludeReservedNetworks: true,
		Languages: []string{"de", "en", "es", "fr"}})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range records {
		_, network, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(network, rec); err != nil {
			t.Fatalf("inserting %s: %v", cidr, err)
		}
	}
	path := filepath.Join(t.TempDir(), kind+".mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

var switzerland = names("de", "Schweiz", "en", "Switzerland", "es", "Suiza", "fr", "Suisse")

// cityDB is a GeoLite2-City-like database: Zurich with its names in four
// languages, a French network known only to the country, Geneva in IPv6,
// a city whose record lacks the country, and a private network that claims
// a place.
func cityDB(t testing.TB) string {
	return writeDB(t, "GeoLite2-City", map[string]mmdbtype.Map{
		"81.62.0.0/16": {"city": names("de", "Zürich", "en", "Zurich", "es", "Zúrich", "fr", "Zurich"),
			"country": switzerland},
		"90.0.0.0/16":     {"country": names("de", "Frankreich", "en", "France", "es", "Francia", "fr", "France")},
		"2a02:1210::/32":  {"city": names("en", "Geneva", "fr", "Genève"), "country": switzerland},
		"198.51.100.0/24": {"city": names("en", "Nowhere")},
		"10.0.0.0/8":      {"city": names("en", "Intranet"), "country": switzerland},
		"1.2.3.0/24":      {"continent": names("en", "Oceania")},
	})
}

func open(t testing.TB, path string) *geoip.DB {
	t.Helper()
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSEC7_PlaceNamesCityAndCountryInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	db := open(t, cityDB(t))
	if got := db.Type(); got != "GeoLite2-City" {
		t.Errorf("Type() = %q", got)
	}
	for _, c := range []struct{ ip, lang, want string }{
		{"81.62.1.2", "de", "Zürich, Schweiz"},
		{"81.62.1.2", "fr", "Zurich, Suisse"},
		{"81.62.1.2", "es", "Zúrich, Suiza"},
		{"81.62.1.2", "en", "Zurich, Switzerland"},
		{"81.62.1.2", "it", "Zurich, Switzerland"}, // no Italian in MaxMind data: English
		{"81.62.1.2", "", "Zurich, Switzerland"},
		{"81.62.1.2", "FR", "Zurich, Suisse"},
		{"90.0.12.1", "fr", "France"},                  // country only
		{"90.0.12.1", "de", "Frankreich"},              // country only
		{"2a02:1210:abcd::1", "fr", "Genève, Suisse"},  // IPv6
		{"2a02:1210:abcd::1", "de", "Geneva, Schweiz"}, // the city has no German name: English
		{"::ffff:81.62.1.2", "de", "Zürich, Schweiz"},  // IPv4-mapped
		{"81.62.1.2:54321", "fr", "Zurich, Suisse"},    // with a port
		{"[2a02:1210::5]:443", "fr", "Genève, Suisse"},
		{"198.51.100.7", "en", ""}, // a city without its country
		{"1.2.3.4", "en", ""},      // a continent only
		{"8.8.8.8", "en", ""},      // not in the database
		{"2001:4860::8888", "en", ""},
	} {
		if got := db.Place(c.ip, c.lang); got != c.want {
			t.Errorf("Place(%q, %q) = %q, want %q", c.ip, c.lang, got, c.want)
		}
	}
}

func TestSEC7_PlaceIsEmptyForAddressesThatAreNotPublic(t *testing.T) {
	t.Parallel()
	db := open(t, cityDB(t))
	for _, ip := range []string{"10.1.2.3", "127.0.0.1", "::1", "169.254.1.1", "fe80::1%eth0", "fd00::1",
		"100.64.0.1", "0.0.0.0", "224.0.0.1", "", "not an address", "81.62.1"} {
		if got := db.Place(ip, "en"); got != "" {
			t.Errorf("Place(%q) = %q, want \"\"", ip, got)
		}
	}
}

func TestSEC7_CountryDatabase(t *testing.T) {
	t.Parallel()
	db := open(t, writeDB(t, "DBIP-Country-Lite", map[string]mmdbtype.Map{
		"81.62.0.0/16": {"country": switzerland},
	}))
	if got := db.Place("81.62.9.9", "fr"); got != "Suisse" {
		t.Errorf("Place = %q, want Suisse", got)
	}
}

func TestSEC7_OpenRefusesWhatIsNotAPlaceDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.mmdb")
	if err := os.WriteFile(text, []byte("this is not a database\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.mmdb")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	asn := writeDB(t, "GeoLite2-ASN", map[string]mmdbtype.Map{
		"81.62.0.0/16": {"autonomous_system_organization": mmdbtype.String("Example AG")},
	})
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.mmdb"), "no such file"},
		{text, "not a MaxMind DB (.mmdb) file"},
		{empty, "empty"},
		{asn, `"GeoLite2-ASN" database has no places`},
	} {
		db, err := geoip.Open(c.path)
		if err == nil {
			db.Close()
			t.Errorf("Open(%s) worked", c.path)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "geoip: opening "+c.path+": ") || !strings.Contains(msg, c.want) {
			t.Errorf("Open(%s) = %q, want \"geoip: opening %s: …%s…\"", c.path, msg, c.path, c.want)
		}
	}
}

func TestSEC7_PlaceAfterCloseIsEmpty(t *testing.T) {
	t.Parallel()
	db, err := geoip.Open(cityDB(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if got := db.Place("81.62.1.2", "de"); got != "" {
		t.Errorf("Place after Close = %q", got)
	}
	var none *geoip.DB // what the app holds without --geoip
	if got := none.Place("81.62.1.2", "de"); got != "" || none.Close() != nil || none.Type() != "" {
		t.Errorf("a nil DB answers %q", got)
	}
}

// TestSEC7_PlaceConcurrently runs lookups from many goroutines while the
// database closes; the race detector checks the locking.
func TestSEC7_PlaceConcurrently(t *testing.T) {
	t.Parallel()
	db, err := geoip.Open(cityDB(t))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for range 200 {
				if got := db.Place("81.62.1.2", "fr"); got != "Zurich, Suisse" && got != "" {
					t.Errorf("goroutine %d: Place = %q", i, got)
					return
				}
			}
		})
	}
	wg.Go(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	wg.Wait()
}

func BenchmarkPlace(b *testing.B) {
	db := open(b, cityDB(b))
	ips := []string{"81.62.1.2", "90.0.12.1", "2a02:1210:abcd::1", "8.8.8.8", "10.1.2.3"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			db.Place(ips[i%len(ips)], "de")
			i++
		}
	})
}
