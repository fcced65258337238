package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/api"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/reqctx"
	"github.com/alpage/alpage/internal/web"
)

// Handler returns alpage's whole HTTP surface: the API under /api/, the
// operations endpoints, and the console for everything else, behind the
// request-id, logging, metrics, panic and cross-origin (CSRF) middleware.
func (a *App) Handler() (http.Handler, error) {
	apiHandler, err := api.New(api.Deps{
		DB: a.DB, Clock: a.Clock, Logger: a.Logger,
		Accounts: a.Accounts, Orgs: a.Orgs, Tokens: a.Tokens, Notifier: a.Notifier,
		Teams: a.Teams, Products: a.Products, Invites: a.Invites, Security: a.Security,
		Catalog: a.Catalog, Billing: a.Billing, Renewal: a.Renewal, Webhooks: a.Webhooks,
		BaseURL:  a.Config.BaseURL,
		DevClock: a.DevClock, RateLimit: a.Config.RateLimit,
	})
	if err != nil {
		return nil, fmt.Errorf("app: building the API: %w", err)
	}
	console, err := web.New(web.Deps{
		Accounts: a.Accounts, Orgs: a.Orgs, Tokens: a.Tokens, Clock: a.Clock, Logger: a.Logger,
		Teams: a.Teams, Products: a.Products, Invites: a.Invites, Security: a.Security,
		SecureCookies: strings.HasPrefix(a.Config.BaseURL, "https://"), Dev: a.Config.Dev,
		BaseURL: a.Config.BaseURL,
		Catalog: a.Catalog, Billing: a.Billing, Renewal: a.Renewal,
	})
	if err != nil {
		return nil, fmt.Errorf("app: building the console: %w", err)
	}
	m := newMetrics(a)
	mux := http.NewServeMux()
	mux.Handle("/api/", apiHandler)
	mux.Handle("/api", http.RedirectHandler("/api/docs", http.StatusFound))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", m.handler())
	mux.Handle("/sandbox/", a.Gateway.Handler()) // the sandbox gateway's hosted pages (BIL-4)
	mux.Handle("/", console)

	csrf := http.NewCrossOriginProtection()
	var h http.Handler = mux
	h = csrf.Handler(h)
	h = a.recoverer(h)
	h = m.instrument(h)
	h = a.logRequests(h)
	return h, nil
}

// readyz answers 200 when the database answers and its schema is current.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	status := map[string]any{"database": "ok", "migrations": "current"}
	code := http.StatusOK
	if err := a.DB.PingContext(ctx); err != nil {
		status["database"], code = "unreachable", http.StatusServiceUnavailable
	} else if cur, latest, err := a.DB.MigrationVersions(ctx); err != nil || cur != latest {
		status["migrations"], code = fmt.Sprintf("behind (%d of %d)", cur, latest), http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(status)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives each request an id (kept from X-Request-Id when sane),
// returns it in the response, and logs one JSON line per request.
func (a *App) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rid := r.Header.Get("X-Request-Id")
		if len(rid) < 8 || len(rid) > 64 || strings.ContainsFunc(rid, func(c rune) bool {
			return !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
		}) {
			rid = id.New()
		}
		w.Header().Set("X-Request-Id", rid)
		r = r.WithContext(reqctx.WithRequestID(r.Context(), rid))
		sw := &statusWriter{ResponseWriter: w}
		elapsed := clock.Stopwatch()
		next.ServeHTTP(sw, r)
		a.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", rid), slog.String("method", r.Method), slog.String("path", reqctx.LogPath(r.URL.Path)),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Duration("duration", elapsed()), slog.String("ip", reqctx.ClientIP(r)))
	})
}

// recoverer turns a panic into a 500 that quotes the request id.
func (a *App) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				rid := reqctx.RequestID(r.Context())
				a.Logger.Error("panic", "request_id", rid, "panic", fmt.Sprint(v))
				http.Error(w, "Internal error. Request id: "+rid, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Serve runs the console, the API and the workers on addr until ctx ends,
// then stops accepting requests, finishes the running ones and the running
// jobs, and returns.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	h, err := a.Handler()
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if err := a.Queue.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		_ = a.Queue.Stop(context.Background())
		return err
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down: finishing requests and running jobs")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	if qerr := a.Queue.Stop(shutdown); qerr != nil && !errors.Is(qerr, context.Canceled) {
		err = errors.Join(err, qerr)
	}
	if err != nil {
		return fmt.Errorf("app: shutting down: %w", err)
	}
	return nil
}
