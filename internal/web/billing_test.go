package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/payment/sandbox"
)

// billingStart is where the clock of the billing tests stands. Session
// cookies expire by the test clock while browsers (and cookie jars) drop
// cookies that expired by the wall clock: the test clock must not be
// behind the wall clock.
var billingStart = time.Date(2030, 11, 22, 9, 0, 0, 0, time.UTC)

// billingSetup is setup with the clock at billingStart and the demo
// catalog imported.
func billingSetup(t testing.TB) *testBundle {
	t.Helper()
	b := setup(t)
	if now := b.clock.Now(); now.Before(billingStart) {
		b.clock.Advance(billingStart.Sub(now))
	}
	b.importCatalog()
	return b
}

// importCatalog imports the demo provider's catalog (internal/demo), which
// the billing domain prices everything from.
func (b *testBundle) importCatalog() {
	b.t.Helper()
	f, err := os.Open("../demo/catalog.yaml")
	if err != nil {
		b.t.Fatal(err)
	}
	defer f.Close()
	c, err := catalog.Parse(f)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.catalog.Import(context.Background(), c, "catalog.yaml", audit.Meta{}); err != nil {
		b.t.Fatal(err)
	}
}

// order orders one item for orgID in CHF as userID.
func (b *testBundle) order(userID, orgID, typ, plan, name, period string) billing.Order {
	b.t.Helper()
	o, err := b.billing.CreateOrder(context.Background(), userID, orgID, "CHF",
		[]billing.OrderItem{{Type: typ, Plan: plan, Name: name, Period: period}}, audit.Meta{ActorID: userID})
	if err != nil {
		b.t.Fatalf("CreateOrder(%s): %v", name, err)
	}
	return o
}

// testCard saves a sandbox test card for orgID.
func (b *testBundle) testCard(userID, orgID, number string) billing.PaymentMethod {
	b.t.Helper()
	pm, err := b.billing.AddTestCard(context.Background(), userID, orgID, number, audit.Meta{ActorID: userID})
	if err != nil {
		b.t.Fatalf("AddTestCard(%s): %v", number, err)
	}
	return pm
}

// billingPost posts a form of a Billing page, with the organization it was
// drawn for.
func (br *browser) billingPost(path string, form url.Values) response {
	br.t.Helper()
	form = cloneValues(form)
	form.Set("organization_id", br.organization())
	return br.do(http.MethodPost, path, form)
}

func chf(s string) money.Amount {
	a, err := money.Parse(s, "CHF")
	if err != nil {
		panic(err)
	}
	return a
}

// checkbox finds the checkbox of a "to pay" item and reports whether it is ticked.
func checkbox(t *testing.T, body, key string) (found, ticked bool) {
	t.Helper()
	m := regexp.MustCompile(`<input type="checkbox" name="item" value="` + regexp.QuoteMeta(key) + `"[^>]*>`).FindString(body)
	return m != "", strings.Contains(m, " checked")
}

