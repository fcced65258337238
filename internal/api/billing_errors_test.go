package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/payment"
)

// PRD-1, PRD-3: an order the catalog cannot price is refused with the
// item at fault: context.attribute is items[i].field.
func TestPRD3_OrderRefusalsNameTheItem(t *testing.T) {
	t.Parallel()
	_, anna := billingSetup(t)
	item := func(typ, name, period string) map[string]string {
		return map[string]string{"type": typ, "name": name, "period": period}
	}
	ok := item("domain", "fine.ch", "1y")
	for _, tc := range []struct {
		name      string
		body      map[string]any
		status    int
		code      string
		attribute string
	}{
		{"unknown type", map[string]any{"currency": "CHF", "items": []any{ok, item("teleporter", "x", "1y")}},
			422, "offer_not_in_catalog", "items[1].type"},
		{"ending not sold", map[string]any{"currency": "CHF", "items": []any{item("domain", "example.org", "1y")}},
			422, "offer_not_in_catalog", "items[0].name"},
		{"unknown plan", map[string]any{"currency": "CHF", "items": []any{ok, ok2(), map[string]string{"type": "web_hosting", "name": "site", "plan": "gold", "period": "1y"}}},
			422, "offer_not_in_catalog", "items[2].plan"},
		{"period not allowed", map[string]any{"currency": "CHF", "items": []any{ok, item("domain", "four.ch", "4y")}},
			422, "period_not_allowed", "items[1].period"},
		{"bad domain name", map[string]any{"currency": "CHF", "items": []any{item("domain", "exa_mple.ch", "1y")}},
			422, "validation_failed", "items[0].name"},
		{"domain with www", map[string]any{"currency": "CHF", "items": []any{ok, item("domain", "www.example.ch", "1y")}},
			422, "validation_failed", "items[1].name"},
		{"currency not offered", map[string]any{"currency": "USD", "items": []any{ok}}, 422, "validation_failed", "currency"},
		{"no items", map[string]any{"currency": "CHF", "items": []any{}}, 422, "validation_failed", "items"},
		{"the same product twice", map[string]any{"currency": "CHF", "items": []any{ok, item("domain", "other.ch", "1y"), item("domain", "Fine.ch", "2y")}},
			409, "product_already_exists", "items[2].name"},
		{"unknown field", map[string]any{"currency": "CHF", "items": []any{ok}, "coupon": "FREE"}, 422, "validation_failed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := anna.post(t, "/orders", tc.body)
			if tc.attribute == "" {
				r.wantError(t, tc.status, tc.code)
			} else {
				r.wantError(t, tc.status, tc.code, tc.attribute)
			}
		})
	}
	if l := anna.get(t, "/orders").items(t); len(l) != 0 {
		t.Errorf("refused orders were made: %v", l)
	}

	// A product the organization has already.
	anna.order(t, "CHF", "domain taken.ch 1y")
	anna.post(t, "/orders", map[string]any{"currency": "EUR", "items": []any{ok, item("domain", "taken.ch", "2y")}}).
		wantError(t, http.StatusConflict, "product_already_exists", "items[1].name")
}

func ok2() map[string]string {
	return map[string]string{"type": "domain", "name": "fine2.ch", "period": "1y"}
}

// PRD-3: cancelling a pending order deletes its pending product; a paid
// or cancelled order is order_not_pending; one on a payment page
// payment_in_progress.
func TestPRD3_CancelOrder(t *testing.T) {
	t.Parallel()
	_, anna := billingSetup(t)
	o := anna.order(t, "CHF", "domain cancel.ch 1y")
	productID := o["items"].([]any)[0].(map[string]any)["product_id"].(string)
	d := anna.post(t, "/orders/"+o["id"].(string)+"/cancel", nil).wantStatus(t, http.StatusOK).data(t)
	if d["status"] != "cancelled" || d["cancelled_at"] == nil {
		t.Fatalf("cancel = %v", d)
	}
	anna.get(t, "/products/"+productID).wantError(t, http.StatusNotFound, "object_not_found")
	anna.post(t, "/orders/"+o["id"].(string)+"/cancel", nil).wantError(t, http.StatusConflict, "order_not_pending")
	if l := anna.get(t, "/orders?filter[status]=cancelled").ids(t); len(l) != 1 {
		t.Errorf("cancelled orders = %v", l)
	}

	onPage := anna.order(t, "CHF", "domain onpage.ch 1y")
	anna.pay(t, map[string]any{"items": []any{orderItem(onPage)}, "method": "card"}).wantStatus(t, http.StatusAccepted)
	anna.post(t, "/orders/"+onPage["id"].(string)+"/cancel", nil).wantError(t, http.StatusConflict, "payment_in_progress")
	anna.post(t, "/orders/00000000-0000-7000-8000-000000000000/cancel", nil).wantError(t, http.StatusNotFound, "object_not_found")
}

