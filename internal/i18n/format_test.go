package i18n

import (
	"testing"
	"time"

	"github.com/alpage/alpage/internal/money"
)

var when = time.Date(2026, 11, 22, 13, 30, 0, 0, time.UTC)

func TestUI5_FormatDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, country, tz string
		want              string
	}{
		{"de", "CH", "Europe/Zurich", "22.11.2026"},
		{"fr", "CH", "Europe/Zurich", "22.11.2026"},
		{"fr", "FR", "Europe/Paris", "22/11/2026"},
		{"de", "DE", "Europe/Berlin", "22.11.2026"},
		{"en", "US", "America/New_York", "11/22/2026"},
		{"en", "GB", "Europe/London", "22/11/2026"},
		{"it", "IT", "Europe/Rome", "22/11/2026"},
		{"es", "ES", "Europe/Madrid", "22/11/2026"},
		{"fr", "NL", "Europe/Amsterdam", "22-11-2026"},
		{"fr", "", "", "22/11/2026"},                     // unknown country: the language's format
		{"en", "CH", "Asia/Tokyo", "22.11.2026"},         // 22:30 in Tokyo, same day
		{"en", "CH", "Pacific/Kiritimati", "23.11.2026"}, // UTC+14: already the next day
		{"en", "US", "Pacific/Honolulu", "11/22/2026"},
		{"en", "CH", "No/Such_Zone", "22.11.2026"}, // unknown zone: UTC
	}
	for _, tt := range tests {
		if got := FormatDate(when, tt.lang, tt.country, tt.tz); got != tt.want {
			t.Errorf("FormatDate(%s, %s, %s) = %q, want %q", tt.lang, tt.country, tt.tz, got, tt.want)
		}
	}
}

func TestUI5_FormatDateTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, country, tz string
		want              string
	}{
		{"de", "CH", "Europe/Zurich", "22.11.2026 14:30"}, // CET, UTC+1 in November
		{"fr", "FR", "Europe/Paris", "22/11/2026 14:30"},
		{"en", "GB", "Europe/London", "22/11/2026 13:30"},
		{"en", "US", "America/New_York", "11/22/2026 8:30 AM"},
		{"en", "US", "America/Los_Angeles", "11/22/2026 5:30 AM"},
		{"it", "IT", "UTC", "22/11/2026 13:30"},
	}
	for _, tt := range tests {
		if got := FormatDateTime(when, tt.lang, tt.country, tt.tz); got != tt.want {
			t.Errorf("FormatDateTime(%s, %s, %s) = %q, want %q", tt.lang, tt.country, tt.tz, got, tt.want)
		}
	}
	summer := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	if got := FormatDateTime(summer, "de", "CH", "Europe/Zurich"); got != "01.07.2026 14:00" {
		t.Errorf("summer time in Zurich = %q, want 01.07.2026 14:00", got)
	}
}

func TestUI5_FormatMoney(t *testing.T) {
	t.Parallel()
	chf := func(m int64) money.Amount { return money.Amount{Minor: m, Currency: "CHF"} }
	eur := func(m int64) money.Amount { return money.Amount{Minor: m, Currency: "EUR"} }
	tests := []struct {
		a             money.Amount
		lang, country string
		want          string
	}{
		{chf(123450), "de", "CH", "CHF\u00a01’234.50"},
		{chf(123450), "fr", "CH", "CHF\u00a01’234.50"},
		{chf(123450), "it", "CH", "CHF\u00a01’234.50"},
		{chf(50), "de", "CH", "CHF\u00a00.50"},
		{chf(99999), "de", "CH", "CHF\u00a0999.99"},
		{chf(123456789), "de", "CH", "CHF\u00a01’234’567.89"},
		{chf(-123450), "de", "CH", "CHF\u00a0-1’234.50"},
		{eur(123450), "fr", "FR", "1\u202f234,50\u00a0€"},
		{eur(123450), "de", "DE", "1.234,50\u00a0€"},
		{eur(123450), "de", "AT", "€\u00a01\u00a0234,50"},
		{eur(123450), "it", "IT", "1.234,50\u00a0€"},
		{eur(123450), "es", "ES", "1234,50\u00a0€"}, // Spanish groups from five digits
		{eur(1234550), "es", "ES", "12.345,50\u00a0€"},
		{eur(123450), "fr", "NL", "€\u00a01.234,50"},
		{eur(123450), "en", "GB", "€1,234.50"},
		{eur(-123450), "en", "GB", "-€1,234.50"},
		{chf(123450), "en", "GB", "CHF\u00a01,234.50"},
		{eur(123450), "en", "US", "€1,234.50"},
		{chf(123450), "fr", "FR", "1\u202f234,50\u00a0CHF"},
	}
	for _, tt := range tests {
		if got := FormatMoney(tt.a, tt.lang, tt.country); got != tt.want {
			t.Errorf("FormatMoney(%v, %s, %s) = %q, want %q", tt.a, tt.lang, tt.country, got, tt.want)
		}
	}
}

func TestUI5_FormatInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n             int64
		lang, country string
		want          string
	}{
		{1234567, "de", "CH", "1’234’567"},
		{-1234, "de", "DE", "-1.234"},
		{999, "en", "US", "999"},
		{1234, "es", "ES", "1234"},
	}
	for _, tt := range tests {
		if got := FormatInt(tt.n, tt.lang, tt.country); got != tt.want {
			t.Errorf("FormatInt(%d, %s, %s) = %q, want %q", tt.n, tt.lang, tt.country, got, tt.want)
		}
	}
}
