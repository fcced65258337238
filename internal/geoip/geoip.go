// Package geoip names the place of an IP address ("Zürich, Schweiz") from a
// MaxMind-format database (SEC-7: the recent activity, the security e-mails
// and the push requests show where a sign-in came from).
//
// # Rules
//
//   - The database is a City or Country one in the MaxMind DB format:
//     GeoLite2-City, GeoLite2-Country (MaxMind, free with an account), their
//     GeoIP2 paid versions, or DB-IP's IP-to-City/Country Lite (CC BY 4.0).
//     Open refuses a file that is not such a database, saying why.
//   - A place is "City, Country", or "Country" when the database knows no
//     city for the address; "" when it knows nothing, and always "" for a
//     private, loopback, link-local or otherwise non-public address: the
//     database would only guess.
//   - Names come from the records' "names" maps in the user's language; a
//     language the database lacks (MaxMind has no Italian) falls back to
//     English.
//   - A DB is safe for concurrent use; Close waits for the lookups running
//     and later lookups answer "".
package geoip

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/oschwald/maxminddb-golang/v2"
)

// fallback is the language used when the database has no name in the
// user's.
const fallback = "en"

// DB is an open GeoIP database. It implements security.Places.
type DB struct {
	mu     sync.RWMutex
	reader *maxminddb.Reader // nil once closed
	path   string
}

// Open opens the MaxMind-format database at path. A missing file, a file
// that is not a MaxMind database or a database without places (an ASN
// database, say) is an error naming the file.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	var invalid maxminddb.InvalidDatabaseError
	if errors.As(err, &invalid) {
		return nil, fmt.Errorf("geoip: opening %s: not a MaxMind DB (.mmdb) file: %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("geoip: opening %s: %w", path, err)
	}
	kind := r.Metadata.DatabaseType
	if !hasPlaces(kind) {
		_ = r.Close()
		return nil, fmt.Errorf("geoip: opening %s: a %q database has no places: use a City or Country database (GeoLite2-City, DB-IP City Lite…)", path, kind)
	}
	return &DB{reader: r, path: path}, nil
}

// hasPlaces tells whether a database type holds countries: City, Country
// and Enterprise databases do, ASN or ISP ones do not.
func hasPlaces(databaseType string) bool {
	t := strings.ToLower(databaseType)
	return strings.Contains(t, "city") || strings.Contains(t, "country") || strings.Contains(t, "enterprise")
}

// Type is the database's type as it declares it, e.g. "GeoLite2-City".
func (db *DB) Type() string {
	if db == nil {
		return ""
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.reader == nil {
		return ""
	}
	return db.reader.Metadata.DatabaseType
}

// Close releases the database. Lookups after it answer "".
func (db *DB) Close() error {
	if db == nil {
		return nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.reader == nil {
		return nil
	}
	err := db.reader.Close()
	db.reader = nil
	if err != nil {
		return fmt.Errorf("geoip: closing %s: %w", db.path, err)
	}
	return nil
}
