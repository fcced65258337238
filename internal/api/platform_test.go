package api

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/reqctx"
)

func TestAPI1_SuccessEnvelope(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	uid, secret := b.user(t, "anna@example.ch")
	r := b.do(t, "GET", "/api/1/profile", secret, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if len(r.body) != 2 {
		t.Fatalf("envelope has members %v, want result and data", r.body)
	}
	d := r.data(t)
	want := []string{"id", "email", "first_name", "last_name", "phone", "language", "country", "time_zone", "email_confirmed", "created_at",
		"recovery_email", "recovery_email_confirmed"}
	for _, k := range want {
		if _, ok := d[k]; !ok {
			t.Errorf("data lacks %q: %s", k, r.raw)
		}
	}
	if len(d) != len(want) {
		t.Errorf("data has %d members, want %d: %s", len(d), len(want), r.raw)
	}
	if d["id"] != uid || d["email"] != "anna@example.ch" || d["email_confirmed"] != true {
		t.Errorf("data = %v", d)
	}
	created, err := time.Parse(time.RFC3339, d["created_at"].(string))
	if err != nil || !strings.HasSuffix(d["created_at"].(string), "Z") || !created.Equal(testNow) {
		t.Errorf("created_at = %v, want %s in RFC 3339 UTC", d["created_at"], testNow.Format(time.RFC3339))
	}
	if bytes.Contains(r.raw, []byte("$schema")) {
		t.Errorf("body carries $schema: %s", r.raw)
	}
}

func TestAPI1_UnauthorizedTokens(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	uid, secret := b.user(t, "anna@example.ch")
	ctx := context.Background()
	revoked, rt, err := b.tokens.Create(ctx, uid, "revoked", nil, nil, audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.tokens.Delete(ctx, uid, rt.ID, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	exp := testNow.Add(time.Hour)
	expiring, _, err := b.tokens.Create(ctx, uid, "expiring", nil, &exp, audit.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if r := b.do(t, "GET", "/api/1/profile", expiring, nil); r.status != http.StatusOK {
		t.Fatalf("expiring token before expiry: %d %s", r.status, r.raw)
	}
	b.clk.Advance(2 * time.Hour)

	cases := map[string]map[string]string{
		"no token":      {},
		"basic auth":    {"Authorization": "Basic YW5uYTpzZWNyZXQ="},
		"empty bearer":  {"Authorization": "Bearer "},
		"unknown token": {"Authorization": "Bearer alp_doesnotexist0000000000000000000000000000"},
		"revoked token": {"Authorization": "Bearer " + revoked},
		"expired token": {"Authorization": "Bearer " + expiring},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			var hs []string
			for k, v := range h {
				hs = append(hs, k, v)
			}
			r := b.do(t, "GET", "/api/1/organizations", "", nil, hs...)
			r.wantError(t, http.StatusUnauthorized, "not_authorized")
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want Bearer…", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	// The valid token still works.
	if r := b.do(t, "GET", "/api/1/profile", secret, nil); r.status != http.StatusOK {
		t.Fatalf("valid token: %d %s", r.status, r.raw)
	}
}

func TestAPI1_NotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.user(t, "anna@example.ch")
	otherID, _ := b.user(t, "bob@example.ch")
	foreign := b.addOrganization(t, otherID, "Bob AG")

	b.do(t, "GET", "/api/1/organizations/"+foreign, secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "GET", "/api/organizations/"+foreign, secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "GET", "/api/1/organizations/not-a-uuid", secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "GET", "/api/1/no-such-thing", secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "GET", "/api/1/no-such-thing", "", nil).wantError(t, http.StatusNotFound, "object_not_found")
	b.do(t, "GET", "/api/9/profile", secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
	// Test mode routes do not exist without --dev.
	b.do(t, "GET", "/api/1/_dev/clock", "", nil).wantError(t, http.StatusNotFound, "object_not_found")

	r := b.do(t, "PUT", "/api/1/profile", secret, `{}`)
	r.wantError(t, http.StatusMethodNotAllowed, "method_not_allowed")
	if allow := strings.Join(r.header.Values("Allow"), ","); allow != "GET,PATCH" {
		t.Errorf("Allow = %q, want GET,PATCH", allow)
	}
}

func TestAPI3_RateLimit60PerMinutePerToken(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.user(t, "anna@example.ch")
	_, other := b.user(t, "bob@example.ch")
	for i := 1; i <= 60; i++ {
		r := b.do(t, "GET", "/api/1/profile", secret, nil)
		if r.status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, r.status, r.raw)
		}
		if got := r.header.Get("RateLimit-Limit"); got != "60" {
			t.Fatalf("request %d: RateLimit-Limit = %q", i, got)
		}
		if got := r.header.Get("RateLimit-Remaining"); got != strconv.Itoa(60-i) {
			t.Fatalf("request %d: RateLimit-Remaining = %q, want %d", i, got, 60-i)
		}
		if got := r.header.Get("RateLimit-Reset"); got != "60" {
			t.Fatalf("request %d: RateLimit-Reset = %q, want 60 (the clock stands still)", i, got)
		}
	}
	r := b.do(t, "GET", "/api/1/profile", secret, nil)
	r.wantError(t, http.StatusTooManyRequests, "too_many_requests")
	if r.header.Get("Retry-After") != "60" || r.header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("61st: Retry-After %q, RateLimit-Remaining %q", r.header.Get("Retry-After"), r.header.Get("RateLimit-Remaining"))
	}
	// Errors count too, and the limit is per token.
	if r := b.do(t, "GET", "/api/1/profile", other, nil); r.status != http.StatusOK || r.header.Get("RateLimit-Remaining") != "59" {
		t.Fatalf("other token: %d, remaining %q", r.status, r.header.Get("RateLimit-Remaining"))
	}
	b.clk.Advance(30 * time.Second)
	r = b.do(t, "GET", "/api/1/profile", secret, nil)
	r.wantError(t, http.StatusTooManyRequests, "too_many_requests")
	if r.header.Get("Retry-After") != "30" {
		t.Fatalf("after 30 s: Retry-After %q, want 30", r.header.Get("Retry-After"))
	}
	b.clk.Advance(31 * time.Second)
	r = b.do(t, "GET", "/api/1/profile", secret, nil)
	if r.status != http.StatusOK || r.header.Get("RateLimit-Remaining") != "59" {
		t.Fatalf("after 61 s: %d, remaining %q: %s", r.status, r.header.Get("RateLimit-Remaining"), r.raw)
	}
}

func TestAPI2_UnversionedPathAnswersNewestVersion(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	uid, secret := b.user(t, "anna@example.ch")
	for _, path := range []string{"/profile", "/organizations", "/profile/tokens"} {
		v1 := b.do(t, "GET", "/api/1"+path, secret, nil)
		latest := b.do(t, "GET", "/api"+path, secret, nil)
		if v1.status != http.StatusOK || latest.status != http.StatusOK {
			t.Fatalf("%s: %d and %d", path, v1.status, latest.status)
		}
		if !bytes.Equal(v1.raw, latest.raw) {
			t.Errorf("%s: /api%s answered %s, /api/1%s answered %s", path, path, latest.raw, path, v1.raw)
		}
	}
	r := b.do(t, "PATCH", "/api/profile", secret, map[string]any{"first_name": "Annette"})
	if r.status != http.StatusOK || r.data(t)["first_name"] != "Annette" {
		t.Fatalf("PATCH /api/profile: %d %s", r.status, r.raw)
	}
	if u, err := b.accounts.Get(context.Background(), uid); err != nil || u.FirstName != "Annette" {
		t.Fatalf("after PATCH: %+v, %v", u, err)
	}
}

func TestAPI4_IdempotencyKey(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	uid, secret := b.user(t, "anna@example.ch")
	const org = `{"name":"Deploy AG","legal_form":"company"}`
	first := b.do(t, "POST", "/api/1/organizations", secret, org, "Idempotency-Key", "k-1")
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.raw)
	}
	if first.header.Get("Idempotent-Replayed") != "" {
		t.Fatal("first response marked as replayed")
	}
	again := b.do(t, "POST", "/api/1/organizations", secret, org, "Idempotency-Key", "k-1")
	if again.status != http.StatusCreated || !bytes.Equal(again.raw, first.raw) {
		t.Fatalf("replay: %d %s, want %s", again.status, again.raw, first.raw)
	}
	if again.header.Get("Idempotent-Replayed") != "true" || !strings.HasPrefix(again.header.Get("Content-Type"), "application/json") {
		t.Fatalf("replay headers: %v", again.header)
	}
	b.do(t, "POST", "/api/1/organizations", secret, `{"name":"Other AG","legal_form":"company"}`, "Idempotency-Key", "k-1").
		wantError(t, http.StatusConflict, "idempotency_key_reused")
	if orgs, _ := b.orgs.ListForUser(context.Background(), uid); len(orgs) != 2 {
		t.Fatalf("%d organizations, want 2 (own + Deploy AG once)", len(orgs))
	}
	// Another user's identical key is theirs.
	_, bob := b.user(t, "bob@example.ch")
	if r := b.do(t, "POST", "/api/1/organizations", bob, org, "Idempotency-Key", "k-1"); r.status != http.StatusCreated || bytes.Equal(r.raw, first.raw) {
		t.Fatalf("bob's key: %d %s", r.status, r.raw)
	}
	// A refused request is replayed as refused, and did nothing.
	bad := b.do(t, "POST", "/api/1/profile/tokens", secret, `{"name":"x","scopes":["admin"]}`, "Idempotency-Key", "k-2")
	bad.wantError(t, http.StatusUnprocessableEntity, "validation_failed", "scopes")
	badAgain := b.do(t, "POST", "/api/1/profile/tokens", secret, `{"name":"x","scopes":["admin"]}`, "Idempotency-Key", "k-2")
	if badAgain.status != http.StatusUnprocessableEntity || !bytes.Equal(badAgain.raw, bad.raw) || badAgain.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed refusal: %d %s", badAgain.status, badAgain.raw)
	}

	// A response with a secret runs once, is never stored, and is not replayed.
	created := b.do(t, "POST", "/api/1/profile/tokens", secret, `{"name":"deploy"}`, "Idempotency-Key", "k-3")
	if created.status != http.StatusCreated {
		t.Fatalf("token: %d %s", created.status, created.raw)
	}
	b.do(t, "POST", "/api/1/profile/tokens", secret, `{"name":"deploy"}`, "Idempotency-Key", "k-3").
		wantError(t, http.StatusConflict, "secret_shown_once")
	var stored int
	_ = b.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM idempotency_keys
		WHERE response_body IS NOT NULL AND LENGTH(response_body) > 0 AND key = 'k-3'`).Scan(&stored)
	if stored != 0 {
		t.Fatal("the response carrying the new token's secret was stored")
	}
	ts, err := b.tokens.List(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tk := range ts {
		if tk.Name == "deploy" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d tokens named deploy, want 1 (no double creation)", n)
	}
	// Without a key, each POST creates.
	for range 2 {
		if r := b.do(t, "POST", "/api/1/profile/tokens", secret, `{"name":"ci"}`); r.status != http.StatusCreated {
			t.Fatalf("without key: %d %s", r.status, r.raw)
		}
	}
	if ts, _ := b.tokens.List(context.Background(), uid); len(ts) != 4 {
		t.Fatalf("%d tokens, want 4 (test, deploy, ci, ci)", len(ts))
	}
	// After 24 hours the key is forgotten.
	b.clk.Advance(25 * time.Hour)
	if r := b.do(t, "POST", "/api/1/organizations", secret, `{"name":"Later AG","legal_form":"company"}`, "Idempotency-Key", "k-1"); r.status != http.StatusCreated || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("after 24 h: %d %s", r.status, r.raw)
	}
}

func TestAPI4_UnknownFieldRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.user(t, "anna@example.ch")
	b.do(t, "PATCH", "/api/1/profile", secret, `{"first_name":"Anna","nickname":"Annie"}`).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "nickname")
	b.do(t, "POST", "/api/1/profile/tokens", secret, `{"name":"a","admin":true}`).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "admin")
}

func TestAPI4_MalformedJSON(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.user(t, "anna@example.ch")
	e := b.do(t, "PATCH", "/api/1/profile", secret, `{"first_name":`).wantError(t, http.StatusBadRequest, "invalid_json")
	if strings.Contains(e["description"].(string), "first_name") {
		t.Errorf("description echoes the body: %v", e["description"])
	}
	b.do(t, "PATCH", "/api/1/profile", secret, `first_name=Anna`, "Content-Type", "application/x-www-form-urlencoded").
		wantError(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
}

func TestAPI4_BodyOver1MiBRefused(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.user(t, "anna@example.ch")
	big := `{"first_name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	b.do(t, "PATCH", "/api/1/profile", secret, big).wantError(t, http.StatusRequestEntityTooLarge, "request_too_large")
	// Exactly 1 MiB passes the size check (and then fails validation).
	exact := `{"first_name":"` + strings.Repeat("a", MaxBodyBytes-len(`{"first_name":""}`)) + `"}`
	if len(exact) != MaxBodyBytes {
		t.Fatalf("test body is %d bytes", len(exact))
	}
	b.do(t, "PATCH", "/api/1/profile", secret, exact).wantError(t, http.StatusUnprocessableEntity, "validation_failed", "first_name")
}

func TestACC1_PatchProfileValidation(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.user(t, "anna@example.ch")
	b.do(t, "PATCH", "/api/1/profile", secret, `{"language":"xx"}`).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "language")
	b.do(t, "PATCH", "/api/1/profile", secret, `{"time_zone":"Mars/Olympus"}`).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "time_zone")
	r := b.do(t, "PATCH", "/api/1/profile", secret, `{"language":"fr","country":"FR","time_zone":"Europe/Paris","last_name":"Dupont"}`)
	d := r.data(t)
	if d["language"] != "fr" || d["country"] != "FR" || d["time_zone"] != "Europe/Paris" || d["last_name"] != "Dupont" || d["first_name"] != "Anna" {
		t.Fatalf("after PATCH: %s", r.raw)
	}
	if g := b.do(t, "GET", "/api/1/profile", secret, nil).data(t); g["language"] != "fr" || g["last_name"] != "Dupont" {
		t.Fatalf("GET after PATCH: %v", g)
	}
}

