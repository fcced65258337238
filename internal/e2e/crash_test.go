package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/store"
)

// kill -9 in the middle of sign-ups, restart: no half-made account, and no
// e-mail lost (ACC-2, DESIGN.md "Every change is one transaction").
func TestACC2_CrashDuringSignUpsLeavesNoHalfMadeAccount(t *testing.T) {
	t.Parallel()
	for engine, db := range databaseFlags(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--dev"}, db...)
			srv := startServer(t, args...)

			var ok atomic.Int64
			var wg sync.WaitGroup
			stop := make(chan struct{})
			client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}}
			for w := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						form := url.Values{"first_name": {"Crash"}, "last_name": {fmt.Sprintf("Test%d", i)},
							"email": {fmt.Sprintf("crash-%d-%d@example.ch", w, i)}, "password": {"crash test password"},
							"language": {"en"}}
						resp, err := client.PostForm(srv.URL+"/signup", form)
						if err != nil {
							return // the server is gone
						}
						resp.Body.Close()
						if resp.StatusCode < 400 {
							ok.Add(1)
						}
					}
				}()
			}
			deadline := time.Now().Add(20 * time.Second)
			for ok.Load() < 15 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			srv.kill9()
			close(stop)
			wg.Wait()
			if ok.Load() < 15 {
				t.Fatalf("only %d sign-ups succeeded before the kill; the test proves nothing", ok.Load())
			}

			// Restart on the same database: it must come up and deliver what
			// was waiting. A delivery that was running at the kill stays with
			// its job until River rescues it (RescueStuckJobsAfter): not lost.
			srv = startServer(t, args...)
			waitDelivered(t, srv)
			srv.stop()

			checkNoHalfMadeAccount(t, db)
		})
	}
}

// waitDelivered waits until no delivery job is waiting to run.
func waitDelivered(t *testing.T, srv *server) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var out envelope[[]struct {
			Status string `json:"status"`
		}]
		srv.call("GET", "/api/1/_dev/outbox?limit=1000", "", nil, &out)
		queued := 0
		for _, m := range out.Data {
			if m.Status == "queued" {
				queued++
			}
		}
		// At most the deliveries that were running when the process died.
		if len(out.Data) > 0 && queued <= 6 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after restart %d of %d messages are still queued", queued, len(out.Data))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
func checkNoHalfMadeAccount(t *testing.T, flags []string) {
	t.Helper()
	ctx := context.Background()
	var dir, url string
	if flags[0] == "--data" {
		dir = flags[1]
	} else {
		url = flags[1]
	}
	db, err := store.Open(ctx, dir, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checks := map[string]string{
		"users without an organization they represent": `SELECT COUNT(*) FROM users u WHERE NOT EXISTS
			(SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.role = 'legal_representative')`,
		"organizations without a member": `SELECT COUNT(*) FROM organizations o WHERE NOT EXISTS
			(SELECT 1 FROM memberships m WHERE m.organization_id = o.id)`,
		"unconfirmed users without a confirmation link": `SELECT COUNT(*) FROM users u WHERE u.email_confirmed_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM email_confirmations c WHERE c.user_id = u.id)`,
		"unconfirmed users without their e-mail": `SELECT COUNT(*) FROM users u WHERE u.email_confirmed_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.recipient = u.email AND o.template = 'confirm_email')`,
		"undelivered messages without a job that will deliver them": `SELECT COUNT(*) FROM outbox o
			WHERE o.status = 'queued' AND NOT EXISTS (SELECT 1 FROM river_job j WHERE j.kind = 'notify.deliver'
			AND j.state IN ('available', 'running', 'retryable', 'scheduled')
			AND CAST(j.args AS text) LIKE '%' || CAST(o.id AS text) || '%')`,
		"users without the sign-up in their activity": `SELECT COUNT(*) FROM users u WHERE NOT EXISTS
			(SELECT 1 FROM audit_events a WHERE a.subject_user_id = u.id AND a.action = 'account.signed_up')`,
	}
	for what, q := range checks {
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Errorf("%d %s after kill -9", n, what)
		}
	}
	var users int
	_ = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users)
	if users < 15 {
		t.Errorf("%d users after restart, want at least the 15 confirmed sign-ups", users)
	}
}
