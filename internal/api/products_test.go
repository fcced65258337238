package api

import (
	"net/http"
	"testing"
)

// PRD-2: a product shows its plan, period, currency and price from the
// catalog, its auto-renewal and the method it renews with; a product made
// by the operator shows nulls.
func TestPRD2_ProductShowsBillingFields(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	visa := anna.card(t, "4242424242424242")
	o := anna.order(t, "EUR", "domain prix.ch 5y")
	productID := o["items"].([]any)[0].(map[string]any)["product_id"].(string)
	anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "payment_method_id": visa}).wantStatus(t, http.StatusCreated)
	if _, err := b.renewal.SetAutoRenew(t.Context(), anna.userID, anna.org, []string{productID}, true, visa, anna.meta()); err != nil {
		t.Fatal(err)
	}
	operator := b.product(t, anna.org, "web_hosting", "anna.example")

	list := anna.get(t, "/products").wantStatus(t, http.StatusOK).items(t)
	byID := map[string]map[string]any{}
	for _, p := range list {
		byID[p["id"].(string)] = p
	}
	p := byID[productID]
	price, _ := p["price"].(map[string]any)
	if p["plan"] != ".ch" || p["period"] != "5y" || p["currency"] != "EUR" || price["amount"] != "80.00" || price["currency"] != "EUR" ||
		p["auto_renew"] != true || p["payment_method_id"] != visa || p["due_date"] != "2031-03-02" {
		t.Errorf("ordered product = %v", p)
	}
	op := byID[operator]
	for _, k := range []string{"plan", "period", "currency", "price", "payment_method_id"} {
		if v, ok := op[k]; !ok || v != nil {
			t.Errorf("operator's product: %s = %v, want null", k, v)
		}
	}
	if op["auto_renew"] != false {
		t.Errorf("operator's product: auto_renew = %v", op["auto_renew"])
	}
}