// BIL-1: the list to pay holds renewals due within two months by default,
// all of them with range=all; another range is refused.
func TestBIL1_DueRange(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	soon, err := b.products.Create(context.Background(), anna.org, "domain", "soon.ch", "2026-04-20")
	if err != nil {
		t.Fatal(err)
	}
	later, err := b.products.Create(context.Background(), anna.org, "domain", "later.ch", "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	due := anna.get(t, "/billing/due").wantStatus(t, http.StatusOK).items(t)
	if len(due) != 1 || due[0]["product_id"] != soon.ID || due[0]["kind"] != "renewal" || due[0]["status"] != "active" ||
		due[0]["period"] != "1y" || amount(due[0]["amount"]) != "16.22" {
		t.Fatalf("due (2m) = %v", due)
	}
	periods := due[0]["periods"].([]any)
	if p := periods[len(periods)-1].(map[string]any); len(periods) != 5 || p["period"] != "10y" || amount(p["net"]) != "150.00" ||
		amount(p["total"]) != "162.15" {
		t.Errorf("periods = %v", periods)
	}
	all := anna.get(t, "/billing/due?range=all").wantStatus(t, http.StatusOK).items(t)
	if len(all) != 2 || all[1]["product_id"] != later.ID {
		t.Errorf("due (all) = %v", all)
	}
	anna.get(t, "/billing/due?range=3m").wantError(t, http.StatusUnprocessableEntity, "validation_failed", "range")

	// BIL-3: renewing for another period moves the due date by it.
	visa := anna.card(t, "4242424242424242")
	d := anna.pay(t, map[string]any{"items": []any{map[string]any{"product_id": soon.ID, "period": "3y"}}, "payment_method_id": visa}).
		wantStatus(t, http.StatusCreated).data(t)
	if amount(d["invoice"].(map[string]any)["total"]) != "48.65" {
		t.Errorf("3 years of soon.ch = %v, want 45.00 + 3.65 VAT", d["invoice"].(map[string]any)["total"])
	}
	if p := anna.get(t, "/products/"+soon.ID).data(t); p["due_date"] != "2029-04-20" || p["period"] != "3y" {
		t.Errorf("renewed product: due %v, period %v; want 2029-04-20, 3y", p["due_date"], p["period"])
	}
	anna.pay(t, map[string]any{"items": []any{map[string]any{"product_id": later.ID, "period": "4y"}}, "payment_method_id": visa}).
		wantError(t, http.StatusUnprocessableEntity, "period_not_allowed", "items[0].period")
}

// BIL-2, BIL-4: every refusal of a payment, with its code.
func TestBIL2_PayRefusals(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	visa := anna.card(t, "4242424242424242")
	payWith := func(items ...any) map[string]any { return map[string]any{"items": items, "payment_method_id": visa} }

	t.Run("validation_failed", func(t *testing.T) {
		o := anna.order(t, "CHF", "domain valid.ch 1y")
		anna.pay(t, map[string]any{"items": []any{}, "method": "card"}).wantError(t, 422, "validation_failed", "items")
		anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "bitcoin"}).wantError(t, 422, "validation_failed", "method")
		anna.pay(t, map[string]any{"items": []any{orderItem(o)}}).wantError(t, 422, "validation_failed", "method")
		anna.pay(t, map[string]any{"items": []any{map[string]any{"order_id": o["id"], "product_id": o["id"]}}, "method": "card"}).
			wantError(t, 422, "validation_failed", "items")
		anna.pay(t, map[string]any{"items": []any{orderItem(o), orderItem(o)}, "method": "card"}).wantError(t, 422, "validation_failed")
		anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "card", "prepaid_amount": "5.001"}).
			wantError(t, 422, "validation_failed", "prepaid_amount")
		anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "card", "return_url": "https://evil.example/billing"}).
			wantError(t, 422, "validation_failed", "return_url")
		anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "card", "return_url": "http://127.0.0.1:8080@evil.example/"}).
			wantError(t, 422, "validation_failed", "return_url")
		anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "iban", "prepaid_amount": "1.00"}).
			wantError(t, 422, "validation_failed", "prepaid_amount")
	})
	t.Run("object_not_found", func(t *testing.T) {
		o := anna.order(t, "CHF", "domain found.ch 1y")
		anna.pay(t, payWith(orderItem(o), map[string]any{"order_id": "00000000-0000-7000-8000-000000000000"})).
			wantError(t, 404, "object_not_found", "items[1].order_id")
		anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "payment_method_id": "00000000-0000-7000-8000-000000000000"}).
			wantError(t, 404, "object_not_found", "payment_method_id")
	})
	t.Run("item_not_payable", func(t *testing.T) {
		o := anna.order(t, "CHF", "domain paid.ch 1y")
		anna.pay(t, payWith(orderItem(o))).wantStatus(t, http.StatusCreated)
		other := anna.order(t, "CHF", "domain unpaid.ch 1y")
		anna.pay(t, payWith(orderItem(other), orderItem(o))).wantError(t, 409, "item_not_payable", "items[1].order_id")
		if got := anna.get(t, "/orders/"+other["id"].(string)).data(t); got["status"] != "pending" {
			t.Errorf("the other order was paid: %v", got["status"])
		}
	})
	t.Run("payment_in_progress", func(t *testing.T) {
		o := anna.order(t, "CHF", "domain busy.ch 1y")
		anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "twint"}).wantStatus(t, http.StatusAccepted)
		anna.pay(t, payWith(orderItem(o))).wantError(t, 409, "payment_in_progress")
	})
	t.Run("currency_mismatch", func(t *testing.T) {
		chf := anna.order(t, "CHF", "domain franc.ch 1y")
		eur := anna.order(t, "EUR", "domain euro.ch 1y")
		anna.pay(t, payWith(orderItem(chf), orderItem(eur))).wantError(t, 422, "currency_mismatch")
	})
	t.Run("invoice_pay_alone", func(t *testing.T) {
		// A pro-forma is paid with other items: one invoice for all.
		o := anna.order(t, "CHF", "domain proforma.ch 1y")
		pf := anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "iban"}).wantStatus(t, http.StatusCreated).data(t)
		other := anna.order(t, "CHF", "domain alongside.ch 1y")
		d := anna.pay(t, payWith(map[string]any{"invoice_id": pf["invoice"].(map[string]any)["id"]}, orderItem(other))).
			wantStatus(t, http.StatusCreated).data(t)
		inv := d["invoice"].(map[string]any)
		if d["status"] != "succeeded" || inv["kind"] != "invoice" || len(inv["lines"].([]any)) != 2 || amount(inv["total"]) != "32.44" {
			t.Fatalf("paying a pro-forma and an order = %v", d)
		}
		// An invoice issued unpaid is paid alone. Nothing issues one unpaid
		// yet (payments issue it paid): mark this one unpaid to stand for it.
		if _, err := b.db.ExecContext(t.Context(), `UPDATE invoices SET status = 'unpaid', paid_minor = 0, paid_at = NULL
			WHERE id = $1`, inv["id"]); err != nil {
			t.Fatal(err)
		}
		third := anna.order(t, "CHF", "domain third.ch 1y")
		anna.pay(t, payWith(orderItem(third), map[string]any{"invoice_id": inv["id"]})).
			wantError(t, 422, "invoice_pay_alone", "items[1].invoice_id")
		d = anna.pay(t, payWith(map[string]any{"invoice_id": inv["id"]})).wantStatus(t, http.StatusCreated).data(t)
		if d["status"] != "succeeded" || d["invoice"].(map[string]any)["id"] != inv["id"] || d["invoice"].(map[string]any)["status"] != "paid" {
			t.Errorf("paying the invoice alone = %v", d)
		}
	})
	t.Run("prepaid_insufficient", func(t *testing.T) {
		o := anna.order(t, "CHF", "domain poor.ch 1y")
		body := payWith(orderItem(o))
		body["prepaid_amount"] = "5.00"
		anna.pay(t, body).wantError(t, 422, "prepaid_insufficient", "prepaid_amount")
	})
	t.Run("payment_method_not_allowed", func(t *testing.T) {
		o := anna.order(t, "EUR", "domain postfinance.ch 1y")
		anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "method": "postfinance"}).
			wantError(t, 422, "payment_method_not_allowed", "method")
	})
	for number, code := range map[string]string{"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"} {
		t.Run(code, func(t *testing.T) {
			card := anna.card(t, number)
			o := anna.order(t, "CHF", "domain "+strings.ReplaceAll(code, "_", "-")+".ch 1y")
			body := map[string]any{"items": []any{orderItem(o)}, "payment_method_id": card}
			anna.pay(t, body).wantError(t, http.StatusPaymentRequired, code)
			if got := anna.get(t, "/orders/"+o["id"].(string)).data(t); got["status"] != "pending" {
				t.Errorf("a declined order is %v", got["status"])
			}
			// A decline with a prepaid part leaves the balance untouched.
			anna.deposit(t, "5.00", "CHF", visa)
			before := amount(anna.get(t, "/prepaid").data(t)["accounts"].([]any)[0].(map[string]any)["balance"])
			body["prepaid_amount"] = "5.00"
			anna.pay(t, body).wantError(t, http.StatusPaymentRequired, code)
			acc := anna.get(t, "/prepaid").data(t)["accounts"].([]any)[0].(map[string]any)
			if amount(acc["balance"]) != before || amount(acc["reserved"]) != "0.00" {
				t.Errorf("after a decline: balance %v (was %s), reserved %v", acc["balance"], before, acc["reserved"])
			}
		})
	}
}

