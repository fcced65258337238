package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file, with its checksum and a gzipped copy.
type asset struct {
	name  string
	sum   string // first 12 hex digits of the SHA-256 of body
	ctype string
	body  []byte
	gz    []byte // nil when compression does not pay
}

// assets are the console's static files, served under /static/<sum>/<name>
// so that they can be cached for a year: a new binary gives new paths.
type assets struct {
	byName map[string]*asset
}

func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return fmt.Errorf("web: reading asset %s: %w", p, err)
		}
		sum := sha256.Sum256(body)
		name := strings.TrimPrefix(p, "static/")
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		if strings.HasPrefix(ctype, "text/") && !strings.Contains(ctype, "charset") {
			ctype += "; charset=utf-8"
		}
		x := &asset{name: name, sum: hex.EncodeToString(sum[:])[:12], ctype: ctype, body: body}
		if len(body) > 1024 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			if _, err := zw.Write(body); err != nil {
				return fmt.Errorf("web: compressing asset %s: %w", p, err)
			}
			if err := zw.Close(); err != nil {
				return fmt.Errorf("web: compressing asset %s: %w", p, err)
			}
			if buf.Len() < len(body) {
				x.gz = buf.Bytes()
			}
		}
		a.byName[name] = x
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: loading assets: %w", err)
	}
	return a, nil
}

// path returns the URL of the asset called name; templates call it as
// {{asset "app.css"}}. An unknown name is a programming error caught when the
// templates are first rendered in tests.
func (a *assets) path(name string) (string, error) {
	x, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("web: unknown asset %q", name)
	}
	return "/static/" + x.sum + "/" + x.name, nil
}

// ServeHTTP serves GET /static/{sum}/{name}. A stale checksum (a page from an
// older binary) still gets the current file, but without the long cache.
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x, ok := a.byName[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", x.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Vary", "Accept-Encoding")
	if r.PathValue("sum") == x.sum {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+x.sum+`"`)
	if match := r.Header.Get("If-None-Match"); match == `"`+x.sum+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := x.body
	if x.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = x.gz
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}
