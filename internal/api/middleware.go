package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/reqctx"
)

// MaxBodyBytes is the largest request body accepted: 1 MiB.
const MaxBodyBytes = 1 << 20

// unauthenticatedFactor multiplies the per-token limit for requests refused
// with 401, counted per client address.
const unauthenticatedFactor = 5

// policyMux is the mux Huma's adapter registers on: it wraps each
// operation's handler in the middleware its route needs.
type policyMux struct{ s *server }

// HandleFunc implements humago.Mux.
// Every pattern must come from the route table: an operation registered
// any other way would escape authentication, so it stops the build.
func (m policyMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	r, ok := m.s.policies[pattern]
	if !ok {
		panic("api: operation " + pattern + " is not in the route table")
	}
	m.s.mux.Handle(pattern, m.s.chain(r, http.HandlerFunc(h)))
}

// chain returns next behind, in order: authentication and scope, rate
// limit, body size limit, idempotency. Public routes (test mode) only get
// the body limit.
func (s *server) chain(r *route, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.Public {
			if !s.readBody(w, req) {
				return
			}
			next.ServeHTTP(w, req)
			return
		}
		req, tok, err := s.authenticate(req, r.scope())
		if err != nil {
			p := toProblem(req.Context(), s.log, err)
			if p.status == http.StatusUnauthorized {
				s.countUnauthenticated(w, req, p)
				return
			}
			writeProblem(w, p)
			return
		}
		if !s.rateLimit(w, req, "token:"+tok.ID, s.d.RateLimit) {
			return
		}
		if !s.readBody(w, req) {
			return
		}
		if req.Method == http.MethodPost && req.Header.Get("Idempotency-Key") != "" {
			s.idempotent(w, req, next, r.Secret)
			return
		}
		next.ServeHTTP(w, req)
	})
}

// readBody reads the body of r, at most MaxBodyBytes, and puts it back for
// the handler; a larger body is refused with 413.
func (s *server) readBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	if r.ContentLength > MaxBodyBytes {
		writeProblem(w, newProblem(apperr.TooLarge))
		return false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	_ = r.Body.Close()
	if err != nil {
		writeProblem(w, newProblem(apperr.BadRequest.With("The request body could not be read.")))
		return false
	}
	if len(body) > MaxBodyBytes {
		writeProblem(w, newProblem(apperr.TooLarge))
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return true
}

// rateLimit counts r in bucket and sets the RateLimit-* headers; it answers
// 429 and returns false when the bucket is full.
func (s *server) rateLimit(w http.ResponseWriter, r *http.Request, bucket string, limit int) bool {
	res, err := s.limiter.Allow(r.Context(), bucket, limit)
	if err != nil {
		writeProblem(w, toProblem(r.Context(), s.log, err))
		return false
	}
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(res.Limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(res.Remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(res.ResetSeconds()))
	if !res.Allowed {
		p := newProblem(apperr.TooManyRequests)
		p.GetHeaders().Set("Retry-After", strconv.Itoa(max(1, res.ResetSeconds())))
		writeProblem(w, p)
		return false
	}
	return true
}

// countUnauthenticated answers a refused token: 401, or 429 when the client
// address has been refused too often in the last minute.
func (s *server) countUnauthenticated(w http.ResponseWriter, r *http.Request, p *Problem) {
	res, err := s.limiter.Allow(r.Context(), "ip:"+reqctx.ClientIP(r), s.d.RateLimit*unauthenticatedFactor)
	if err != nil {
		writeProblem(w, toProblem(r.Context(), s.log, err))
		return
	}
	if !res.Allowed {
		tm := newProblem(apperr.TooManyRequests)
		tm.GetHeaders().Set("Retry-After", strconv.Itoa(max(1, res.ResetSeconds())))
		writeProblem(w, tm)
		return
	}
	writeProblem(w, p)
}

// ServeHTTP implements humago.Mux; the API is served by server.mux.
func (m policyMux) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.s.mux.ServeHTTP(w, r) }