func TestBIL1_OrderFormThenToPayWithTheOrderSelected(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	b.person("ada@example.ch", "Ada", "Muster", "en")
	br := b.browser()
	br.signIn("ada@example.ch")

	form := br.get("/billing/order?type=domain&currency=CHF")
	if form.status != http.StatusOK {
		t.Fatalf("order form: %d", form.status)
	}
	mustContain(t, form.body, `value=".ch|1y"`, `value=".ch|10y"`, "CHF\u00a016.22", "incl. VAT")

	bad := br.billingPost("/billing/order", url.Values{"type": {"domain"}, "currency": {"CHF"}, "choice": {".ch|1y"},
		"name": {"www.muster"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="domain_name"`) ||
		!strings.Contains(bad.body, "letters, digits and hyphens, no www") {
		t.Fatalf("a bad domain name: %d\n%.2000s", bad.status, element(bad.body, "form", `action="/billing/order"`))
	}

	r := br.billingPost("/billing/order", url.Values{"type": {"domain"}, "currency": {"CHF"}, "choice": {".ch|1y"},
		"name": {"muster"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/billing?ordered=1&selected=order:") {
		t.Fatalf("order: %d to %q\n%s", r.status, r.location, r.body)
	}
	due := br.get(r.location)
	key := strings.TrimPrefix(r.location, "/billing?ordered=1&selected=")
	if found, ticked := checkbox(t, due.body, key); !found || !ticked {
		t.Fatalf("the new order is not ticked on the list (found %v)", found)
	}
	mustContain(t, due.body, "muster.ch", "data-testid=\"selection-total\">CHF\u00a016.22", "Your order is placed")

	// Another organization's member sees nothing of it.
	b.person("eve@example.ch", "Eve", "Other", "en")
	eve := b.browser()
	eve.signIn("eve@example.ch")
	if r := eve.get("/billing/orders/" + strings.TrimPrefix(key, "order:")); r.status != http.StatusNotFound {
		t.Errorf("another organization's order: %d, want 404", r.status)
	}
}

func TestBIL4_DeclinedCardKeepsTheSelection(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	ord := b.order(u.ID, o.ID, "domain", "", "muster.ch", "1y")
	other := b.order(u.ID, o.ID, "domain", "", "muster.li", "1y")
	pm := b.testCard(u.ID, o.ID, sandbox.CardDeclined)
	br := b.browser()
	br.signIn(u.Email)

	r := br.billingPost("/billing/pay", url.Values{"item": {"order:" + ord.ID}, "method": {"pm:" + pm.ID}, "key": {"k1"}})
	if r.status != http.StatusPaymentRequired {
		t.Fatalf("declined card: %d, want 402\n%.3000s", r.status, r.body)
	}
	mustContain(t, r.body, "The card was declined by its bank")
	if _, ticked := checkbox(t, r.body, "order:"+ord.ID); !ticked {
		t.Error("the declined selection is not kept")
	}
	if _, ticked := checkbox(t, r.body, "order:"+other.ID); ticked {
		t.Error("an item that was not selected is ticked")
	}
	if !strings.Contains(r.body, `value="pm:`+pm.ID+`" checked`) {
		t.Error("the method chosen is not kept")
	}
	got, err := b.billing.GetOrder(context.Background(), u.ID, o.ID, ord.ID)
	if err != nil || got.Status != "pending" {
		t.Fatalf("order after the decline: %+v, %v", got.Status, err)
	}

	// Nothing selected: the form says so.
	r = br.billingPost("/billing/pay", url.Values{"method": {"card"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Select at least one item to pay.") {
		t.Errorf("empty selection: %d", r.status)
	}
}

func TestBIL4_DeclinedOnThePaymentPageShownBackOnTheList(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	ord := b.order(u.ID, o.ID, "domain", "", "muster.ch", "1y")
	br := b.browser()
	br.signIn(u.Email)

	r := br.billingPost("/billing/pay", url.Values{"item": {"order:" + ord.ID}, "method": {"card"}, "key": {"k1"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sandbox/checkout/") {
		t.Fatalf("pay by card: %d to %q\n%.2000s", r.status, r.location, r.body)
	}
	page := br.do(http.MethodPost, r.location+"/pay", url.Values{"number": {sandbox.CardDeclined}, "expiry": {"12/30"},
		"cvc": {"123"}, "name": {"Ada Muster"}})
	if page.status != http.StatusSeeOther || !strings.HasPrefix(page.location, "/billing/return?") ||
		!strings.Contains(page.location, "for=pay") {
		t.Fatalf("sandbox page: %d to %q", page.status, page.location)
	}
	back := br.get(page.location)
	if back.status != http.StatusSeeOther || back.location != "/billing?failed=card_declined" {
		t.Fatalf("return: %d to %q", back.status, back.location)
	}
	list := br.get(back.location)
	mustContain(t, list.body, "The card was declined by its bank", "muster.ch")
}

func TestORG9_BillingObjectsOfAnotherOrganizationAreNotFound(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	ord := b.order(u.ID, o.ID, "domain", "", "muster.ch", "1y")
	res, err := b.billing.Pay(context.Background(), u.ID, o.ID, billing.PayInput{Items: []billing.PayItem{{OrderID: ord.ID}},
		Method: "iban"}, audit.Meta{})
	if err != nil || res.Invoice == nil {
		t.Fatalf("pay by transfer: %+v, %v", res, err)
	}
	pm := b.testCard(u.ID, o.ID, sandbox.CardVisa)
	b.person("eve@example.ch", "Eve", "Other", "en")
	eve := b.browser()
	eve.signIn("eve@example.ch")
	for _, path := range []string{"/billing/invoices/" + res.Invoice.ID, "/billing/invoices/" + res.Invoice.ID + "/pdf",
		"/billing/orders/" + ord.ID} {
		if r := eve.get(path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
	for _, path := range []string{"/billing/orders/" + ord.ID + "/cancel", "/billing/methods/" + pm.ID + "/remove",
		"/billing/methods/" + pm.ID + "/default"} {
		if r := eve.billingPost(path, url.Values{}); r.status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, r.status)
		}
	}
	if r := eve.billingPost("/billing/pay", url.Values{"item": {"order:" + ord.ID}, "method": {"card"}}); r.status != http.StatusNotFound {
		t.Errorf("paying another organization's order: %d, want 404", r.status)
	}
	// The owner still sees them.
	br := b.browser()
	br.signIn(u.Email)
	if r := br.get("/billing/invoices/" + res.Invoice.ID); r.status != http.StatusOK || !strings.Contains(r.body, res.Invoice.Number) {
		t.Errorf("own pro-forma: %d", r.status)
	}
	pdf := br.get("/billing/invoices/" + res.Invoice.ID + "/pdf")
	if pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") ||
		pdf.header.Get("Content-Disposition") != `attachment; filename="proforma-`+res.Invoice.Number+`.pdf"` {
		t.Errorf("own PDF: %d %q", pdf.status, pdf.header.Get("Content-Disposition"))
	}
}

func TestORG8_BillingNeedsTheBillingRight(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	_, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	carl, _ := b.person("carl@example.ch", "Carl", "Keller", "en")
	b.join(o.ID, carl.ID, org.RoleCollaborator)
	br := b.browser()
	br.signIn(carl.Email)
	br.switchTo(o.ID)

	home := br.get("/")
	nav := element(home.body, "ul", `data-testid="nav-billing"`)
	if !strings.Contains(nav, `data-testid="nav-billing-disabled"`) || strings.Contains(nav, `href="/billing"`) ||
		!strings.Contains(nav, "Billing is visible only with the billing right") {
		t.Errorf("the Billing entry of a collaborator without the right:\n%s", nav)
	}
	for _, path := range []string{"/billing", "/billing/orders", "/billing/invoices", "/billing/methods", "/billing/prepaid", "/billing/order"} {
		r := br.get(path)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "Billing is visible only with the billing right") {
			t.Errorf("GET %s without the billing right: %d", path, r.status)
		}
	}

	// With the right, the links are there.
	if _, err := b.orgs.UpdateMember(context.Background(), mustUserID(t, b, "ada@example.ch"), o.ID, carl.ID,
		org.MemberUpdate{Billing: ptr(true)}, audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	home = br.get("/")
	nav = element(home.body, "ul", `data-testid="nav-billing"`)
	mustContain(t, nav, `href="/billing"`, `href="/billing/orders"`, `href="/billing/invoices"`, `href="/billing/methods"`, `href="/billing/prepaid"`)
	if r := br.get("/billing"); r.status != http.StatusOK {
		t.Errorf("GET /billing with the billing right: %d", r.status)
	}
}

func ptr[T any](v T) *T { return &v }

func mustUserID(t *testing.T, b *testBundle, email string) string {
	t.Helper()
	u, err := b.accounts.GetByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func TestBIL5_DepositOutOfRangeShownOnTheAmount(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	pm := b.testCard(u.ID, o.ID, sandbox.CardVisa)
	br := b.browser()
	br.signIn(u.Email)
	r := br.billingPost("/billing/prepaid/deposit", url.Values{"amount": {"10000"}, "currency": {"CHF"}, "method": {"pm:" + pm.ID}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("deposit of 10000: %d", r.status)
	}
	errText := element(r.body, "p", `data-testid="amount-error"`)
	if !strings.Contains(errText, "between 0.10 and 9999.00") || !strings.Contains(r.body, `value="10000"`) {
		t.Errorf("the refusal is not on the amount field: %q", errText)
	}
	r = br.billingPost("/billing/prepaid/deposit", url.Values{"amount": {"50"}, "currency": {"CHF"}, "method": {"pm:" + pm.ID}})
	if r.status != http.StatusSeeOther || r.location != "/billing/prepaid?deposited=1" {
		t.Fatalf("deposit of 50: %d to %q\n%.1500s", r.status, r.location, r.body)
	}
	page := br.get(r.location)
	mustContain(t, page.body, `data-testid="balance-CHF" data-amount="50.00"`, "The deposit is credited")
}

func TestPRD3_CancelAPendingOrder(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	ord := b.order(u.ID, o.ID, "web_hosting", "starter", "Shop website", "1m")
	br := b.browser()
	br.signIn(u.Email)
	list := br.get("/billing/orders")
	mustContain(t, list.body, "Shop website", "Pending")
	r := br.billingPost("/billing/orders/"+ord.ID+"/cancel", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", r.status)
	}
	page := br.get(r.location)
	mustContain(t, page.body, "The order is cancelled.", `data-testid="order-status">Cancelled`)
	if strings.Contains(page.body, `data-testid="order-cancel"`) {
		t.Error("a cancelled order still offers to cancel it")
	}
	again := br.billingPost("/billing/orders/"+ord.ID+"/cancel", url.Values{})
	if again.status != http.StatusConflict || !strings.Contains(again.body, "no longer pending") {
		t.Errorf("cancel twice: %d", again.status)
	}
}

func TestBILL_PeriodNames(t *testing.T) {
	t.Parallel()
	for period, want := range map[string]int{"1y": 12, "2y": 24, "1m": 1, "3m": 3, "x": 0, "0y": 0, "": 0, "ym": 0} {
		if got := periodMonths(period); got != want {
			t.Errorf("periodMonths(%q) = %d, want %d", period, got, want)
		}
	}
	for in, want := range map[string]int64{"50": 5000, "12.5": 1250, "12,50": 1250, "1'000.00": 100000, "": 0} {
		a, err := parseAmount(in, "CHF", "amount")
		if err != nil || a.Minor != want {
			t.Errorf("parseAmount(%q) = %v, %v; want %d", in, a, err, want)
		}
	}
	for _, in := range []string{"-5", "1.234", "abc"} {
		if _, err := parseAmount(in, "CHF", "amount"); err == nil {
			t.Errorf("parseAmount(%q) accepted", in)
		}
	}
}

// BIL-4: a method is saved for the currency chosen on the form, not always
// CHF: a PostFinance Card for EUR is refused, for CHF it opens its page.
func TestBIL4_AddMethodInTheChosenCurrency(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	u, _ := b.person("ada@example.ch", "Ada", "Muster", "en")
	br := b.browser()
	br.signIn(u.Email)
	page := br.get("/billing/methods")
	mustContain(t, page.body, `name="currency"`, `<option value="EUR">EUR</option>`)
	r := br.billingPost("/billing/methods", url.Values{"type": {"postfinance"}, "currency": {"EUR"}, "key": {"k-eur"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "CHF") {
		t.Errorf("PostFinance for EUR: %d, want 422 saying it pays in CHF only", r.status)
	}
	r = br.billingPost("/billing/methods", url.Values{"type": {"postfinance"}, "currency": {"CHF"}, "key": {"k-chf"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sandbox/") {
		t.Errorf("PostFinance for CHF: %d to %q, want the payment page", r.status, r.location)
	}
}

// BIL-4: coming back from the payment page after switching organization in
// another tab shows the payment's outcome in the organization that paid.
func TestBIL4_ReturnFromThePaymentPageAfterSwitchingOrganization(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	other, err := b.orgs.Create(context.Background(), u.ID, "Second GmbH", "company", audit.Meta{ActorID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	order := b.order(u.ID, o.ID, "domain", "", "switched.ch", "1y")
	br := b.browser()
	br.signIn(u.Email)
	br.post("/organizations/switch", url.Values{"organization_id": {o.ID}, "next": {"/billing"}})
	r := br.billingPost("/billing/pay", url.Values{"item": {"order:" + order.ID}, "method": {"card"}, "key": {"k-switch"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sandbox/") {
		t.Fatalf("pay by card: %d to %q", r.status, r.location)
	}
	paid := br.do(http.MethodPost, r.location+"/pay", url.Values{"number": {sandbox.CardVisa}, "expiry": {"12/30"},
		"cvc": {"123"}, "name": {"Ada Muster"}})
	if paid.status != http.StatusSeeOther || !strings.Contains(paid.location, "org="+o.ID) {
		t.Fatalf("sandbox page: %d to %q, want the return with the paying organization", paid.status, paid.location)
	}
	br.post("/organizations/switch", url.Values{"organization_id": {other.ID}, "next": {"/billing"}})
	got := br.get(paid.location)
	if got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/billing/invoices/") {
		t.Fatalf("return after switching: %d to %q, want the invoice", got.status, got.location)
	}
	if page := br.get(got.location); page.status != http.StatusOK || !strings.Contains(page.body, "switched.ch") {
		t.Errorf("the invoice page: %d", page.status)
	}
}
