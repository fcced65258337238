package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/payment/sandbox"
)

// renPaid orders a one-year product for c and pays it with a saved test
// card, through the billing domain: active, due 365 days after testNow
// (2027-03-02), auto-renewing with the card (REN-1).
func renPaid(t *testing.T, c *customer, typ, name, plan string) string {
	t.Helper()
	ctx := context.Background()
	m := audit.Meta{ActorID: c.userID}
	o, err := c.b.billing.CreateOrder(ctx, c.userID, c.org, "CHF", []billing.OrderItem{{Type: typ, Name: name, Plan: plan, Period: "1y"}}, m)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := c.b.billing.AddTestCard(ctx, c.userID, c.org, sandbox.CardVisa, m)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.b.billing.Pay(ctx, c.userID, c.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, PaymentMethodID: pm.ID}, m)
	if err != nil || r.Status != "succeeded" {
		t.Fatalf("paying %s: %+v, %v", name, r, err)
	}
	return o.Items[0].ProductID
}

func renDays(b *bundle, n int) { b.clk.Advance(time.Duration(n) * 24 * time.Hour) }

func (c *customer) patch(t *testing.T, rest string, body any) response {
	t.Helper()
	return c.b.do(t, http.MethodPatch, c.path(rest), c.secret, body)
}

// renLink is the termination link's token newest in recipient's outbox.
func renLink(t *testing.T, b *bundle, recipient string) string {
	t.Helper()
	for _, e := range withTemplate(b.outbox(t, recipient), "termination_confirm") {
		for _, l := range e.Links {
			if u, err := url.Parse(l); err == nil && u.Path == "/terminate/confirm" {
				return u.Query().Get("token")
			}
		}
	}
	t.Fatalf("no termination link for %s", recipient)
	return ""
}

// REN-4 through the API on the test clock: switched on at D−15, refused at
// D−13 with auto_renew_too_close_to_due_date.
func TestREN4_APISwitchOnAtDMinus15NotAtDMinus13(t *testing.T) {
	t.Parallel()
	b, c := billingSetup(t)
	pid := renPaid(t, c, "domain", "anna.ch", "")
	d := c.get(t, "/products/"+pid).data(t)
	if d["auto_renew"] != true || d["due_date"] != "2027-03-02" {
		t.Fatalf("after paying with a card: %v", d)
	}
	if d := c.patch(t, "/products/"+pid, map[string]any{"auto_renew": false}).data(t); d["auto_renew"] != false {
		t.Fatalf("switched off: %v", d)
	}
	renDays(b, 350) // D−15
	if d := c.patch(t, "/products/"+pid, map[string]any{"auto_renew": true}).data(t); d["auto_renew"] != true || d["payment_method_id"] == nil {
		t.Fatalf("switched on at D−15: %v", d)
	}
	c.patch(t, "/products/"+pid, map[string]any{"auto_renew": false}).wantStatus(t, http.StatusOK)
	renDays(b, 2) // D−13
	e := c.patch(t, "/products/"+pid, map[string]any{"auto_renew": true}).wantError(t, http.StatusUnprocessableEntity, "auto_renew_too_close_to_due_date", "auto_renew")
	if d := e["description"].(string); !strings.Contains(d, "Renew it by hand") {
		t.Errorf("the refusal does not say what to do: %v", e["description"])
	}
	if d := c.get(t, "/products/"+pid).data(t); d["auto_renew"] != false {
		t.Errorf("auto-renewal is on after the refusal: %v", d)
	}
}

// REN-2, REN-4: a selection with one product too close is refused whole,
// naming that product.
func TestREN2_APIBulkNamesTheProductTooClose(t *testing.T) {
	t.Parallel()
	b, c := billingSetup(t)
	far := renPaid(t, c, "domain", "far.ch", "")
	near := renPaid(t, c, "domain", "near.ch", "")
	off := c.post(t, "/products/auto_renew", map[string]any{"product_ids": []string{far, near}, "enabled": false}).wantStatus(t, http.StatusOK)
	if n := len(off.body["data"].([]any)); n != 2 {
		t.Fatalf("switched off %d products", n)
	}
	if _, err := b.db.ExecContext(context.Background(), `UPDATE products SET due_date = '2026-03-15' WHERE id = $1`, near); err != nil {
		t.Fatal(err)
	}
	e := c.post(t, "/products/auto_renew", map[string]any{"product_ids": []string{far, near}, "enabled": true}).
		wantError(t, http.StatusUnprocessableEntity, "auto_renew_too_close_to_due_date", "product_ids")
	ctxt := e["context"].(map[string]any)
	if vs := strs(ctxt["values"]); len(vs) != 1 || vs[0] != near {
		t.Errorf("values %v, want only near.ch's id", vs)
	}
	if desc := e["description"].(string); !strings.Contains(desc, "near.ch") || strings.Contains(desc, "far.ch") {
		t.Errorf("description %q", desc)
	}
	if d := c.get(t, "/products/"+far).data(t); d["auto_renew"] != false {
		t.Error("far.ch was switched on although the selection was refused")
	}
	c.post(t, "/products/auto_renew", map[string]any{"product_ids": []string{far}}).wantError(t, http.StatusUnprocessableEntity, "validation_failed", "enabled")
	d := c.post(t, "/products/auto_renew", map[string]any{"product_ids": []string{far}, "enabled": true}).wantStatus(t, http.StatusOK)
	if p := d.body["data"].([]any)[0].(map[string]any); p["auto_renew"] != true {
		t.Errorf("far.ch: %v", p)
	}
}

