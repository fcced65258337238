package api

import (
	"io/fs"
	"net/http"

	"github.com/alpage/alpage/internal/api/docs"
)

// docsCSP allows only this server's scripts; swagger-ui sets inline styles
// and shows data: images.
const docsCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

// mountDocs serves /api/docs (swagger-ui over /api/openapi.json) from the
// embedded assets.
func (s *server) mountDocs() {
	assets, err := fs.Sub(docs.Assets, "assets")
	if err != nil {
		panic(err) // the embedded directory exists at build time
	}
	files := http.StripPrefix("/api/docs/assets/", http.FileServerFS(assets))
	s.mux.HandleFunc("GET /api/docs", func(w http.ResponseWriter, r *http.Request) {
		page, err := fs.ReadFile(assets, "index.html")
		if err != nil {
			writeProblem(w, toProblem(r.Context(), s.log, err))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", docsCSP)
		_, _ = w.Write(page)
	})
	s.mux.Handle("GET /api/docs/assets/{file}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("file") == "index.html" {
			http.Redirect(w, r, "/api/docs", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	}))
}
