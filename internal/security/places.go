package security

// Places names the place of an IP address ("Zurich, Switzerland") in a
// language, or "" when unknown. It is backed by a GeoIP database when the
// operator configured one (internal/geoip); without one, places are
// unknown and the pages leave them out (SEC-7).
type Places interface {
	Place(ip, lang string) string
}

// UsePlaces sets the GeoIP database naming places in the activity, the
// alerts and the push requests. Call it before serving.
func (s *Service) UsePlaces(p Places) { s.places = p }

// place names ip's place in lang, or "".
func (s *Service) place(ip, lang string) string {
	if s.places == nil || ip == "" {
		return ""
	}
	return s.places.Place(ip, lang)
}
