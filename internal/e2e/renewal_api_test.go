package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/calendar"
)

type apiProduct struct {
	ID              string  `json:"id"`
	Status          string  `json:"status"`
	DueDate         *string `json:"due_date"`
	AutoRenew       bool    `json:"auto_renew"`
	PaymentMethodID *string `json:"payment_method_id"`
}

type apiInvoice struct {
	ID     string `json:"id"`
	Number string `json:"number"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
}

// renewalCustomer is a customer of a running server with a saved test card,
// seen through the API.
type renewalCustomer struct {
	t     *testing.T
	srv   *server
	token string
	org   string
	email string
}

func (c *renewalCustomer) path(p string) string { return "/api/1/organizations/" + c.org + p }

func (c *renewalCustomer) must(method, path string, body any, out any, want int) {
	c.t.Helper()
	var raw json.RawMessage
	code := c.srv.call(method, c.path(path), c.token, body, &raw)
	if code != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, code, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

func (c *renewalCustomer) card(number string) string {
	c.t.Helper()
	var pm envelope[struct {
		PaymentMethod struct {
			ID string `json:"id"`
		} `json:"payment_method"`
	}]
	c.must("POST", "/payment_methods", map[string]string{"type": "card", "card_number": number}, &pm, 201)
	if pm.Data.PaymentMethod.ID == "" {
		c.t.Fatalf("test card %s: no payment method in %+v", number, pm)
	}
	return pm.Data.PaymentMethod.ID
}

// order orders a .ch domain for a year and pays it with a saved card.
func (c *renewalCustomer) order(name, pm string) string {
	c.t.Helper()
	var o envelope[struct {
		ID    string `json:"id"`
		Items []struct {
			ProductID string `json:"product_id"`
		} `json:"items"`
	}]
	c.must("POST", "/orders", map[string]any{"currency": "CHF",
		"items": []map[string]string{{"type": "domain", "name": name, "period": "1y"}}}, &o, 201)
	var paid envelope[struct {
		Status string `json:"status"`
	}]
	c.must("POST", "/billing/pay", map[string]any{"items": []map[string]string{{"order_id": o.Data.ID}},
		"payment_method_id": pm}, &paid, 201)
	if paid.Data.Status != "succeeded" {
		c.t.Fatalf("paying %s: %+v", name, paid.Data)
	}
	return o.Data.Items[0].ProductID
}

func (c *renewalCustomer) product(id string) apiProduct {
	c.t.Helper()
	var p envelope[apiProduct]
	c.must("GET", "/products/"+id, nil, &p, 200)
	return p.Data
}

func (c *renewalCustomer) invoices() []apiInvoice {
	c.t.Helper()
	var l envelope[[]apiInvoice]
	c.must("GET", "/invoices?per_page=100", nil, &l, 200)
	return l.Data
}

func (c *renewalCustomer) mails() []string {
	c.t.Helper()
	var out envelope[[]struct {
		Subject string `json:"subject"`
	}]
	c.srv.call("GET", "/api/1/_dev/outbox?recipient="+url.QueryEscape(c.email), "", nil, &out)
	subjects := make([]string, len(out.Data))
	for i, m := range out.Data {
		subjects[i] = m.Subject
	}
	return subjects
}

// advanceTo moves the test clock to the start of day d (the catalog's time
// zone is Europe/Zurich) and waits for the sweeps it makes due.
func advanceTo(t *testing.T, srv *server, d calendar.Date) {
	t.Helper()
	var now envelope[clockState]
	srv.call("GET", "/api/1/_dev/clock", "", nil, &now)
	zurich, _ := time.LoadLocation("Europe/Zurich")
	target := d.Start(zurich).Add(3 * time.Hour) // 03:00: one calendar day whatever the offset
	step := target.Sub(now.Data.Now).Round(time.Minute)
	if step <= 0 {
		t.Fatalf("the clock is at %v, past %s", now.Data.Now, d)
	}
	var after envelope[clockState]
	if code := srv.call("POST", "/api/1/_dev/clock", "", map[string]string{"advance": fmt.Sprintf("%dm", int(step.Minutes()))}, &after); code != 200 {
		t.Fatalf("advancing the test clock to %s: %d %+v", d, code, after)
	}
}

// REN-1, REN-3, REN-5, REN-6, BIL-7 through the API of a running server on
// the test clock: a product paid by card renews itself once, 14 days before
// its due date and not a day earlier; one whose card declines is retried,
// blocked the day after its due date, and unblocked at once by a payment by
// hand, its due date moved from the old one.
func TestREN3_RenewalsThroughTheAPIOnTheTestClock(t *testing.T) {
	t.Parallel()
	for engine, flags := range databaseFlags(t) {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			mustCLI(t, append([]string{"catalog", "import", "../demo/catalog.yaml"}, flags...)...)
			email := "renew-" + engine + "@example.ch"
			mustCLI(t, append([]string{"user", "create", "--email", email, "--password", "renewals 2026 ok",
				"--first-name", "Rita", "--last-name", "Renew"}, flags...)...)
			token := mustCLI(t, append([]string{"token", "create", "--email", email, "--name", "renewals"}, flags...)...)
			srv := startServer(t, append([]string{"--dev"}, flags...)...)
			var orgs envelope[[]organization]
			if code := srv.call("GET", "/api/1/organizations", token, nil, &orgs); code != 200 || len(orgs.Data) != 1 {
				t.Fatalf("organizations: %d %+v", code, orgs)
			}
			c := &renewalCustomer{t: t, srv: srv, token: token, org: orgs.Data[0].ID, email: email}

			visa := c.card("4242424242424242")
			renews := c.order("renews-itself.ch", visa)
			failing := c.order("card-declines.ch", visa)
			first := c.product(renews)
			if !first.AutoRenew || first.PaymentMethodID == nil || *first.PaymentMethodID != visa || first.DueDate == nil {
				t.Fatalf("REN-1: paid by card, the product should renew itself with that card: %+v", first)
			}
			declining := c.card("4000000000000002")
			c.must("PATCH", "/products/"+failing, map[string]any{"auto_renew": true, "payment_method_id": declining}, nil, 200)
			due, err := calendar.Parse(*first.DueDate)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(c.invoices()); n != 2 {
				t.Fatalf("%d invoices after the two orders", n)
			}

			advanceTo(t, srv, due.AddDays(-15))
			if n := len(c.invoices()); n != 2 {
				t.Fatalf("D-15: %d invoices, want no renewal yet", n)
			}
			advanceTo(t, srv, due.AddDays(-14))
			renewed := c.product(renews)
			if want := due.AddMonths(12).String(); renewed.DueDate == nil || *renewed.DueDate != want || renewed.Status != "active" {
				t.Fatalf("D-14: the product paid by Visa is %+v, want active and due on %s", renewed, want)
			}
			if n := len(c.invoices()); n != 3 {
				t.Fatalf("D-14: %d invoices, want the two orders and one renewal", n)
			}
			if p := c.product(failing); *p.DueDate != due.String() || p.Status != "active" {
				t.Fatalf("D-14: the declined product is %+v", p)
			}
			failed := 0
			for _, s := range c.mails() {
				if strings.Contains(strings.ToLower(s), "card-declines.ch") {
					failed++
				}
			}
			if failed == 0 {
				t.Errorf("D-14: no e-mail about card-declines.ch; outbox: %v", c.mails())
			}

			advanceTo(t, srv, due.AddDays(-13))
			if n := len(c.invoices()); n != 3 {
				t.Fatalf("D-13: %d invoices: a sweep on the next day must not renew again", n)
			}
			advanceTo(t, srv, due.AddDays(-2)) // the block is announced (BIL-7)
			advanceTo(t, srv, due.AddDays(1))
			if p := c.product(failing); p.Status != "blocked" {
				t.Fatalf("D+1: the product whose card declines is %s, want blocked (BIL-7)", p.Status)
			}
			var paid envelope[struct {
				Status string `json:"status"`
			}]
			c.must("POST", "/billing/pay", map[string]any{"items": []map[string]string{{"product_id": failing, "period": "1y"}},
				"payment_method_id": visa}, &paid, 201)
			p := c.product(failing)
			if want := due.AddMonths(12).String(); p.Status != "active" || p.DueDate == nil || *p.DueDate != want {
				t.Fatalf("paid by hand: %+v, want active at once and due on %s", p, want)
			}
			if n := len(c.invoices()); n != 4 {
				t.Fatalf("after paying by hand: %d invoices, want 4", n)
			}
			srv.stop()
		})
	}
}
