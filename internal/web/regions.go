package web

import (
	"slices"
	"strings"

	"github.com/alpage/alpage/internal/i18n"
)

// option is one choice of a <select>.
type option struct {
	Value, Label string
}

// countries offered in the profile (UI-5), with their usual time zone. Their
// names are translated ("country.CH").
var countries = []struct{ Code, TimeZone string }{
	{"CH", "Europe/Zurich"}, {"LI", "Europe/Vaduz"}, {"FR", "Europe/Paris"}, {"DE", "Europe/Berlin"},
	{"IT", "Europe/Rome"}, {"AT", "Europe/Vienna"}, {"BE", "Europe/Brussels"}, {"LU", "Europe/Luxembourg"},
	{"ES", "Europe/Madrid"}, {"PT", "Europe/Lisbon"}, {"NL", "Europe/Amsterdam"}, {"IE", "Europe/Dublin"},
	{"GB", "Europe/London"}, {"US", "America/New_York"},
}

// timeZones offered in the profile: the European ones, a few beyond, UTC.
var timeZones = []string{
	"Europe/Zurich", "Europe/Vaduz", "Europe/Paris", "Europe/Berlin", "Europe/Rome", "Europe/Vienna",
	"Europe/Brussels", "Europe/Luxembourg", "Europe/Madrid", "Atlantic/Canary", "Europe/Lisbon",
	"Europe/Amsterdam", "Europe/Monaco", "Europe/Dublin", "Europe/London", "Europe/Copenhagen",
	"Europe/Stockholm", "Europe/Oslo", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague",
	"Europe/Budapest", "Europe/Athens", "Europe/Istanbul", "America/New_York", "America/Chicago",
	"America/Denver", "America/Los_Angeles", "America/Montreal", "Asia/Dubai", "Asia/Singapore",
	"Asia/Tokyo", "Australia/Sydney", "UTC",
}

func knownCountry(code string) bool {
	for _, c := range countries {
		if c.Code == code {
			return true
		}
	}
	return false
}

// defaultTimeZone is the usual time zone of a country, Europe/Zurich if unknown.
func defaultTimeZone(code string) string {
	for _, c := range countries {
		if c.Code == code {
			return c.TimeZone
		}
	}
	return "Europe/Zurich"
}

func languageOptions() []option {
	out := make([]option, 0, len(i18n.Languages))
	for _, l := range i18n.Languages {
		out = append(out, option{Value: l, Label: languageNames[l]})
	}
	return out
}

// countryOptions are the countries with translated names, plus current if
// it is not in the list (a value set through the API).
func countryOptions(tr *i18n.Translator, current string) []option {
	out := make([]option, 0, len(countries)+1)
	for _, c := range countries {
		out = append(out, option{Value: c.Code, Label: tr.T("country." + c.Code)})
	}
	if current != "" && !knownCountry(current) {
		out = append(out, option{Value: current, Label: current})
	}
	return out
}

// timeZoneOptions are the IANA zones, plus current if it is not in the list.
func timeZoneOptions(current string) []option {
	zones := timeZones
	if current != "" && !slices.Contains(zones, current) {
		zones = append(slices.Clone(zones), current)
	}
	out := make([]option, 0, len(zones))
	for _, z := range zones {
		out = append(out, option{Value: z, Label: strings.ReplaceAll(z, "_", " ")})
	}
	return out
}