// BIL-4: a saved method products renew with cannot be removed; another
// can, and the default moves.
func TestBIL4_PaymentMethods(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	visa := anna.card(t, "4242424242424242")
	mc := anna.card(t, "5555555555554444")
	if ms := anna.get(t, "/payment_methods").items(t); len(ms) != 2 || ms[0]["id"] != visa || ms[0]["default"] != true ||
		ms[0]["label"] != "Visa •••• 4242" {
		t.Fatalf("methods = %v", ms)
	}
	d := anna.post(t, "/payment_methods/"+mc+"/default", nil).wantStatus(t, http.StatusOK).data(t)
	if d["id"] != mc || d["default"] != true {
		t.Fatalf("default = %v", d)
	}
	o := anna.order(t, "CHF", "domain renews.ch 1y")
	anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "payment_method_id": mc}).wantStatus(t, http.StatusCreated)
	productID := o["items"].([]any)[0].(map[string]any)["product_id"].(string)
	if _, err := b.renewal.SetAutoRenew(context.Background(), anna.userID, anna.org, []string{productID}, true, mc, anna.meta()); err != nil {
		t.Fatal(err)
	}
	e := b.do(t, http.MethodDelete, anna.path("/payment_methods/"+mc), anna.secret, nil).
		wantError(t, http.StatusConflict, "payment_method_in_use", "products")
	if v := strs(e["context"].(map[string]any)["values"]); len(v) != 1 || v[0] != "renews.ch" {
		t.Errorf("products named = %v", v)
	}
	b.do(t, http.MethodDelete, anna.path("/payment_methods/"+visa), anna.secret, nil).wantStatus(t, http.StatusNoContent)
	if ms := anna.get(t, "/payment_methods").items(t); len(ms) != 1 || ms[0]["id"] != mc {
		t.Errorf("methods after removal = %v", ms)
	}
	b.do(t, http.MethodDelete, anna.path("/payment_methods/"+visa), anna.secret, nil).wantError(t, http.StatusNotFound, "object_not_found")
	anna.post(t, "/payment_methods", map[string]string{"type": "card", "card_number": "1234567812345678"}).
		wantError(t, 422, "validation_failed", "card_number")
	anna.post(t, "/payment_methods", map[string]string{"type": "twint", "card_number": "4242424242424242"}).
		wantError(t, 422, "validation_failed", "type")
	anna.post(t, "/payment_methods", map[string]string{"type": "postfinance", "currency": "EUR"}).
		wantError(t, 422, "payment_method_not_allowed", "method")
}

