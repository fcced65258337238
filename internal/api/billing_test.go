package api

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// PRD-3, BIL-1, BIL-2, BIL-6: order a .ch domain for 2 years, find it in
// the list to pay, pay it with a saved test Visa: one invoice, the product
// active and due two years ahead, the invoice downloadable as a PDF.
func TestBIL2_OrderPayInvoicePDF(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)

	o := anna.order(t, "CHF", "domain example.ch 2y")
	items := o["items"].([]any)
	item := items[0].(map[string]any)
	if o["status"] != "pending" || amount(o["net"]) != "30.00" || amount(o["vat"]) != "2.43" || amount(o["total"]) != "32.43" ||
		item["plan"] != ".ch" || item["period"] != "2y" || item["months"] != float64(24) || amount(item["price"]) != "30.00" {
		t.Fatalf("order = %v", o)
	}
	productID := item["product_id"].(string)
	if p := anna.get(t, "/products/"+productID).wantStatus(t, http.StatusOK).data(t); p["status"] != "pending" ||
		p["period"] != "2y" || p["plan"] != ".ch" || p["currency"] != "CHF" || amount(p["price"]) != "30.00" {
		t.Fatalf("the pending product = %v", p)
	}
	if got := anna.get(t, "/orders/"+o["id"].(string)).wantStatus(t, http.StatusOK).data(t); got["id"] != o["id"] {
		t.Fatalf("GET the order = %v", got)
	}
	if list := anna.get(t, "/orders?filter[status]=pending").wantStatus(t, http.StatusOK).ids(t); len(list) != 1 || list[0] != o["id"] {
		t.Fatalf("pending orders = %v", list)
	}

	due := anna.get(t, "/billing/due").wantStatus(t, http.StatusOK).items(t)
	if len(due) != 1 || due[0]["kind"] != "order" || due[0]["order_id"] != o["id"] || amount(due[0]["amount"]) != "32.43" ||
		due[0]["name"] != "example.ch" || due[0]["due_date"] != "2026-03-02" {
		t.Fatalf("due = %v", due)
	}

	visa := anna.card(t, "4242424242424242")
	r := anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "payment_method_id": visa}).wantStatus(t, http.StatusCreated)
	d := r.data(t)
	inv := d["invoice"].(map[string]any)
	payments := d["payments"].([]any)
	if d["status"] != "succeeded" || inv["kind"] != "invoice" || inv["status"] != "paid" || inv["number"] != "2026-000001" ||
		amount(inv["total"]) != "32.43" || amount(inv["due"]) != "0.00" || len(payments) != 1 {
		t.Fatalf("pay = %s", r.raw)
	}
	if p := payments[0].(map[string]any); p["method"] != "card" || p["status"] != "succeeded" || amount(p["amount"]) != "32.43" ||
		p["payment_method_id"] != visa {
		t.Errorf("payment = %v", p)
	}
	line := inv["lines"].([]any)[0].(map[string]any)
	if line["product_id"] != productID || line["vat_rate"] != "8.1" || amount(line["vat"]) != "2.43" || line["period"] != "2y" {
		t.Errorf("invoice line = %v", line)
	}

	p := anna.get(t, "/products/"+productID).wantStatus(t, http.StatusOK).data(t)
	if p["status"] != "active" || p["due_date"] != "2028-03-02" {
		t.Errorf("product after payment: status %v, due %v; want active, due 2028-03-02", p["status"], p["due_date"])
	}
	if o := anna.get(t, "/orders/"+o["id"].(string)).data(t); o["status"] != "paid" || o["invoice_id"] != inv["id"] || o["paid_at"] == nil {
		t.Errorf("order after payment = %v", o)
	}
	if due := anna.get(t, "/billing/due").items(t); len(due) != 0 {
		t.Errorf("due after payment = %v", due)
	}
	if all := anna.get(t, "/billing/due?range=all").items(t); len(all) != 1 || all[0]["kind"] != "renewal" ||
		all[0]["product_id"] != productID || all[0]["period"] != "2y" || all[0]["due_date"] != "2028-03-02" ||
		len(all[0]["periods"].([]any)) != 5 {
		t.Errorf("due (all) after payment = %v", all)
	}

	invs := anna.get(t, "/invoices").wantStatus(t, http.StatusOK).items(t)
	if len(invs) != 1 || invs[0]["id"] != inv["id"] || invs[0]["lines"] != nil {
		t.Fatalf("invoices = %v", invs)
	}
	if got := anna.get(t, "/invoices/"+inv["id"].(string)).wantStatus(t, http.StatusOK).data(t); got["number"] != "2026-000001" ||
		len(got["payments"].([]any)) != 1 || got["buyer"] == nil {
		t.Errorf("GET the invoice = %v", got)
	}
	pdf := anna.get(t, "/invoices/"+inv["id"].(string)+"/pdf").wantStatus(t, http.StatusOK)
	if !bytes.HasPrefix(pdf.raw, []byte("%PDF")) || pdf.header.Get("Content-Type") != "application/pdf" ||
		pdf.header.Get("Content-Disposition") != `attachment; filename="invoice-2026-000001.pdf"` {
		t.Errorf("PDF: %q, %q, starts %q", pdf.header.Get("Content-Type"), pdf.header.Get("Content-Disposition"), pdf.raw[:min(8, len(pdf.raw))])
	}
	b.do(t, http.MethodGet, anna.path("/invoices/"+inv["id"].(string)+"/pdf"), "", nil).wantError(t, http.StatusUnauthorized, "not_authorized")
}

