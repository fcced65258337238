package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/token"
	"github.com/alpage/alpage/internal/webhook"
)

// operator signs up a person and gives them an operator token, as
// `alpage token create --scopes operator` does (token.Service.Create).
func (b *bundle) operator(t *testing.T, email string) (userID, secret string) {
	t.Helper()
	userID, _ = b.user(t, email)
	secret, tok, err := b.tokens.Create(context.Background(), userID, "operations", []string{token.ScopeOperator}, nil,
		audit.Meta{ActorID: userID, UserAgent: "alpage-cli"})
	if err != nil {
		t.Fatalf("creating the operator token: %v", err)
	}
	if !tok.HasScope(token.ScopeOperator) || tok.HasScope(token.ScopeAll) {
		t.Fatalf("operator token scopes %v", tok.Scopes)
	}
	return userID, secret
}

// camtFile is a camt.054 notification crediting amount CHF with reference
// (internal/billing/testdata/camt054.xml.tmpl).
func camtFile(t *testing.T, amount, reference, bankRef string) []byte {
	t.Helper()
	tpl := template.Must(template.ParseFiles("../billing/testdata/camt054.xml.tmpl"))
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, map[string]string{"Amount": amount, "Currency": "CHF", "Reference": reference, "BankRef": bankRef}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadBankFile posts file to /operator/bank_files as XML.
func (b *bundle) uploadBankFile(t *testing.T, secret string, file []byte, headers ...string) response {
	t.Helper()
	return b.do(t, http.MethodPost, "/api/1/operator/bank_files?name=camt054.xml", secret, file,
		append([]string{"Content-Type", "application/xml"}, headers...)...)
}

func (b *bundle) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := b.db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// PRD-5, BIL-6: with an operator token, the provider adds an endpoint
// through the API, a bank file uploaded through the API pays a pro-forma
// and publishes its events to that endpoint, whose deliveries are listed
// with the answers; the same file again books nothing twice; the endpoint
// is removed and its deliveries stay listed.
func TestPRD5_OperatorManagesWebhooksAndUploadsBankFiles(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	ctx := context.Background()
	_, ops := b.operator(t, "ops@example.ch")
	recv := newOperatorReceiver(t)

	// Add an endpoint: 201, the secret shown once.
	r := b.do(t, http.MethodPost, "/api/1/operator/webhooks", ops,
		map[string]any{"url": recv.URL + "/alpage", "events": []string{"invoice.*", "product.activated"}}).wantStatus(t, http.StatusCreated)
	ep := r.data(t)
	endpointID, _ := ep["id"].(string)
	whsec, _ := ep["secret"].(string)
	if endpointID == "" || !strings.HasPrefix(whsec, "whsec_") || ep["url"] != recv.URL+"/alpage" ||
		!slices.Equal(strs(ep["events"]), []string{"invoice.*", "product.activated"}) {
		t.Fatalf("added endpoint = %s", r.raw)
	}
	// Listed, without the secret; also at the unversioned path.
	for _, path := range []string{"/api/1/operator/webhooks", "/api/operator/webhooks"} {
		l := b.do(t, http.MethodGet, path, ops, nil).wantStatus(t, http.StatusOK)
		list, _ := l.body["data"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["id"] != endpointID || strings.Contains(string(l.raw), whsec) {
			t.Fatalf("GET %s = %s", path, l.raw)
		}
	}
	// No delivery yet: an empty list, not "not found".
	if d := b.do(t, http.MethodGet, "/api/1/operator/webhooks/"+endpointID+"/deliveries", ops, nil).wantStatus(t, http.StatusOK); !strings.Contains(string(d.raw), `"data":[]`) {
		t.Fatalf("deliveries before any event = %s", d.raw)
	}

	// The customer pays an order by bank transfer: a pro-forma to pay.
	o := anna.order(t, "CHF", "domain operator.ch 1y")
	pf := anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "iban"}).wantStatus(t, http.StatusCreated).data(t)["invoice"].(map[string]any)
	pfID, _ := pf["id"].(string)
	file := camtFile(t, amount(pf["due"]), pf["reference"].(string), "ZKB-OPS-1")

	// The operator uploads the bank file: the pro-forma is paid.
	up := b.uploadBankFile(t, ops, file).wantStatus(t, http.StatusOK).data(t)
	if up["matched"] != float64(1) || up["unmatched"] != float64(0) || up["duplicates"] != float64(0) || up["ignored"] != float64(0) {
		t.Fatalf("upload = %v", up)
	}
	if got := anna.get(t, "/invoices/"+pfID).data(t); got["status"] != "paid" {
		t.Fatalf("pro-forma after the upload = %v", got["status"])
	}
	if got := anna.get(t, "/orders/"+o["id"].(string)).data(t); got["status"] != "paid" {
		t.Errorf("order after the upload = %v", got["status"])
	}
	invoices := b.count(t, `SELECT COUNT(*) FROM invoices`)
	events := b.count(t, `SELECT COUNT(*) FROM webhook_events`)
	// The payment published the paid invoice and the active product. (The
	// bank path publishes invoice.issued but no invoice.paid: see the
	// report of this change.)
	for _, typ := range []string{"invoice.issued", "product.activated"} {
		if n := b.count(t, `SELECT COUNT(*) FROM webhook_events WHERE type = $1`, typ); n == 0 {
			t.Fatalf("no %s event published by the bank payment", typ)
		}
	}

	// The same file again (and under an Idempotency-Key): nothing twice.
	again := b.uploadBankFile(t, ops, file).wantStatus(t, http.StatusOK).data(t)
	if again["matched"] != float64(0) || again["duplicates"] != float64(1) {
		t.Fatalf("second upload = %v, want one duplicate", again)
	}
	if n := b.count(t, `SELECT COUNT(*) FROM invoices`); n != invoices {
		t.Errorf("invoices after the second upload: %d, want %d", n, invoices)
	}
	if n := b.count(t, `SELECT COUNT(*) FROM webhook_events`); n != events {
		t.Errorf("events after the second upload: %d, want %d", n, events)
	}
	if l := anna.get(t, "/invoices?filter[kind]=invoice").items(t); len(l) != 1 {
		t.Errorf("invoices of the customer = %v, want one", l)
	}

	// Deliver what was published (the job queue's work in production) and
	// read the deliveries through the API.
	wants := webhook.Endpoint{Events: []string{"invoice.*", "product.activated"}}
	rows, err := b.db.QueryContext(ctx, `SELECT id, type FROM webhook_events ORDER BY created_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id, typ string
		if err := rows.Scan(&id, &typ); err != nil {
			t.Fatal(err)
		}
		if wants.Wants(typ) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	for _, ev := range ids {
		if err := b.webhooks.Deliver(ctx, ev, endpointID, 1); err != nil {
			t.Fatalf("delivering %s: %v", ev, err)
		}
	}
	got := recv.requests()
	if len(got) != len(ids) {
		t.Fatalf("receiver got %d requests, want %d", len(got), len(ids))
	}
	for _, req := range got {
		if err := webhook.Verify(whsec, req.header.Get(webhook.SignatureHeader), req.body, b.clk.Now(), 5*time.Minute); err != nil {
			t.Errorf("signature with the secret the API showed: %v", err)
		}
	}
	d := b.do(t, http.MethodGet, "/api/1/operator/webhooks/"+endpointID+"/deliveries?limit=1", ops, nil).wantStatus(t, http.StatusOK)
	if list, _ := d.body["data"].([]any); len(list) != 1 {
		t.Fatalf("deliveries?limit=1 = %s", d.raw)
	}
	d = b.do(t, http.MethodGet, "/api/1/operator/webhooks/"+endpointID+"/deliveries", ops, nil).wantStatus(t, http.StatusOK)
	list, _ := d.body["data"].([]any)
	var types []string
	for _, it := range list {
		m := it.(map[string]any)
		if m["endpoint_id"] != endpointID || m["status"] != "succeeded" || m["response_status"] != float64(200) ||
			m["response_body"] != `{"seen": true}` || m["attempt"] != float64(1) {
			t.Errorf("delivery = %v", m)
		}
		types = append(types, m["event_type"].(string))
	}
	if len(list) != len(ids) || !slices.Contains(types, "invoice.issued") || !slices.Contains(types, "product.activated") {
		t.Fatalf("deliveries = %s", d.raw)
	}

	// Remove the endpoint: 204, gone from the list, its deliveries stay.
	b.do(t, http.MethodDelete, "/api/1/operator/webhooks/"+endpointID, ops, nil).wantStatus(t, http.StatusNoContent)
	if l := b.do(t, http.MethodGet, "/api/1/operator/webhooks", ops, nil).wantStatus(t, http.StatusOK); !strings.Contains(string(l.raw), `"data":[]`) {
		t.Errorf("list after removal = %s", l.raw)
	}
	b.do(t, http.MethodDelete, "/api/1/operator/webhooks/"+endpointID, ops, nil).wantError(t, http.StatusNotFound, "object_not_found")
	if d := b.do(t, http.MethodGet, "/api/1/operator/webhooks/"+endpointID+"/deliveries", ops, nil).wantStatus(t, http.StatusOK); len(d.body["data"].([]any)) != len(ids) {
		t.Errorf("deliveries after removal = %s", d.raw)
	}
	b.do(t, http.MethodGet, "/api/1/operator/webhooks/"+id.New()+"/deliveries", ops, nil).wantError(t, http.StatusNotFound, "object_not_found")
	// The changes are in the audit trail, by the operator token's user.
	if n := b.count(t, `SELECT COUNT(*) FROM audit_events WHERE action IN ('webhook.endpoint_added', 'webhook.endpoint_removed', 'bank.file_imported')`); n != 4 {
		t.Errorf("audit events = %d, want 4 (added, removed, two imports)", n)
	}
}

// PRD-5, BIL-6: what the operator routes refuse.
func TestPRD5_OperatorRoutesRefuseBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{rateLimit: 1_000_000})
	_, ops := b.operator(t, "ops@example.ch")

	b.do(t, http.MethodPost, "/api/1/operator/webhooks", ops, map[string]any{"url": "ftp://example.ch/x"}).
		wantError(t, http.StatusUnprocessableEntity, "webhook_url_invalid", "url")
	b.do(t, http.MethodPost, "/api/1/operator/webhooks", ops, map[string]any{"url": "https://example.ch/x", "events": []string{"Product.*"}}).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "events")
	b.do(t, http.MethodPost, "/api/1/operator/webhooks", ops, map[string]any{"events": []string{"*"}}).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed")
	// Default: every event.
	r := b.do(t, http.MethodPost, "/api/1/operator/webhooks", ops, map[string]any{"url": "https://hooks.example.ch/alpage"}).
		wantStatus(t, http.StatusCreated).data(t)
	if !slices.Equal(strs(r["events"]), []string{"*"}) {
		t.Errorf("default events = %v", r["events"])
	}
	for _, bad := range []string{"nope", "00000000-0000-7000-8000-000000000000"} {
		b.do(t, http.MethodDelete, "/api/1/operator/webhooks/"+bad, ops, nil).wantError(t, http.StatusNotFound, "object_not_found")
		b.do(t, http.MethodGet, "/api/1/operator/webhooks/"+bad+"/deliveries", ops, nil).wantError(t, http.StatusNotFound, "object_not_found")
	}
	b.do(t, http.MethodGet, "/api/1/operator/webhooks/"+r["id"].(string)+"/deliveries?limit=0", ops, nil).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "limit")

	file := camtFile(t, "16.22", "210000000003139471430009017", "ZKB-BAD-1")
	// Not XML: 415, with a message naming the type to send.
	e := b.do(t, http.MethodPost, "/api/1/operator/bank_files", ops, file, "Content-Type", "application/json").
		wantError(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
	if !strings.Contains(e["description"].(string), "application/xml") {
		t.Errorf("415 description %q", e["description"])
	}
	b.do(t, http.MethodPost, "/api/1/operator/bank_files", ops, file, "Content-Type", "").
		wantError(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
	// XML that is not camt.054, and no file at all: 422 bank_file_invalid.
	b.uploadBankFile(t, ops, []byte(`<?xml version="1.0"?><Invoice><Total>1</Total></Invoice>`)).
		wantError(t, http.StatusUnprocessableEntity, "bank_file_invalid")
	b.uploadBankFile(t, ops, []byte("   ")).wantError(t, http.StatusUnprocessableEntity, "bank_file_invalid")
	// text/xml with a charset is XML too; a credit with an unknown reference
	// is kept for staff.
	u := b.do(t, http.MethodPost, "/api/1/operator/bank_files", ops, file, "Content-Type", "text/xml; charset=utf-8").
		wantStatus(t, http.StatusOK).data(t)
	if u["unmatched"] != float64(1) || u["matched"] != float64(0) {
		t.Errorf("upload of an unknown reference = %v", u)
	}
	// Over 1 MiB: 413.
	big := append([]byte("<?xml version=\"1.0\"?><!--"), bytes.Repeat([]byte("x"), MaxBodyBytes)...)
	b.uploadBankFile(t, ops, big).wantError(t, http.StatusRequestEntityTooLarge, "request_too_large")
}

// API-1: a customer's token ("all") cannot use any operator route, and an
// operator token cannot act as a customer; the API and the console never
// make an operator token.
func TestAPI1_OperatorScopeIsNeverImpliedNorGrantedToCustomers(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{rateLimit: 1_000_000})
	_, customer := b.user(t, "anna@example.ch")
	_, ops := b.operator(t, "ops@example.ch")
	ep := b.do(t, http.MethodPost, "/api/1/operator/webhooks", ops, map[string]any{"url": "https://hooks.example.ch/a"}).
		wantStatus(t, http.StatusCreated).data(t)

	walked := 0
	for _, rt := range b.s.routes {
		if rt.scope() != token.ScopeOperator {
			if strings.HasPrefix(rt.Path, "/operator/") {
				t.Errorf("%s %s is under /operator but does not need the operator scope", rt.Method, rt.Path)
			}
			continue
		}
		walked++
		for _, path := range []string{rt.versionedPath(), rt.Path} {
			p := paramRE.ReplaceAllString(path, ep["id"].(string))
			var body any
			if rt.Method == http.MethodPost {
				body = `{"url":"https://evil.example/"}`
			}
			e := b.do(t, rt.Method, "/api"+p, customer, body).wantError(t, http.StatusForbidden, "access_denied")
			if d, _ := e["description"].(string); !strings.Contains(d, "operator") {
				t.Errorf("%s /api%s: description %q does not name the operator scope", rt.Method, p, d)
			}
		}
	}
	if walked != 5 {
		t.Errorf("%d operator routes walked, want 5", walked)
	}
	// Nothing changed: still one endpoint.
	if l := b.do(t, http.MethodGet, "/api/1/operator/webhooks", ops, nil).wantStatus(t, http.StatusOK); len(l.body["data"].([]any)) != 1 {
		t.Errorf("endpoints = %s", l.raw)
	}
	// An operator token is not a customer's.
	b.do(t, http.MethodGet, "/api/1/profile", ops, nil).wantError(t, http.StatusForbidden, "access_denied")
	b.do(t, http.MethodGet, "/api/1/organizations", ops, nil).wantError(t, http.StatusForbidden, "access_denied")

	// The API refuses to make an operator token, alone or with "all".
	for _, scopes := range [][]string{{"operator"}, {"all", "operator"}} {
		e := b.do(t, http.MethodPost, "/api/1/profile/tokens", customer, map[string]any{"name": "escalate", "scopes": scopes}).
			wantError(t, http.StatusUnprocessableEntity, "validation_failed", "scopes")
		if d, _ := e["description"].(string); !strings.Contains(d, "alpage token create") {
			t.Errorf("description %q does not say where operator tokens come from", d)
		}
	}
	l := b.do(t, http.MethodGet, "/api/1/profile/tokens", customer, nil).wantStatus(t, http.StatusOK).items(t)
	if len(l) != 1 || !slices.Equal(strs(l[0]["scopes"]), []string{"all"}) {
		t.Errorf("customer's tokens = %v", l)
	}
	// "all" is still what a customer asks for.
	c := b.do(t, http.MethodPost, "/api/1/profile/tokens", customer, map[string]any{"name": "deploy", "scopes": []string{"all"}}).
		wantStatus(t, http.StatusCreated).data(t)
	if !slices.Equal(strs(c["scopes"]), []string{"all"}) {
		t.Errorf("created scopes = %v", c["scopes"])
	}
	// An operator-only token manages no tokens either: it is no customer's.
	b.do(t, http.MethodGet, "/api/1/profile/tokens", ops, nil).wantError(t, http.StatusForbidden, "access_denied")
}

// operatorReceiver is the provider's system: it records each delivery
// and answers 200.
type operatorReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []operatorDelivery
}

type operatorDelivery struct {
	header http.Header
	body   []byte
}

func newOperatorReceiver(t *testing.T) *operatorReceiver {
	t.Helper()
	r := &operatorReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, operatorDelivery{req.Header.Clone(), body})
		r.mu.Unlock()
		_, _ = w.Write([]byte(`{"seen": true}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *operatorReceiver) requests() []operatorDelivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}