// An unexpected error is a 500 with the request id, logged with its cause,
// and never shows the internal message.
func TestAPI1_UnexpectedErrorHidesCause(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx := reqctx.WithRequestID(context.Background(), "req-123")
	p := toProblem(ctx, log, errors.New("pq: password authentication failed for db secret"))
	if p.status != http.StatusInternalServerError || p.Err.Code != "unexpected_error" {
		t.Fatalf("problem = %+v", p)
	}
	if !strings.Contains(p.Err.Description, "req-123") || strings.Contains(p.Err.Description, "secret") {
		t.Fatalf("description = %q", p.Err.Description)
	}
	if !strings.Contains(logs.String(), "password authentication failed") || !strings.Contains(logs.String(), "req-123") {
		t.Fatalf("log lacks cause or request id: %s", logs.String())
	}
	// A registered error keeps its code, message and context.
	p = toProblem(ctx, log, apperr.Validation.With("Bad phone.").Field("phone", "123"))
	if p.status != 422 || p.Err.Code != "validation_failed" || p.Err.Description != "Bad phone." ||
		p.Err.Context == nil || p.Err.Context.Attribute != "phone" || p.Err.Context.Values[0] != "123" {
		t.Fatalf("apperr problem = %+v", p)
	}
}

// Over HTTP: a database failure is a 500 quoting the request id, and the
// cause goes to the log only.
func TestAPI1_UnexpectedErrorOverHTTP(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.user(t, "anna@example.ch")
	b.db.Close()
	r := b.do(t, "GET", "/api/1/profile", secret, nil)
	e := r.wantError(t, http.StatusInternalServerError, "unexpected_error")
	rid := r.header.Get("X-Request-Id")
	desc := e["description"].(string)
	if rid == "" || !strings.Contains(desc, rid) || strings.Contains(desc, "sql") {
		t.Fatalf("description %q, request id %q", desc, rid)
	}
	if logs := b.logs.String(); !strings.Contains(logs, rid) || !strings.Contains(logs, "closed") {
		t.Fatalf("log lacks the request id or the cause: %s", logs)
	}
}