// BIL-4: part of the selection from the prepaid account, the rest by card;
// the payments sum to the invoice's total and the ledger shows the debit.
func TestBIL4_PrepaidPartAndCardSumToTotal(t *testing.T) {
	t.Parallel()
	_, anna := billingSetup(t)
	visa := anna.card(t, "4242424242424242")
	dep := anna.deposit(t, "10.00", "CHF", visa)
	if dep["status"] != "succeeded" || len(dep["payments"].([]any)) != 1 {
		t.Fatalf("deposit = %v", dep)
	}
	one := anna.order(t, "CHF", "domain one.ch 1y")
	two := anna.order(t, "CHF", "domain two.ch 1y")
	d := anna.pay(t, map[string]any{"items": []any{orderItem(one), orderItem(two)}, "payment_method_id": visa,
		"prepaid_amount": "5.00"}).wantStatus(t, http.StatusCreated).data(t)
	inv := d["invoice"].(map[string]any)
	if d["status"] != "succeeded" || amount(inv["total"]) != "32.44" || len(inv["lines"].([]any)) != 2 {
		t.Fatalf("pay = %v", d)
	}
	byMethod := map[string]string{}
	for _, p := range d["payments"].([]any) {
		pm := p.(map[string]any)
		byMethod[pm["method"].(string)] = amount(pm["amount"])
	}
	if byMethod["prepaid"] != "5.00" || byMethod["card"] != "27.44" || len(byMethod) != 2 {
		t.Errorf("payments = %v, want prepaid 5.00 + card 27.44 = 32.44", byMethod)
	}
	acc := anna.get(t, "/prepaid").wantStatus(t, http.StatusOK).data(t)["accounts"].([]any)[0].(map[string]any)
	entries := acc["entries"].([]any)
	if acc["currency"] != "CHF" || amount(acc["balance"]) != "5.00" || amount(acc["available"]) != "5.00" || len(entries) != 2 ||
		entries[0].(map[string]any)["kind"] != "payment" || amount(entries[0].(map[string]any)["amount"]) != "-5.00" {
		t.Errorf("prepaid = %v", acc)
	}

	// All from the prepaid account: no card at all.
	three := anna.order(t, "CHF", "domain three.ch 1y") // 16.22 > 5.00
	anna.pay(t, map[string]any{"items": []any{orderItem(three)}, "method": "prepaid"}).
		wantError(t, http.StatusUnprocessableEntity, "prepaid_insufficient")
}

