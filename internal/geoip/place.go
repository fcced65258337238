package geoip

import (
	"net/netip"
	"strings"
)

// Place names the place of ip in lang: "City, Country", "Country" when the
// database has no city for it, "" when the address is unknown, not public
// (private, loopback, link-local…) or does not parse. ip may carry a port
// ("192.0.2.1:443", "[2001:db8::1]:443") or a zone. A nil DB knows no
// place.
func (db *DB) Place(ip, lang string) string {
	if db == nil {
		return ""
	}
	addr, ok := public(ip)
	if !ok {
		return ""
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.reader == nil {
		return ""
	}
	res := db.reader.Lookup(addr)
	if !res.Found() {
		return ""
	}
	country := name(res, "country", lang)
	if country == "" {
		return "" // a city without its country would be ambiguous
	}
	if city := name(res, "city", lang); city != "" {
		return city + ", " + country
	}
	return country
}

// lookup is the part of maxminddb.Result that name needs.
type lookup interface {
	DecodePath(v any, path ...any) error
}

// name reads record.names[lang] of the result, falling back to English; ""
// when neither exists or the record is not the expected shape.
func name(res lookup, record, lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	var s string
	if lang != "" && lang != fallback {
		if err := res.DecodePath(&s, record, "names", lang); err == nil && s != "" {
			return s
		}
		s = ""
	}
	if err := res.DecodePath(&s, record, "names", fallback); err != nil {
		return ""
	}
	return s
}

// public parses ip and tells whether it is a public unicast address, the
// only kind a GeoIP database places.
func public(ip string) (netip.Addr, bool) {
	ip = strings.TrimSpace(ip)
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		ap, err := netip.ParseAddrPort(ip)
		if err != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	addr = addr.WithZone("").Unmap()
	if !addr.IsGlobalUnicast() || addr.IsPrivate() || sharedAddressSpace.Contains(addr) {
		return netip.Addr{}, false
	}
	return addr, true
}

// sharedAddressSpace is carrier-grade NAT (RFC 6598): not a place either.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")