// PRD-4 through the API: without confirmation nothing happens after 8
// days and the link has expired; with it the product is terminated, the
// event published and the other administrators told.
func TestPRD4_APITerminationWithAndWithoutConfirmation(t *testing.T) {
	t.Parallel()
	b, c := billingSetup(t)
	ctx := context.Background()
	admin := b.customer(t, "max@example.ch")
	b.join(t, c.org, admin.userID, org.RoleAdministrator, false)
	first := renPaid(t, c, "web_hosting", "anna.ch", "starter")
	second := renPaid(t, c, "domain", "anna.ch", "")

	d := c.post(t, "/products/"+first+"/terminate", map[string]any{"when": "now"}).data(t)
	if d["status"] != "pending" || d["needs_confirmation"] != true {
		t.Fatalf("request: %v", d)
	}
	c.post(t, "/products/"+first+"/terminate", map[string]any{"when": "later"}).wantError(t, http.StatusUnprocessableEntity, "validation_failed", "when")
	token := renLink(t, b, "anna@example.ch")
	renDays(b, 8)
	if err := b.renewal.ApplyScheduledTerminations(ctx, b.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if d := c.get(t, "/products/"+first).data(t); d["status"] != "active" {
		t.Fatalf("after 8 days without confirmation: %v", d["status"])
	}
	if tl := c.get(t, "/products/"+first+"/timeline").data(t); tl["termination"] != nil {
		t.Errorf("an expired request is still shown: %v", tl["termination"])
	}
	if _, err := b.renewal.ConfirmTermination(ctx, token, audit.Meta{}); err == nil || !strings.Contains(err.Error(), "termination_link_invalid") {
		t.Fatalf("an 8-day-old link: %v", err)
	}

	c.post(t, "/products/"+second+"/terminate", map[string]any{"when": "now"}).wantStatus(t, http.StatusOK)
	renDays(b, 1)
	if _, err := b.renewal.ConfirmTermination(ctx, renLink(t, b, "anna@example.ch"), audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	if d := c.get(t, "/products/"+second).data(t); d["status"] != "terminated" || d["auto_renew"] != false {
		t.Errorf("after confirmation: %v", d)
	}
	var n int
	if err := b.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_events WHERE type = 'product.terminated' AND payload LIKE $1`,
		"%"+second+"%").Scan(&n); err != nil || n != 1 {
		t.Errorf("%d product.terminated events (%v), want 1", n, err)
	}
	if got := withTemplate(b.outbox(t, "max@example.ch"), "termination_notice"); len(got) != 1 || !strings.Contains(got[0].BodyText, "anna.ch") {
		t.Errorf("the other administrator was not told: %v", got)
	}
	c.post(t, "/products/"+second+"/terminate", map[string]any{"when": "now"}).wantError(t, http.StatusConflict, "product_not_terminable")
}

// REN-3, BIL-7: the timeline lists the past and the next steps with dates.
func TestREN3_APITimelineListsPastAndNextSteps(t *testing.T) {
	t.Parallel()
	b, c := billingSetup(t)
	pid := renPaid(t, c, "domain", "anna.ch", "")
	renDays(b, 345) // 2027-02-10, D−20
	tl := c.get(t, "/products/"+pid+"/timeline").data(t)
	if tl["today"] != "2027-02-10" || tl["due_date"] != "2027-03-02" || tl["auto_renew"] != true {
		t.Fatalf("timeline %v", tl)
	}
	var past []string
	for _, e := range tl["past"].([]any) {
		past = append(past, e.(map[string]any)["kind"].(string))
	}
	for _, want := range []string{"created", "activated", "invoice_paid"} {
		if !strings.Contains(strings.Join(past, " "), want) {
			t.Errorf("past %v lacks %s", past, want)
		}
	}
	next := map[string][]string{}
	for _, s := range tl["next"].([]any) {
		m := s.(map[string]any)
		next[m["kind"].(string)] = append(next[m["kind"].(string)], m["date"].(string))
	}
	for kind, want := range map[string]string{"reminder": "2027-02-16 2027-03-01", "attempt": "2027-02-16 2027-02-20 2027-02-23 2027-02-27 2027-03-01 2027-03-02",
		"due": "2027-03-02", "block": "2027-03-03", "terminate": "2027-04-01"} {
		if got := strings.Join(next[kind], " "); got != want {
			t.Errorf("%s on %s, want %s", kind, got, want)
		}
	}
	stranger := b.customer(t, "zoe@example.ch")
	b.do(t, http.MethodGet, c.path("/products/"+pid+"/timeline"), stranger.secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
}