// BIL-4, BIL-6: a bank transfer issues a pro-forma with the IBAN and a QR
// reference; the list to pay shows the pro-forma instead of the order.
func TestBIL4_BankTransferIssuesProforma(t *testing.T) {
	t.Parallel()
	_, anna := billingSetup(t)
	o := anna.order(t, "CHF", "domain transfer.ch 1y")
	r := anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "iban"}).wantStatus(t, http.StatusCreated)
	d := r.data(t)
	pf := d["invoice"].(map[string]any)
	if d["status"] != "awaiting_transfer" || pf["kind"] != "proforma" || pf["status"] != "unpaid" ||
		!strings.HasPrefix(pf["number"].(string), "P2026-") || amount(pf["due"]) != "16.22" {
		t.Fatalf("pay by transfer = %s", r.raw)
	}
	if ref, _ := pf["reference"].(string); len(ref) != 27 { // QRR with the demo seller's QR-IBAN
		t.Errorf("reference = %q, want a 27-digit QR reference", ref)
	}
	if iban, _ := pf["iban"].(string); strings.ReplaceAll(iban, " ", "") != "CH4431999123000889012" {
		t.Errorf("iban = %q, want the seller's QR-IBAN", iban)
	}
	due := anna.get(t, "/billing/due").items(t)
	if len(due) != 1 || due[0]["kind"] != "proforma" || due[0]["invoice_id"] != pf["id"] || due[0]["number"] != pf["number"] {
		t.Errorf("due = %v, want the pro-forma only", due)
	}
	if pdf := anna.get(t, "/invoices/"+pf["id"].(string)+"/pdf").wantStatus(t, http.StatusOK); !bytes.HasPrefix(pdf.raw, []byte("%PDF")) ||
		!strings.Contains(pdf.header.Get("Content-Disposition"), `filename="proforma-P2026-`) {
		t.Errorf("pro-forma PDF: %q", pdf.header.Get("Content-Disposition"))
	}
	if l := anna.get(t, "/invoices?filter[kind]=proforma&filter[status]=unpaid").items(t); len(l) != 1 || l[0]["id"] != pf["id"] {
		t.Errorf("unpaid pro-formas = %v", l)
	}
	if l := anna.get(t, "/invoices?filter[kind]=invoice").items(t); len(l) != 0 {
		t.Errorf("invoices = %v, want none yet", l)
	}
}

