package notify

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestUI4_EveryTemplateInEveryLanguage: e-mails exist in the five languages
// (SPEC UI-4), each with a subject, a text and an HTML body (SMS: subject
// label and text), and render their sample data without a missing key.
func TestUI4_EveryTemplateInEveryLanguage(t *testing.T) {
	t.Parallel()
	cat := defaultCatalog
	for _, want := range []string{"confirm_email", "welcome", "security_signin_failed", "token_created", "sms_code"} {
		if _, ok := cat.templates[want]; !ok {
			t.Errorf("template %s is missing", want)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cat.templates)) {
		set := cat.templates[name]
		if len(set.sample) == 0 {
			t.Errorf("%s: no sample.json", name)
		}
		for _, lang := range languages {
			l, ok := set.langs[lang]
			if !ok {
				t.Errorf("%s: no %s version", name, lang)
				continue
			}
			if (l.html != nil) != (set.channel == ChannelEmail) {
				t.Errorf("%s/%s: HTML body present=%v for channel %s", name, lang, l.html != nil, set.channel)
			}
			r, err := cat.render(name, lang, set.sample, "http://127.0.0.1:8080")
			if err != nil {
				t.Errorf("%s/%s: rendering sample: %v", name, lang, err)
				continue
			}
			if r.language != lang {
				t.Errorf("%s/%s: rendered in %s", name, lang, r.language)
			}
			parts := map[string]string{"subject": r.subject, "text": r.text}
			if set.channel == ChannelEmail {
				parts["html"] = r.html
				if !strings.Contains(r.text, "alpage") || !strings.HasSuffix(r.text, "alpage") {
					t.Errorf("%s/%s: text is not signed alpage:\n%s", name, lang, r.text)
				}
				if !strings.Contains(r.html, `<html lang="`+lang+`">`) || !strings.Contains(r.html, footers[lang]) {
					t.Errorf("%s/%s: HTML is not in the layout for its language", name, lang)
				}
			} else if strings.Contains(r.text, "\n") || len(r.text) > 160 {
				t.Errorf("%s/%s: SMS is not one short line: %q", name, lang, r.text)
			}
			for part, s := range parts {
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s/%s: empty %s", name, lang, part)
				}
				if strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
					t.Errorf("%s/%s: %s has an unfilled value: %q", name, lang, part, s)
				}
			}
			for key, v := range set.sample {
				if s, ok := v.(string); ok && !strings.Contains(r.text, s) && !strings.Contains(r.html, s) {
					t.Errorf("%s/%s: sample value %s=%q does not appear in the message", name, lang, key, s)
				}
			}
		}
	}
}

// TestUI4_EveryLanguageHasAFooter keeps the layout complete.
func TestUI4_EveryLanguageHasAFooter(t *testing.T) {
	t.Parallel()
	for _, lang := range languages {
		if footers[lang] == "" {
			t.Errorf("no footer in %s", lang)
		}
	}
}

var anyURL = regexp.MustCompile(`(?i)https?://|www\.|href=|127\.0\.0\.1:8080`)

// TestSEC6_SecurityEmailsCarryNoLink: security e-mails carry no sign-in link
// (SPEC SEC-6), even though BaseURL is available to every template.
func TestSEC6_SecurityEmailsCarryNoLink(t *testing.T) {
	t.Parallel()
	// Every message about the account's security, whatever its name.
	security := map[string]bool{"token_created": true, "two_step_changed": true, "password_changed": true,
		"email_changed": true}
	found := 0
	for name, set := range defaultCatalog.templates {
		if !strings.HasPrefix(name, "security_") && !security[name] {
			continue
		}
		found++
		for _, lang := range languages {
			r, err := defaultCatalog.render(name, lang, set.sample, "http://127.0.0.1:8080")
			if err != nil {
				t.Fatalf("%s/%s: %v", name, lang, err)
			}
			for part, s := range map[string]string{"subject": r.subject, "text": r.text, "html": r.html} {
				if m := anyURL.FindString(s); m != "" {
					t.Errorf("%s/%s: %s carries a link (%q)", name, lang, part, m)
				}
			}
			if links := extractLinks(r.text); len(links) != 0 {
				t.Errorf("%s/%s: links %v", name, lang, links)
			}
		}
	}
	if found < 1+len(security) {
		t.Fatalf("found %d security templates, want security_signin_failed and %d others", found, len(security))
	}
}

func TestRenderRefusesMissingDataAndUnknownTemplates(t *testing.T) {
	t.Parallel()
	_, err := defaultCatalog.render("confirm_email", "en", map[string]any{"FirstName": "Anna"}, "")
	if err == nil || !strings.Contains(err.Error(), "Link") {
		t.Errorf("missing Link: err = %v, want an error naming Link", err)
	}
	_, err = defaultCatalog.render("no_such_template", "en", nil, "")
	if !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("unknown template: err = %v, want ErrUnknownTemplate", err)
	}
}

func TestRenderEscapesHTMLButNotText(t *testing.T) {
	t.Parallel()
	r, err := defaultCatalog.render("welcome", "en",
		map[string]any{"FirstName": `<script>x</script>`, "OrganizationName": "A & B"}, "http://h")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.html, "<script>") || !strings.Contains(r.html, "&lt;script&gt;") {
		t.Errorf("HTML body does not escape data: %s", r.html)
	}
	if !strings.Contains(r.text, "A & B") {
		t.Errorf("text body escaped data: %s", r.text)
	}
	if !strings.Contains(r.html, `href="http://h/"`) {
		t.Errorf("welcome HTML has no console button: %s", r.html)
	}
}

func TestExtractLinks(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"":                             {},
		"no link here":                 {},
		"open http://a.example/x?t=1.": {"http://a.example/x?t=1"},
		"(https://b.example/), and https://b.example/ again; http://c.example:8080/p": {
			"https://b.example/", "http://c.example:8080/p"},
		"« https://d.example/y »": {"https://d.example/y"},
		"ftp://nope.example":      {},
	}
	for in, want := range tests {
		if got := extractLinks(in); !slices.Equal(got, want) {
			t.Errorf("extractLinks(%q) = %q, want %q", in, got, want)
		}
	}
}
