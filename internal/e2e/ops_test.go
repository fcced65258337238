package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// CSRF: a form posted from another site is refused, the same form from the
// console's own pages is not (http.CrossOriginProtection).
func TestCSRF_CrossOriginFormRefused(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--dev", "--data", t.TempDir())
	post := func(site, origin string) int {
		form := url.Values{"email": {"x@example.ch"}, "password": {"whatever pass"}}
		req, _ := http.NewRequest("POST", srv.URL+"/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", site)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("cross-site", "https://evil.example"); code != http.StatusForbidden {
		t.Errorf("cross-site sign-in form: %d, want 403", code)
	}
	if code := post("same-origin", srv.URL); code == http.StatusForbidden {
		t.Errorf("same-origin sign-in form refused: %d", code)
	}
	srv.stop()
}

// /healthz, /readyz and /metrics (HTTP, jobs, database pool).
func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "--dev", "--demo", "--data", t.TempDir())
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 200 || !strings.Contains(body, `"migrations":"current"`) {
		t.Errorf("/readyz = %d %q", code, body)
	}
	// A sign-up enqueues its confirmation e-mail; the delivery job shows up
	// in the job series once worked.
	resp, err := http.PostForm(srv.URL+"/signup", url.Values{"first_name": {"M"}, "last_name": {"E"},
		"email": {"metrics@example.ch"}, "password": {"metrics password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	series := []string{
		`alpage_http_requests_total{code="200",method="GET",route="GET /healthz"}`,
		`alpage_http_request_duration_seconds_bucket`,
		`alpage_jobs_total{kind="notify.deliver",outcome="job_completed"}`,
		`go_sql_open_connections{db_name="alpage"}`,
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, metrics := get("/metrics")
		var missing []string
		for _, s := range series {
			if !strings.Contains(metrics, s) {
				missing = append(missing, s)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %v", missing)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(srv.stdout.String(), "ada@demo.alpage.ch") {
		t.Errorf("--demo did not print how to sign in:\n%s", srv.stdout.String())
	}
	srv.stop()
}