// testCardless is a gateway without test cards: a real one.
type testCardless struct{ payment.Gateway }

// BIL-4: test card numbers are accepted only by the sandbox gateway.
func TestBIL4_TestCardsOnlyWithTheSandbox(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	d := b.s.d
	d.Billing = billing.New(b.db, b.clk, b.catalog, b.notifier, testCardless{b.gateway})
	s, err := build(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.mux)
	t.Cleanup(srv.Close)
	live := &customer{b: &bundle{srv: srv, s: s}, userID: anna.userID, secret: anna.secret, org: anna.org}
	live.post(t, "/payment_methods", map[string]string{"type": "card", "card_number": "4242424242424242"}).
		wantError(t, http.StatusUnprocessableEntity, "sandbox_only")
}

// BIL-5: a deposit is between 0.10 and 9999.00.
func TestBIL5_DepositRange(t *testing.T) {
	t.Parallel()
	_, anna := billingSetup(t)
	visa := anna.card(t, "4242424242424242")
	for _, a := range []string{"0.09", "9999.01", "0"} {
		e := anna.post(t, "/prepaid/deposits", map[string]string{"amount": a, "payment_method_id": visa}).
			wantError(t, http.StatusUnprocessableEntity, "deposit_out_of_range", "amount")
		if v := strs(e["context"].(map[string]any)["values"]); len(v) != 2 || v[0] != "0.10" || v[1] != "9999.00" {
			t.Errorf("%s: values = %v, want the range", a, v)
		}
	}
	for _, a := range []string{"0.10", "9999.00"} {
		anna.deposit(t, a, "CHF", visa)
	}
	acc := anna.get(t, "/prepaid").data(t)["accounts"].([]any)[0].(map[string]any)
	if amount(acc["balance"]) != "9999.10" || len(acc["entries"].([]any)) != 2 {
		t.Errorf("prepaid = %v", acc)
	}
	anna.post(t, "/prepaid/deposits", map[string]string{"amount": "12.345", "method": "card"}).
		wantError(t, http.StatusUnprocessableEntity, "validation_failed", "amount")
	anna.post(t, "/prepaid/deposits", map[string]string{"amount": "20.00", "currency": "EUR", "method": "postfinance"}).
		wantError(t, http.StatusUnprocessableEntity, "payment_method_not_allowed", "method")
	d := anna.post(t, "/prepaid/deposits", map[string]string{"amount": "20.00", "currency": "EUR", "method": "iban"}).
		wantStatus(t, http.StatusCreated).data(t)
	if d["status"] != "awaiting_transfer" || d["invoice"].(map[string]any)["kind"] != "proforma" || amount(d["invoice"].(map[string]any)["total"]) != "20.00" {
		t.Errorf("deposit by transfer = %v", d)
	}
	d = anna.post(t, "/prepaid/deposits", map[string]string{"amount": "20.00", "method": "card"}).wantStatus(t, http.StatusAccepted).data(t)
	if d["status"] != "requires_action" || d["redirect_url"] == "" {
		t.Errorf("deposit by card = %v", d)
	}
}

