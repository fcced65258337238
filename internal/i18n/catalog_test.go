package i18n

import (
	"regexp"
	"slices"
	"testing"
)

// verbs finds fmt verbs, with an optional explicit argument index: %s, %d, %[2]s.
var verbs = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

func placeholders(s string) []string {
	out := verbs.FindAllString(s, -1)
	slices.Sort(out)
	return out
}

// TestUI4_CatalogsMatch fails on a key missing in a language, an empty
// message, or a message whose placeholders differ from the English one.
func TestUI4_CatalogsMatch(t *testing.T) {
	t.Parallel()
	en := Keys("en")
	if len(en) < 100 {
		t.Fatalf("English catalog has %d keys; the files were not loaded", len(en))
	}
	for _, lang := range Languages {
		for _, key := range en {
			msg, ok := Lookup(lang, key)
			if !ok {
				t.Errorf("%s: missing key %q", lang, key)
				continue
			}
			if msg == "" {
				t.Errorf("%s: empty message for %q", lang, key)
			}
			want, _ := Lookup("en", key)
			if got, exp := placeholders(msg), placeholders(want); !slices.Equal(got, exp) {
				t.Errorf("%s: %q has placeholders %v, English has %v", lang, key, got, exp)
			}
		}
		for _, key := range Keys(lang) {
			if _, ok := Lookup("en", key); !ok {
				t.Errorf("%s: key %q does not exist in English", lang, key)
			}
		}
	}
}

func TestUI4_TranslatorFallsBackAndReports(t *testing.T) {
	t.Parallel()
	var missing []string
	tr := New("de", func(lang, key string) { missing = append(missing, lang+":"+key) })
	if got := tr.T("signin.title"); got != "Anmelden" {
		t.Errorf(`T("signin.title") = %q, want "Anmelden"`, got)
	}
	if got := tr.T("home.greeting", "Ada"); got != "Guten Tag, Ada" {
		t.Errorf("greeting = %q", got)
	}
	if got := tr.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key gave %q, want the key", got)
	}
	if !slices.Equal(missing, []string{"de:no.such.key"}) {
		t.Errorf("reported %v", missing)
	}
	if got := New("xx", nil).Lang(); got != "en" {
		t.Errorf("unsupported language gave %q, want en", got)
	}
}

func TestUI4_MatchAcceptLanguage(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                              "en",
		"fr-CH,fr;q=0.9,en;q=0.8":       "fr",
		"de-CH":                         "de",
		"it":                            "it",
		"es-ES,es;q=0.9":                "es",
		"ja,zh;q=0.8":                   "en",
		"pt-BR,de;q=0.5":                "de",
		"en-US,en;q=0.9":                "en",
		"rm-CH,de-CH;q=0.9,fr-CH;q=0.8": "de",
		"not a header ;;; q=bad":        "en",
	}
	for header, want := range tests {
		if got := Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}
