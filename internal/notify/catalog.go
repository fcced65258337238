package notify

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	texttemplate "text/template"
)

//go:embed templates
var templateFS embed.FS

// languages are the languages of alpage's messages; the first fallback is en.
var languages = []string{"fr", "en", "de", "it", "es"}

const fallbackLanguage = "en"

// Languages returns the languages every template is written in.
func Languages() []string { return slices.Clone(languages) }

// ErrUnknownTemplate is returned by Send for a template that does not exist.
var ErrUnknownTemplate = errors.New("notify: unknown template")

// catalog holds every parsed template. It is built once from the embedded
// files and never changed.
type catalog struct {
	layout    *htmltemplate.Template
	templates map[string]*templateSet
}

// templateSet is one template in every language it is written in.
type templateSet struct {
	name    string
	channel string
	langs   map[string]*localized
	sample  map[string]any // sample.json, for the catalog test
}

// localized is one template in one language.
type localized struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template // nil for SMS
}

// rendered is a message ready to be recorded.
type rendered struct {
	channel, language, subject, text, html string
}

var defaultCatalog = mustLoadCatalog(templateFS)

func mustLoadCatalog(fsys fs.FS) *catalog {
	c, err := loadCatalog(fsys)
	if err != nil {
		panic(err)
	}
	return c
}

// loadCatalog parses templates/layout.html and every template under
// templates/email and templates/sms. English is required; other languages
// fall back to it (the catalog test requires all of them).
func loadCatalog(fsys fs.FS) (*catalog, error) {
	layoutSrc, err := fs.ReadFile(fsys, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("notify: reading layout: %w", err)
	}
	layout, err := htmltemplate.New("layout").Option("missingkey=error").Parse(string(layoutSrc))
	if err != nil {
		return nil, fmt.Errorf("notify: parsing layout: %w", err)
	}
	c := &catalog{layout: layout, templates: map[string]*templateSet{}}
	for _, channel := range []string{ChannelEmail, ChannelSMS} {
		dirs, err := fs.ReadDir(fsys, "templates/"+channel)
		if err != nil {
			return nil, fmt.Errorf("notify: listing %s templates: %w", channel, err)
		}
		for _, d := range dirs {
			if !d.IsDir() {
				continue
			}
			set, err := loadSet(fsys, channel, d.Name())
			if err != nil {
				return nil, err
			}
			if _, dup := c.templates[set.name]; dup {
				return nil, fmt.Errorf("notify: template %s exists for two channels", set.name)
			}
			c.templates[set.name] = set
		}
	}
	return c, nil
}

func loadSet(fsys fs.FS, channel, name string) (*templateSet, error) {
	dir := path.Join("templates", channel, name)
	set := &templateSet{name: name, channel: channel, langs: map[string]*localized{}}
	if raw, err := fs.ReadFile(fsys, path.Join(dir, "sample.json")); err == nil {
		if err := json.Unmarshal(raw, &set.sample); err != nil {
			return nil, fmt.Errorf("notify: reading %s/sample.json: %w", dir, err)
		}
	}
	for _, lang := range languages {
		l, err := loadLocalized(fsys, dir, channel, name, lang)
		if errors.Is(err, fs.ErrNotExist) && lang != fallbackLanguage {
			continue
		}
		if err != nil {
			return nil, err
		}
		set.langs[lang] = l
	}
	return set, nil
}

func loadLocalized(fsys fs.FS, dir, channel, name, lang string) (*localized, error) {
	read := func(ext string) (string, error) {
		b, err := fs.ReadFile(fsys, path.Join(dir, lang+ext))
		if err != nil {
			return "", fmt.Errorf("notify: template %s: %w", name, err)
		}
		return string(b), nil
	}
	parseText := func(ext string) (*texttemplate.Template, error) {
		src, err := read(ext)
		if err != nil {
			return nil, err
		}
		t, err := texttemplate.New(name + "/" + lang + ext).Option("missingkey=error").Parse(src)
		if err != nil {
			return nil, fmt.Errorf("notify: parsing %s/%s%s: %w", dir, lang, ext, err)
		}
		return t, nil
	}
	var l localized
	var err error
	if l.subject, err = parseText(".subject"); err != nil {
		return nil, err
	}
	if l.text, err = parseText(".txt"); err != nil {
		return nil, err
	}
	if channel == ChannelEmail {
		src, err := read(".html")
		if err != nil {
			return nil, err
		}
		l.html, err = htmltemplate.New(name + "/" + lang + ".html").Option("missingkey=error").
			Funcs(htmlFuncs).Parse(src)
		if err != nil {
			return nil, fmt.Errorf("notify: parsing %s/%s.html: %w", dir, lang, err)
		}
	}
	return &l, nil
}

// resolveLanguage returns lang when set is written in it, else English.
func (s *templateSet) resolveLanguage(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if _, ok := s.langs[lang]; ok {
		return lang
	}
	return fallbackLanguage
}

// render renders template name in lang with data; baseURL is added to the
// data as BaseURL unless the caller set it.
func (c *catalog) render(name, lang string, data map[string]any, baseURL string) (rendered, error) {
	set, ok := c.templates[name]
	if !ok {
		return rendered{}, fmt.Errorf("%w %q", ErrUnknownTemplate, name)
	}
	lang = set.resolveLanguage(lang)
	l := set.langs[lang]
	d := maps.Clone(data)
	if d == nil {
		d = map[string]any{}
	}
	if _, ok := d["BaseURL"]; !ok {
		d["BaseURL"] = baseURL
	}
	r := rendered{channel: set.channel, language: lang}
	var buf bytes.Buffer
	if err := l.subject.Execute(&buf, d); err != nil {
		return rendered{}, fmt.Errorf("notify: rendering %s subject: %w", name, err)
	}
	r.subject = strings.Join(strings.Fields(buf.String()), " ")
	buf.Reset()
	if err := l.text.Execute(&buf, d); err != nil {
		return rendered{}, fmt.Errorf("notify: rendering %s text: %w", name, err)
	}
	r.text = strings.TrimSpace(buf.String())
	if set.channel == ChannelSMS {
		r.text = strings.Join(strings.Fields(r.text), " ")
	}
	if l.html != nil {
		buf.Reset()
		if err := l.html.Execute(&buf, d); err != nil {
			return rendered{}, fmt.Errorf("notify: rendering %s HTML: %w", name, err)
		}
		page := layoutData{
			Lang:    lang,
			Subject: r.subject,
			Content: htmltemplate.HTML(buf.String()), // produced by html/template: already escaped
			Footer:  footers[lang],
		}
		buf.Reset()
		if err := c.layout.Execute(&buf, page); err != nil {
			return rendered{}, fmt.Errorf("notify: rendering %s layout: %w", name, err)
		}
		r.html = buf.String()
	}
	return r, nil
}