// ORG-8: billing is for legal representatives, administrators and
// collaborators with the billing right; other collaborators get
// billing_right_required on lists and actions and object_not_found on
// objects; strangers object_not_found everywhere.
func TestORG8_BillingRight(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	objects := b.billingObjects(t, anna.userID, anna.org)
	withRight, without, stranger := b.customer(t, "bill@example.ch"), b.customer(t, "carl@example.ch"), b.customer(t, "zed@example.ch")
	b.join(t, anna.org, withRight.userID, org.RoleCollaborator, true)
	b.join(t, anna.org, without.userID, org.RoleCollaborator, false)
	admin := b.customer(t, "adele@example.ch")
	b.join(t, anna.org, admin.userID, org.RoleAdministrator, false)
	for _, c := range []*customer{withRight, without, stranger, admin} {
		c.org = anna.org
	}

	lists := []string{"GET /orders", "GET /billing/due", "GET /invoices", "GET /payment_methods", "GET /prepaid",
		"POST /orders", "POST /billing/pay", "POST /payment_methods", "POST /prepaid/deposits",
		"DELETE /payment_methods/{payment_method}", "POST /payment_methods/{payment_method}/default",
		"POST /orders/{order}/cancel"}
	objectsRoutes := []string{"GET /orders/{order}", "GET /invoices/{invoice}", "GET /invoices/{invoice}/pdf", "GET /checkouts/{checkout}"}
	call := func(c *customer, route string) response {
		method, path, _ := strings.Cut(route, " ")
		path = paramRE.ReplaceAllStringFunc(path, func(m string) string { return objects[strings.Trim(m, "{}")] })
		var body any
		if raw, ok := billingIsolationBodies[method+" /organizations/{org}"+strings.TrimPrefix(route, method+" ")]; ok {
			body = raw
		}
		return c.b.do(t, method, c.path(path), c.secret, body)
	}
	for _, rt := range lists {
		call(without, rt).wantError(t, http.StatusForbidden, "billing_right_required")
		call(stranger, rt).wantError(t, http.StatusNotFound, "object_not_found")
	}
	for _, rt := range objectsRoutes {
		call(without, rt).wantError(t, http.StatusNotFound, "object_not_found")
		call(stranger, rt).wantError(t, http.StatusNotFound, "object_not_found")
		for _, c := range []*customer{withRight, admin, anna} {
			if r := call(c, rt); r.status != http.StatusOK {
				t.Errorf("%s by %s: %d %s", rt, c.userID, r.status, r.raw)
			}
		}
	}
	for _, c := range []*customer{withRight, admin} {
		if l := c.get(t, "/orders").wantStatus(t, http.StatusOK).items(t); len(l) != 3 {
			t.Errorf("orders seen with the right: %d, want 3", len(l))
		}
	}
	// The organization itself tells whether the caller sees billing.
	if o := without.b.do(t, http.MethodGet, "/api/1/organizations/"+anna.org, without.secret, nil).data(t); o["billing"] != false {
		t.Errorf("billing flag without the right = %v", o["billing"])
	}
}

