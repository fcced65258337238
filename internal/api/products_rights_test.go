package api

import (
	"net/http"
	"testing"
)

// ORG-8: a product reached without the billing right shows no price and no
// payment method; with the billing right (the legal representative, a
// collaborator who has it) they are shown.
func TestORG8_ProductJSONHidesPriceWithoutBillingRight(t *testing.T) {
	t.Parallel()
	b, anna := billingSetup(t)
	o := anna.order(t, "CHF", "domain muster.ch 1y")
	pid := o["items"].([]any)[0].(map[string]any)["product_id"].(string)
	visa := anna.card(t, "4242424242424242")
	anna.pay(t, map[string]any{"items": []any{orderItem(o)}, "payment_method_id": visa}).wantStatus(t, http.StatusCreated)

	cleoID, cleo := b.user(t, "cleo@example.ch")
	b.join(t, anna.org, cleoID, "collaborator", false, pid)
	piaID, pia := b.user(t, "pia@example.ch")
	b.join(t, anna.org, piaID, "collaborator", true, pid)

	// The legal representative.
	p := anna.get(t, "/products/"+pid).wantStatus(t, http.StatusOK).data(t)
	if amount(p["price"]) != "15.00" || p["payment_method_id"] != visa || p["auto_renew"] != true {
		t.Fatalf("the legal representative's product = %v", p)
	}

	// The collaborator without the billing right: one product and the list.
	p = b.do(t, http.MethodGet, anna.path("/products/"+pid), cleo, nil).wantStatus(t, http.StatusOK).data(t)
	if v, ok := p["price"]; !ok || v != nil {
		t.Errorf("price = %v (present %v), want null", v, ok)
	}
	if v, ok := p["payment_method_id"]; !ok || v != nil {
		t.Errorf("payment_method_id = %v (present %v), want null", v, ok)
	}
	if p["id"] != pid || p["name"] != "muster.ch" || p["status"] != "active" || p["due_date"] != "2027-03-02" {
		t.Errorf("the collaborator's product = %v", p)
	}
	list := b.do(t, http.MethodGet, anna.path("/products"), cleo, nil).wantStatus(t, http.StatusOK).items(t)
	if len(list) != 1 || list[0]["id"] != pid || list[0]["price"] != nil || list[0]["payment_method_id"] != nil {
		t.Errorf("the collaborator's list = %v", list)
	}

	// A collaborator with the billing right.
	p = b.do(t, http.MethodGet, anna.path("/products/"+pid), pia, nil).wantStatus(t, http.StatusOK).data(t)
	if amount(p["price"]) != "15.00" || p["payment_method_id"] != visa {
		t.Errorf("the collaborator with the billing right's product = %v", p)
	}
}
