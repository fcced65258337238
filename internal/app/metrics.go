package app

import (
	"github.com/alpage/alpage/internal/clock"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
)

// metrics are the Prometheus series of /metrics: HTTP, jobs, database pool.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
	jobTime  *prometheus.HistogramVec
}

func newMetrics(a *App) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alpage_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "alpage_http_request_duration_seconds", Help: "HTTP request durations by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "alpage_jobs_total", Help: "Jobs worked, by kind and outcome.",
		}, []string{"kind", "outcome"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "alpage_job_duration_seconds", Help: "Job run durations by kind.", Buckets: prometheus.DefBuckets,
		}, []string{"kind"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.jobs, m.jobTime,
		collectors.NewDBStatsCollector(a.DB.DB, "alpage"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if a.Queue.Working() {
		events, _ := a.Queue.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
			river.EventKindJobCancelled, river.EventKindJobSnoozed)
		go func() {
			for e := range events {
				m.jobs.WithLabelValues(e.Job.Kind, string(e.Kind)).Inc()
				if e.JobStats != nil {
					m.jobTime.WithLabelValues(e.Job.Kind).Observe(e.JobStats.RunDuration.Seconds())
				}
			}
		}()
	}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// instrument counts requests by the pattern that served them, so that
// identifiers in paths do not multiply the series.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		elapsed := clock.Stopwatch()
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
		m.duration.WithLabelValues(route).Observe(elapsed().Seconds())
	})
}
