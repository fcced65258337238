package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/i18n"
)

// The phone page is installable: a web manifest, and a service worker at
// /phone/sw.js (its scope is /phone/) that keeps the page and its assets so
// that the one-time codes open offline.

// phoneShellAssets are the static files the phone page needs offline.
var phoneShellAssets = []string{"app.css", "htmx.min.js", "app.js", "phone.js", "favicon.svg"}

// phoneManifest answers the web manifest, in the visitor's language.
func (h *handler) phoneManifest(w http.ResponseWriter, r *http.Request) {
	tr := i18n.New(visitorOf(r).lang, h.onMissing)
	icon, err := h.assets.path("favicon.svg")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := json.Marshal(map[string]any{
		"name":             tr.T("phone.manifest.name"),
		"short_name":       "alpage",
		"description":      tr.T("phone.manifest.description"),
		"lang":             tr.Lang(),
		"start_url":        "/phone/",
		"scope":            "/phone/",
		"display":          "standalone",
		"orientation":      "portrait",
		"background_color": "#f4f6f5",
		"theme_color":      "#0f6b57",
		"icons":            []map[string]string{{"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "any"}},
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	_, _ = w.Write(body)
}

// phoneServiceWorker answers static/sw.js with the list of files to keep
// and a version drawn from their checksums: a new binary installs a new
// worker, which drops the old files.
func (h *handler) phoneServiceWorker(w http.ResponseWriter, r *http.Request) {
	shell := []string{"/phone/"}
	for _, name := range phoneShellAssets {
		p, err := h.assets.path(name)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		shell = append(shell, p)
	}
	list, err := json.Marshal(shell)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sum := sha256.Sum256(list)
	src := h.assets.byName["sw.js"]
	if src == nil {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	b.WriteString("const SHELL = " + string(list) + ";\n")
	b.WriteString(`const VERSION = "` + hex.EncodeToString(sum[:6]) + "\";\n")
	b.Write(src.body)
	hd := w.Header()
	hd.Set("Content-Type", "text/javascript; charset=utf-8")
	hd.Set("Service-Worker-Allowed", "/phone/")
	_, _ = w.Write([]byte(b.String()))
}
