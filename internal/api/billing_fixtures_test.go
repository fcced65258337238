package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
)

// Fixtures for the billing API tests: the demo catalog, a customer with her
// organization, and the sandbox's hosted pages.

// importDemoCatalog imports internal/demo/catalog.yaml, as `serve --demo`
// does: .ch domains 15.00 CHF a year up to 10 years, Swiss VAT 8.1 %.
func (b *bundle) importDemoCatalog(t *testing.T) {
	t.Helper()
	f, err := os.Open("../demo/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := catalog.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.catalog.Import(context.Background(), c, "catalog.yaml", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
}

// customer is a person with the token of her own organization, where she
// is the legal representative (so she has the billing right).
type customer struct {
	b      *bundle
	userID string
	secret string
	org    string
}

// billingSetup starts an API with the demo catalog and one customer.
func billingSetup(t *testing.T) (*bundle, *customer) {
	t.Helper()
	b := setup(t, opts{rateLimit: 1_000_000})
	b.importDemoCatalog(t)
	return b, b.customer(t, "anna@example.ch")
}

// customer signs up email and returns her with her own organization.
func (b *bundle) customer(t *testing.T, email string) *customer {
	t.Helper()
	userID, secret := b.user(t, email)
	return &customer{b: b, userID: userID, secret: secret, org: b.ownOrganization(t, userID)}
}

// path is /api/1/organizations/{org}/rest.
func (c *customer) path(rest string) string { return "/api/1/organizations/" + c.org + rest }

func (c *customer) get(t *testing.T, rest string) response {
	t.Helper()
	return c.b.do(t, http.MethodGet, c.path(rest), c.secret, nil)
}

func (c *customer) post(t *testing.T, rest string, body any, headers ...string) response {
	t.Helper()
	return c.b.do(t, http.MethodPost, c.path(rest), c.secret, body, headers...)
}

// order orders one product per "type name period" triple in currency and
// returns the order.
func (c *customer) order(t *testing.T, currency string, items ...string) map[string]any {
	t.Helper()
	var list []map[string]string
	for _, it := range items {
		f := strings.Fields(it)
		list = append(list, map[string]string{"type": f[0], "name": f[1], "period": f[2]})
	}
	return c.post(t, "/orders", map[string]any{"currency": currency, "items": list}).wantStatus(t, http.StatusCreated).data(t)
}

// card saves a sandbox test card and returns its id.
func (c *customer) card(t *testing.T, number string) string {
	t.Helper()
	d := c.post(t, "/payment_methods", map[string]string{"type": "card", "card_number": number}).
		wantStatus(t, http.StatusCreated).data(t)
	return d["payment_method"].(map[string]any)["id"].(string)
}

// deposit credits the prepaid account with a saved card.
func (c *customer) deposit(t *testing.T, amount, currency, cardID string) map[string]any {
	t.Helper()
	return c.post(t, "/prepaid/deposits", map[string]string{"amount": amount, "currency": currency, "payment_method_id": cardID}).
		wantStatus(t, http.StatusCreated).data(t)
}

// pay pays the selection and returns the answer.
func (c *customer) pay(t *testing.T, body map[string]any, headers ...string) response {
	t.Helper()
	return c.post(t, "/billing/pay", body, headers...)
}

// orderItem is {"order_id": id} for a selection.
func orderItem(order map[string]any) map[string]any { return map[string]any{"order_id": order["id"]} }

// amount returns the "amount" of a MoneyJSON object.
func amount(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["amount"].(string)
	return s
}

// sandboxPages serves the sandbox's hosted checkout pages as the app
// does (under /sandbox/, behind cross-origin protection), for a customer
// who goes through them.
type sandboxPages struct {
	srv    *httptest.Server
	client *http.Client
}

func (b *bundle) sandboxPages(t *testing.T) *sandboxPages {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/sandbox/", b.gateway.Handler())
	srv := httptest.NewServer(http.NewCrossOriginProtection().Handler(mux))
	t.Cleanup(srv.Close)
	return &sandboxPages{srv: srv, client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// payByCard submits the card form of the page at redirectURL (a path) and
// returns where the page sends the customer back.
func (p *sandboxPages) payByCard(t *testing.T, redirectURL, number string) string {
	t.Helper()
	page, err := p.client.Get(p.srv.URL + redirectURL)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		t.Fatalf("payment page %s: %d", redirectURL, page.StatusCode)
	}
	form := url.Values{"number": {number}, "expiry": {"12/30"}, "cvc": {"123"}, "name": {"Anna Muster"}}
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+redirectURL+"/pay", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", p.srv.URL)
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submitting the card form: %d, want 303", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// meta is the audit trail of a change the customer makes through a service.
func (c *customer) meta() audit.Meta { return audit.Meta{ActorID: c.userID} }

// billingObjects makes one billing object of each kind in orgID, as
// userID (its legal representative), and returns their ids by the path
// parameter that names them: a pending order, a pro-forma invoice, a
// payment attempt waiting on its payment page and a saved card. It imports
// the demo catalog when there is none.
func (b *bundle) billingObjects(t *testing.T, userID, orgID string) map[string]string {
	t.Helper()
	ctx := context.Background()
	if _, err := b.catalog.Current(ctx); errors.Is(err, catalog.ErrEmpty) {
		b.importDemoCatalog(t)
	}
	meta := audit.Meta{ActorID: userID}
	order := func(name string) billing.Order {
		o, err := b.billing.CreateOrder(ctx, userID, orgID, "CHF", []billing.OrderItem{{Type: "domain", Name: name, Period: "1y"}}, meta)
		if err != nil {
			t.Fatalf("ordering %s: %v", name, err)
		}
		return o
	}
	pending := order("objects-pending-" + orgID[len(orgID)-6:] + ".ch")
	transfer, err := b.billing.Pay(ctx, userID, orgID, billing.PayInput{
		Items: []billing.PayItem{{OrderID: order("objects-transfer-" + orgID[len(orgID)-6:] + ".ch").ID}}, Method: billing.MethodIBAN}, meta)
	if err != nil || transfer.Invoice == nil {
		t.Fatalf("paying by transfer: %+v, %v", transfer, err)
	}
	page, err := b.billing.Pay(ctx, userID, orgID, billing.PayInput{
		Items: []billing.PayItem{{OrderID: order("objects-page-" + orgID[len(orgID)-6:] + ".ch").ID}}, Method: billing.MethodCard,
		ReturnURL: "http://127.0.0.1:8080/billing/return", CancelURL: "http://127.0.0.1:8080/billing/return"}, meta)
	if err != nil || page.Status != billing.StatusRequiresAction {
		t.Fatalf("opening a payment page: %+v, %v", page, err)
	}
	card, err := b.billing.AddTestCard(ctx, userID, orgID, "4242424242424242", meta)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"order": pending.ID, "invoice": transfer.Invoice.ID, "checkout": page.CheckoutID,
		"payment_method": card.ID}
}

// billingIsolationBodies are valid bodies of the billing routes that take
// one, so that the isolation walk reaches the handler (Huma validates the
// body before it).
var billingIsolationBodies = map[string]string{
	"POST /organizations/{org}/orders":           `{"currency":"CHF","items":[{"type":"domain","name":"isolation.ch"}]}`,
	"POST /organizations/{org}/billing/pay":      `{"items":[{"order_id":"00000000-0000-7000-8000-000000000000"}],"method":"card"}`,
	"POST /organizations/{org}/payment_methods":  `{"type":"card","card_number":"4242424242424242"}`,
	"POST /organizations/{org}/prepaid/deposits": `{"amount":"10.00","method":"card"}`,
}

// cancel presses Cancel on the page at redirectURL and returns where the
// page sends the customer back.
func (p *sandboxPages) cancel(t *testing.T, redirectURL string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+redirectURL+"/cancel", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", p.srv.URL)
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancelling on the page: %d, want 303", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}
