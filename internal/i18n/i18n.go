// Package i18n holds the console's translations (SPEC UI-4: French, English,
// German, Italian, Spanish) and the date and money formats that follow a
// user's country and time zone (UI-5).
//
// Translations are flat-key JSON files, one per language, embedded in the
// binary (translations/<lang>.json). Keys are grouped by area with a dot
// ("nav.home", "signin.title", "error.invalid_credentials"). Values may hold
// fmt verbs (%s, %d, %[1]s) filled by the arguments of T; every language must
// use the same verbs as English (catalog_test.go checks it).
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

//go:embed translations/*.json
var files embed.FS

// Languages are the languages of the console, in the order they are offered.
var Languages = []string{"fr", "en", "de", "it", "es"}

// Default is the language used when nothing better is known.
const Default = "en"

// catalogs maps a language to its messages. It is filled once at start from
// the embedded files and never written afterwards.
var catalogs = mustLoad()

func mustLoad() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		b, err := files.ReadFile(path.Join("translations", lang+".json"))
		if err != nil {
			panic(fmt.Sprintf("i18n: reading %s translations: %v", lang, err))
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: parsing %s translations: %v", lang, err))
		}
		out[lang] = m
	}
	return out
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool { return slices.Contains(Languages, lang) }

// Lookup returns the message of key in lang and whether it exists.
func Lookup(lang, key string) (string, bool) {
	s, ok := catalogs[lang][key]
	return s, ok
}

// Keys returns every key of lang, sorted.
func Keys(lang string) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// T translates key into lang, filling fmt verbs with args. An unknown
// language falls back to English; an unknown key yields the key itself.
func T(lang, key string, args ...any) string {
	return New(lang, nil).T(key, args...)
}

// Translator translates into one language; the console makes one per request.
type Translator struct {
	lang      string
	onMissing func(lang, key string)
}

// New returns a Translator for lang (English when lang is not supported).
// onMissing, when not nil, is called for every key that lang lacks: the tests
// make it fail, the server logs it.
func New(lang string, onMissing func(lang, key string)) *Translator {
	if !Supported(lang) {
		lang = Default
	}
	return &Translator{lang: lang, onMissing: onMissing}
}

// Lang is the language of the translator.
func (t *Translator) Lang() string { return t.lang }

// Has reports whether key exists in the translator's language.
func (t *Translator) Has(key string) bool {
	_, ok := catalogs[t.lang][key]
	return ok
}

// T translates key, filling fmt verbs with args. A missing key is reported
// to onMissing and falls back to English, then to the key itself.
func (t *Translator) T(key string, args ...any) string {
	s, ok := catalogs[t.lang][key]
	if !ok {
		if t.onMissing != nil {
			t.onMissing(t.lang, key)
		}
		if s, ok = catalogs[Default][key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

var matcher = language.NewMatcher([]language.Tag{
	language.English, // first: the fallback
	language.French, language.German, language.Italian, language.Spanish,
})

// Match picks the best console language for an Accept-Language header value;
// English when nothing matches.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return []string{"en", "fr", "de", "it", "es"}[idx]
}

// Normalize returns lang lower-cased if it is supported, or "".
func Normalize(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if Supported(lang) {
		return lang
	}
	return ""
}
