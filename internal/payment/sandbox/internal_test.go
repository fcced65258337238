package sandbox

import (
	"testing"
	"time"
)

func TestLuhn(t *testing.T) {
	t.Parallel()
	for _, c := range TestCards {
		if !luhn(c.Number) {
			t.Errorf("test card %s fails the Luhn check", c.Number)
		}
	}
	for _, n := range []string{"4242424242424241", "5555555555554445", "1234567812345678"} {
		if luhn(n) {
			t.Errorf("luhn(%s) = true", n)
		}
	}
	if got, problem := checkNumber(" 4242-4242 4242\u00a04242 "); problem != "" || got.Number != CardVisa {
		t.Errorf("checkNumber with separators = %+v, %q", got, problem)
	}
	for in, want := range map[string]string{"4242424242424241": problemLuhn, "4111111111111111": problemNotTest,
		"42": problemNumber, "abcd": problemNumber, "": problemNumber} {
		if _, problem := checkNumber(in); problem != want {
			t.Errorf("checkNumber(%q) = %q; want %q", in, problem, want)
		}
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC)
	if expired(3, 2026, now) || !expired(2, 2026, now) || !expired(3, 2026, now.Add(time.Minute)) || expired(12, 2099, now) {
		t.Error("a card is valid through the last day of its expiry month")
	}
	for in, want := range map[string][2]int{"12/30": {12, 2030}, "1/27": {1, 2027}, "03 / 2031": {3, 2031}} {
		m, y, ok := parseExpiry(in)
		if !ok || m != want[0] || y != want[1] {
			t.Errorf("parseExpiry(%q) = %d, %d, %v", in, m, y, ok)
		}
	}
	for _, in := range []string{"", "1230", "13/30", "00/30", "12/3", "ab/cd", "12/301"} {
		if _, _, ok := parseExpiry(in); ok {
			t.Errorf("parseExpiry(%q) accepted", in)
		}
	}
}

// Every language has every message of the English pages, none empty.
func TestMessagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"fr", "en", "de", "it", "es"} {
		m, ok := messages[lang]
		if !ok {
			t.Fatalf("no messages in %s", lang)
		}
		if len(m) != len(messages["en"]) {
			t.Errorf("%s has %d messages, en %d", lang, len(m), len(messages["en"]))
		}
		for key := range messages["en"] {
			if m[key] == "" {
				t.Errorf("%s lacks %q", lang, key)
			}
		}
	}
	for _, c := range TestCards {
		if messages["en"]["out_"+c.Behavior] == "" {
			t.Errorf("no message for the outcome %q", c.Behavior)
		}
	}
	for _, p := range []string{problemNumber, problemLuhn, problemNotTest, problemExpiry, problemExpired, problemCVC, problemName} {
		if messages["en"][p] == "" {
			t.Errorf("no message for the problem %q", p)
		}
	}
}

func TestNewRefusesBadBaseURLs(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"ftp://x/sandbox", "https://console.example.ch", "sandbox", "/sandbox?x=1"} {
		if _, err := New(nil, nil, Options{BaseURL: base}); err == nil {
			t.Errorf("New accepted the base URL %q", base)
		}
	}
	g, err := New(nil, nil, Options{BaseURL: "https://console.example.ch/pay/sandbox/"})
	if err != nil || g.checkoutURL("x") != "https://console.example.ch/pay/sandbox/checkout/x" || g.path != "/pay/sandbox" {
		t.Fatalf("New with an absolute base: %v, %q", err, g.checkoutURL("x"))
	}
}