// BIL-4: without a saved method, the customer pays on the gateway's page;
// the API answers requires_action, the page sends her back to the return
// URL, and GET …/checkouts/{id} tells the outcome from the gateway.
func TestBIL4_RequiresActionThroughTheHostedPage(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	pages := b.sandboxPages(t)
	o := anna.order(t, "CHF", "domain hosted.ch 1y")

	r := anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "card",
		"return_url": "http://127.0.0.1:8080/organizations/x/billing/return?from=api"}).wantStatus(t, http.StatusAccepted)
	d := r.data(t)
	checkout, _ := d["checkout_id"].(string)
	redirect, _ := d["redirect_url"].(string)
	if d["status"] != "requires_action" || checkout == "" || !strings.HasPrefix(redirect, "/sandbox/checkout/") || d["invoice"] != nil {
		t.Fatalf("pay = %s", r.raw)
	}
	if s := anna.get(t, "/checkouts/"+checkout).wantStatus(t, http.StatusOK).data(t); s["status"] != "requires_action" {
		t.Fatalf("checkout before the page = %v", s)
	}

	back := pages.payByCard(t, redirect, "4242424242424242")
	u, err := url.Parse(back)
	if err != nil || u.Host != "127.0.0.1:8080" || u.Path != "/organizations/x/billing/return" || u.Query().Get("checkout") == "" ||
		u.Query().Get("from") != "api" {
		t.Fatalf("the page sends back to %q", back)
	}
	// The attempt answers by its id and by the page's (?checkout=); asking
	// again answers the same.
	for _, id := range []string{u.Query().Get("checkout"), checkout} {
		s := anna.get(t, "/checkouts/"+id).wantStatus(t, http.StatusOK).data(t)
		inv, _ := s["invoice"].(map[string]any)
		if s["status"] != "succeeded" || s["checkout_id"] != checkout || inv == nil || inv["status"] != "paid" || amount(inv["total"]) != "16.22" {
			t.Fatalf("checkout after the page = %v", s)
		}
	}
	if l := anna.get(t, "/invoices?filter[kind]=invoice").items(t); len(l) != 1 {
		t.Errorf("invoices = %d, want 1", len(l))
	}
	if o := anna.get(t, "/orders/"+o["id"].(string)).data(t); o["status"] != "paid" {
		t.Errorf("order = %v", o["status"])
	}

	// A declined card on the page: the checkout reads failed, with its code.
	o2 := anna.order(t, "CHF", "domain declined.ch 1y")
	d = anna.pay(t, map[string]any{"items": []any{orderItem(o2)}, "method": "card"}).wantStatus(t, http.StatusAccepted).data(t)
	back = pages.payByCard(t, d["redirect_url"].(string), "4000000000000002")
	if !strings.HasPrefix(back, "http://127.0.0.1:8080/billing/return?checkout=") {
		t.Errorf("the default return URL: %q", back)
	}
	s := anna.get(t, "/checkouts/"+d["checkout_id"].(string)).wantStatus(t, http.StatusOK).data(t)
	if s["status"] != "failed" || s["failure_code"] != "card_declined" {
		t.Errorf("declined checkout = %v", s)
	}
	if o := anna.get(t, "/orders/"+o2["id"].(string)).data(t); o["status"] != "pending" {
		t.Errorf("order after a decline = %v", o["status"])
	}

	// Adding a method goes through a page too.
	d = anna.post(t, "/payment_methods", map[string]string{"type": "card"}).wantStatus(t, http.StatusAccepted).data(t)
	if d["status"] != "requires_action" || !strings.HasPrefix(d["redirect_url"].(string), "/sandbox/checkout/") {
		t.Fatalf("add a method = %v", d)
	}
	pages.payByCard(t, d["redirect_url"].(string), "5555555555554444")
	if s := anna.get(t, "/checkouts/"+d["checkout_id"].(string)).data(t); s["status"] != "succeeded" {
		t.Errorf("saving checkout = %v", s)
	}
	// The Visa that paid the domain was kept for its renewal (REN-1), and
	// stays the default; the MasterCard is added.
	ms := anna.get(t, "/payment_methods").wantStatus(t, http.StatusOK).items(t)
	if len(ms) != 2 || ms[0]["last4"] != "4242" || ms[0]["default"] != true || ms[1]["brand"] != "mastercard" ||
		ms[1]["last4"] != "4444" || ms[1]["default"] != false {
		t.Errorf("methods = %v", ms)
	}
}

