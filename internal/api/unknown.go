package api

import (
	"net/http"

	"github.com/alpage/alpage/internal/apperr"
)

// unknown answers every path under /api/ that no route serves: 405 when
// the path exists with other methods, else 404, in the error envelope.
func (s *server) unknown(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pat := s.mux.Handler(probe); pat != "/api/" && pat != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		p := newProblem(apperr.MethodNotAllowed)
		for _, m := range allowed {
			p.GetHeaders().Add("Allow", m)
		}
		writeProblem(w, p)
		return
	}
	writeProblem(w, newProblem(apperr.NotFound.With("No such route: see /api/openapi.json for the list of requests.")))
}
