package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/idempotency"
)

// ErrSecretShownOnce answers the replay of a request whose response carried
// a secret: the work was done once, and the secret is not kept to be shown again.
var ErrSecretShownOnce = apperr.Register("secret_shown_once", http.StatusConflict,
	"This request was already done with this Idempotency-Key; its secret is shown only once and is not kept. "+
		"List the resource to see what was created, or send a new key to create another.")

// idempotent runs a POST sent with an Idempotency-Key at most once per key
// and user: the first request runs and its response (below 500) is stored;
// the same request again gets the stored response with Idempotent-Replayed;
// another request under the same key is 409.
//
// With secret, the response is not stored (a secret is shown once and
// never kept in clear): a replay answers ErrSecretShownOnce instead.
func (s *server) idempotent(w http.ResponseWriter, r *http.Request, next http.Handler, secret bool) {
	ctx := r.Context()
	body, err := io.ReadAll(r.Body) // already read and bounded by readBody
	if err != nil {
		writeProblem(w, toProblem(ctx, s.log, err))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := idempotency.Request{
		Owner: caller(ctx).UserID, Key: r.Header.Get("Idempotency-Key"),
		Method: r.Method, Path: r.URL.Path, Body: body,
	}
	replay, err := s.idem.Begin(ctx, req)
	if err != nil {
		writeProblem(w, toProblem(ctx, s.log, err))
		return
	}
	if replay != nil && secret && len(replay.Body) == 0 {
		writeProblem(w, toProblem(ctx, s.log, ErrSecretShownOnce))
		return
	}
	if replay != nil {
		if replay.ContentType != "" {
			w.Header().Set("Content-Type", replay.ContentType)
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Content-Length", strconv.Itoa(len(replay.Body)))
		w.WriteHeader(replay.Status)
		_, _ = w.Write(replay.Body)
		return
	}
	// The outcome is recorded even if the client has gone.
	bg := context.WithoutCancel(ctx)
	rec := &recorder{ResponseWriter: w}
	completed := false
	defer func() {
		if completed {
			return
		}
		// A panic: forget the key so that a retry can run, then let the
		// app's recoverer answer.
		if err := s.idem.Abandon(bg, req.Owner, req.Key); err != nil {
			s.log.ErrorContext(ctx, "api: abandoning idempotency key", "error", err)
		}
	}()
	next.ServeHTTP(rec, r)
	completed = true
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	if status >= 500 {
		err = s.idem.Abandon(bg, req.Owner, req.Key)
	} else {
		resp := idempotency.Response{Status: status, ContentType: w.Header().Get("Content-Type"), Body: rec.body.Bytes()}
		if secret && status < 300 {
			resp.ContentType, resp.Body = "", nil
		}
		err = s.idem.Complete(bg, req.Owner, req.Key, resp)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "api: recording idempotency key", "error", err)
	}
}

// recorder passes a response through and keeps a copy.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

// WriteHeader records the status.
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records the body.
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