// ORG-9: every billing route that names an object answers object_not_found
// for another organization's, with its organization's id or the caller's,
// and changes nothing. (TestORG9_EveryRouteHidesForeignObjects walks every
// route; this one makes the billing objects it needs.)
func TestORG9_BillingRoutesHideForeignObjects(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	b.billingObjects(t, anna.userID, anna.org)
	zoe := b.customer(t, "zoe@example.ch")
	theirs := b.billingObjects(t, zoe.userID, zoe.org)
	walked := 0
	for _, rt := range b.s.routes {
		params := paramRE.FindAllStringSubmatch(rt.Path, -1)
		if !strings.HasPrefix(rt.Path, "/organizations/{org}/") || len(params) < 2 {
			continue
		}
		key := rt.Method + " " + rt.Path
		billingRoute := false
		for _, p := range params[1:] {
			if _, ok := theirs[p[1]]; ok {
				billingRoute = true
			}
		}
		if !billingRoute {
			continue
		}
		walked++
		for _, orgID := range []string{zoe.org, anna.org} {
			sub := map[string]string{"org": orgID}
			for k, v := range theirs {
				sub[k] = v
			}
			p := paramRE.ReplaceAllStringFunc(rt.versionedPath(), func(m string) string { return sub[strings.Trim(m, "{}")] })
			var body any
			if rt.hasBody {
				body = billingIsolationBodies[key]
			}
			b.do(t, rt.Method, "/api"+p, anna.secret, body).wantError(t, http.StatusNotFound, "object_not_found")
		}
	}
	if walked < 7 {
		t.Errorf("only %d billing routes walked", walked)
	}
	// Nothing of theirs changed.
	if o := zoe.get(t, "/orders/"+theirs["order"]).data(t); o["status"] != "pending" {
		t.Errorf("their order = %v", o["status"])
	}
	if ms := zoe.get(t, "/payment_methods").items(t); len(ms) != 1 || ms[0]["id"] != theirs["payment_method"] {
		t.Errorf("their methods = %v", ms)
	}
	if c := zoe.get(t, "/checkouts/"+theirs["checkout"]).data(t); c["status"] != "requires_action" {
		t.Errorf("their checkout = %v", c["status"])
	}
}