// API.md, BIL-2: the same Idempotency-Key twice pays once: the second
// answer is the first one replayed; and once the stored answer expired,
// billing still finds the payment by its key and charges nothing more.
func TestBIL2_IdempotentPayment(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	visa := anna.card(t, "4242424242424242")
	o := anna.order(t, "CHF", "domain once.ch 1y")
	body := map[string]any{"items": []any{orderItem(o)}, "payment_method_id": visa}

	first := anna.pay(t, body, "Idempotency-Key", "pay-once-1").wantStatus(t, http.StatusCreated)
	again := anna.pay(t, body, "Idempotency-Key", "pay-once-1").wantStatus(t, http.StatusCreated)
	if again.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.raw, again.raw) {
		t.Errorf("replay: %q, %s", again.header.Get("Idempotent-Replayed"), again.raw)
	}

	b.clk.Advance(25 * time.Hour) // the stored answer is forgotten
	late := anna.pay(t, body, "Idempotency-Key", "pay-once-1").wantStatus(t, http.StatusCreated)
	if late.header.Get("Idempotent-Replayed") == "true" {
		t.Fatal("the key should have expired at the API")
	}
	fi, li := first.data(t)["invoice"].(map[string]any), late.data(t)["invoice"].(map[string]any)
	if late.data(t)["status"] != "succeeded" || li["id"] != fi["id"] || late.data(t)["checkout_id"] != first.data(t)["checkout_id"] {
		t.Errorf("late retry = %s, want the first payment's invoice %v", late.raw, fi["id"])
	}
	if invs := anna.get(t, "/invoices").items(t); len(invs) != 1 {
		t.Errorf("%d invoices, want 1", len(invs))
	}
	inv := anna.get(t, "/invoices/"+fi["id"].(string)).data(t)
	if ps := inv["payments"].([]any); len(ps) != 1 {
		t.Errorf("%d payments, want 1: %v", len(ps), ps)
	}
	var charges int
	if err := b.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM sandbox_payments`).Scan(&charges); err != nil || charges != 1 {
		t.Errorf("gateway charges = %d (%v), want 1", charges, err)
	}

	// Another body under the same key is refused, not paid.
	anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "iban"}, "Idempotency-Key", "pay-once-1").
		wantError(t, http.StatusConflict, "idempotency_key_reused")

	// A decline replayed is the same decline.
	declining := anna.card(t, "4000000000000002")
	o2 := anna.order(t, "CHF", "domain twice.ch 1y")
	body2 := map[string]any{"items": []any{orderItem(o2)}, "payment_method_id": declining}
	anna.pay(t, body2, "Idempotency-Key", "pay-declined").wantError(t, http.StatusPaymentRequired, "card_declined")
	b.clk.Advance(25 * time.Hour)
	anna.pay(t, body2, "Idempotency-Key", "pay-declined").wantError(t, http.StatusPaymentRequired, "card_declined")
}

// BIL-4, API.md: when the gateway does not answer, the payment is 503
// payment_outcome_unknown (not a generic error: "do not pay again"); the
// same request retried charges once. A lost answer is found again by its
// key, without a second charge.
func TestBIL4_UnknownOutcomeRetriedPaysOnce(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	visa := anna.card(t, "4242424242424242")
	o := anna.order(t, "CHF", "domain timeout.ch 1y")
	body := map[string]any{"items": []any{orderItem(o)}, "payment_method_id": visa}

	b.gateway.FailNext(2) // the charge and its retry with the same key time out
	anna.pay(t, body, "Idempotency-Key", "timeout-1").wantError(t, http.StatusServiceUnavailable, "payment_outcome_unknown")
	if got := anna.get(t, "/orders/"+o["id"].(string)).data(t); got["status"] != "pending" {
		t.Fatalf("order after a timeout = %v", got["status"])
	}
	d := anna.pay(t, body, "Idempotency-Key", "timeout-1").wantStatus(t, http.StatusCreated).data(t)
	if d["status"] != "succeeded" {
		t.Fatalf("retry = %v", d)
	}

	o2 := anna.order(t, "CHF", "domain lost.ch 1y")
	b.gateway.LoseNextResponses(1) // charged, but the answer is lost
	anna.pay(t, map[string]any{"items": []any{orderItem(o2)}, "payment_method_id": visa}).wantStatus(t, http.StatusCreated)

	var charges int
	if err := b.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM sandbox_payments`).Scan(&charges); err != nil || charges != 2 {
		t.Errorf("gateway charges = %d (%v), want 2", charges, err)
	}
	if invs := anna.get(t, "/invoices").items(t); len(invs) != 2 {
		t.Errorf("%d invoices, want 2", len(invs))
	}
}

// BIL-4: a payment cancelled on its page reads canceled, leaves the order
// payable, and the same Idempotency-Key answers canceled again (200): a new
// key pays.
func TestBIL4_CancelledOnThePage(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	pages := b.sandboxPages(t)
	o := anna.order(t, "CHF", "domain changed-mind.ch 1y")
	body := map[string]any{"items": []any{orderItem(o)}, "method": "card"}
	d := anna.pay(t, body, "Idempotency-Key", "mind-1").wantStatus(t, http.StatusAccepted).data(t)
	pages.cancel(t, d["redirect_url"].(string))
	if s := anna.get(t, "/checkouts/"+d["checkout_id"].(string)).wantStatus(t, http.StatusOK).data(t); s["status"] != "canceled" {
		t.Fatalf("checkout = %v", s)
	}
	b.clk.Advance(25 * time.Hour) // past the stored answer: billing answers from the attempt
	if r := anna.pay(t, body, "Idempotency-Key", "mind-1").wantStatus(t, http.StatusOK).data(t); r["status"] != "canceled" {
		t.Errorf("the same key again = %v", r)
	}
	visa := anna.card(t, "4242424242424242")
	anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "payment_method_id": visa}, "Idempotency-Key", "mind-2").
		wantStatus(t, http.StatusCreated)
}
