package web

import (
	"context"
	"github.com/alpage/alpage/internal/i18n"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/payment/sandbox"
)

// lcPaid orders a one-year product for orgID and pays it with a saved test
// card: active, due a year later, renewing automatically (REN-1).
func (b *testBundle) lcPaid(userID, orgID, typ, plan, name string) string {
	b.t.Helper()
	o := b.order(userID, orgID, typ, plan, name, "1y")
	pm := b.testCard(userID, orgID, sandbox.CardVisa)
	r, err := b.billing.Pay(context.Background(), userID, orgID, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}},
		PaymentMethodID: pm.ID}, audit.Meta{ActorID: userID})
	if err != nil || r.Status != "succeeded" {
		b.t.Fatalf("paying %s: %+v, %v", name, r, err)
	}
	return o.Items[0].ProductID
}

func (b *testBundle) lcAutoRenew(productID string) bool {
	b.t.Helper()
	var on bool
	if err := b.db.QueryRowContext(context.Background(), `SELECT auto_renew FROM products WHERE id = $1`, productID).Scan(&on); err != nil {
		b.t.Fatal(err)
	}
	return on
}

func (b *testBundle) lcStatus(productID string) string {
	b.t.Helper()
	var s string
	if err := b.db.QueryRowContext(context.Background(), `SELECT status FROM products WHERE id = $1`, productID).Scan(&s); err != nil {
		b.t.Fatal(err)
	}
	return s
}

// lcDue is productID's due date as the console shows it to a Swiss
// user (DD.MM.YYYY).
func (b *testBundle) lcDue(productID string) string {
	b.t.Helper()
	var d string
	if err := b.db.QueryRowContext(context.Background(), `SELECT due_date FROM products WHERE id = $1`, productID).Scan(&d); err != nil {
		b.t.Fatal(err)
	}
	return d[8:10] + "." + d[5:7] + "." + d[0:4]
}

// lcNear moves productID's due date 13 days after today: too close to
// switch auto-renewal on (REN-4).
func (b *testBundle) lcNear(productID string) {
	b.t.Helper()
	due := b.clock.Now().Add(13 * 24 * time.Hour).Format(time.DateOnly)
	if _, err := b.db.ExecContext(context.Background(), `UPDATE products SET due_date = $1 WHERE id = $2`, due, productID); err != nil {
		b.t.Fatal(err)
	}
}

// REN-2, REN-4, ORG-8: the auto-renewal page switches a selection, refuses
// it whole naming the product too close to its due date, and is disabled
// with the reason for a member without the billing right.
func TestREN2_AutoRenewPageSwitchesASelection(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.importCatalog()
	lena, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	far := b.lcPaid(lena.ID, o.ID, "domain", "", "far.ch")
	near := b.lcPaid(lena.ID, o.ID, "domain", "", "near.ch")
	br := b.browser()
	br.signIn("lena@muster.ch")

	r := br.get("/products/auto-renew")
	if r.status != http.StatusOK {
		t.Fatalf("page: %d %s", r.status, r.location)
	}
	// Each row says the product's type: two products may share a name.
	mustContain(t, r.body, "far.ch", "near.ch", `name="payment_method_id"`, `data-testid="switch-on"`,
		`<td data-label="Type">`+i18n.T("en", "product_type.domain")+`</td>`)
	// From a product's page, that product comes selected.
	mustContain(t, br.get("/products/auto-renew?selected="+near).body, `value="`+near+`" id="ar-`+near+`" checked`)
	if strings.Contains(br.get("/products/auto-renew?selected="+near).body, `value="`+far+`" id="ar-`+far+`" checked`) {
		t.Error("a product not asked for is selected")
	}
	form := url.Values{"organization_id": {o.ID}, "product_ids": {far, near}, "enabled": {"off"}}
	if r := br.post("/products/auto-renew", form); r.status != http.StatusSeeOther || r.location != "/products/auto-renew?done=off" {
		t.Fatalf("switching off: %d %q\n%s", r.status, r.location, r.body)
	}
	if b.lcAutoRenew(far) || b.lcAutoRenew(near) {
		t.Fatal("auto-renewal still on")
	}
	b.lcNear(near)
	form.Set("enabled", "on")
	r = br.post("/products/auto-renew", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("switching on with near.ch: %d", r.status)
	}
	mustContain(t, r.body, "renew the product by hand first", `data-testid="refused"`)
	if refused := element(r.body, "p", `data-testid="refused"`); !strings.Contains(refused, "near.ch") || strings.Contains(refused, "far.ch") {
		t.Errorf("refusal names %q", refused)
	}
	if !strings.Contains(r.body, `value="`+far+`" id="ar-`+far+`" checked`) {
		t.Error("the selection was not kept after the refusal")
	}
	if b.lcAutoRenew(far) {
		t.Error("far.ch was switched on although the selection was refused")
	}
	form.Set("product_ids", far)
	if r := br.post("/products/auto-renew", form); r.status != http.StatusSeeOther {
		t.Fatalf("switching far.ch on: %d\n%s", r.status, r.body)
	}
	if !b.lcAutoRenew(far) {
		t.Error("far.ch is not auto-renewing")
	}
	mustContain(t, br.get("/products/auto-renew?done=on").body, "Auto-renewal is switched on for the selected products.")
	// The product's page says which card it renews with.
	mustContain(t, br.get("/products/"+far).body, `data-testid="product-auto-renew-method">· Visa •••• 4242`)

	// A collaborator without the billing right sees why the form is disabled.
	carl, _ := b.person("carl@muster.ch", "Carl", "Keller", "en")
	b.join(o.ID, carl.ID, org.RoleCollaborator, far)
	cb := b.browser()
	cb.signIn("carl@muster.ch")
	cb.switchTo(o.ID)
	r = cb.get("/products/auto-renew")
	mustContain(t, r.body, `data-testid="reason"`, "fieldset class=\"plain\" disabled")
	if strings.Contains(r.body, "near.ch") {
		t.Error("the collaborator sees a product not granted to him")
	}
}

// PRD-4: the termination page asks, the link confirms (a GET changes
// nothing), a used link no longer works.
func TestPRD4_TerminatePageAndConfirmationLink(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.importCatalog()
	lena, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	pid := b.lcPaid(lena.ID, o.ID, "web_hosting", "starter", "muster.ch")
	br := b.browser()
	br.signIn("lena@muster.ch")
	r := br.get("/products/" + pid + "/terminate")
	if r.status != http.StatusOK {
		t.Fatalf("page: %d %s", r.status, r.location)
	}
	mustContain(t, r.body, `data-testid="timeline"`, `name="when" value="due_date"`, "Automatic renewal charge")
	r = br.post("/products/"+pid+"/terminate", url.Values{"organization_id": {o.ID}, "when": {"now"}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "/terminate?sent=link") {
		t.Fatalf("request: %d %q\n%s", r.status, r.location, r.body)
	}
	mustContain(t, br.get(r.location).body, "We e-mailed you a link", `data-testid="timeline-pending"`)
	link := outboxLink(t, b, "lena@muster.ch", "/terminate/confirm")
	anon := b.browser()
	r = anon.get(link.RequestURI())
	if r.status != http.StatusOK {
		t.Fatalf("link page: %d", r.status)
	}
	mustContain(t, r.body, "muster.ch will be terminated now.", `data-testid="terminate-confirm-submit"`)
	if b.lcStatus(pid) != "active" {
		t.Fatal("opening the link terminated the product without the button")
	}
	r = anon.do(http.MethodPost, "/terminate/confirm", url.Values{"token": {link.Query().Get("token")}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "muster.ch is terminated.") {
		t.Fatalf("confirm: %d\n%s", r.status, r.body)
	}
	if b.lcStatus(pid) != "terminated" {
		t.Error("the product is not terminated")
	}
	if r := anon.get(link.RequestURI()); r.status != http.StatusGone || !strings.Contains(r.body, "This link no longer works") {
		t.Errorf("a used link: %d", r.status)
	}
}

// PRD-4: a termination at the due date, once confirmed, is shown on the
// product's page with its date and what renewing by hand does; the
// terminate page offers no second request. The confirmation page names
// the day. A type without a link says it ends as soon as asked.
func TestPRD4_ScheduledTerminationIsShownAndNotAskedTwice(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.importCatalog()
	lena, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	pid := b.lcPaid(lena.ID, o.ID, "web_hosting", "starter", "muster.ch")
	br := b.browser()
	br.signIn("lena@muster.ch")
	r := br.post("/products/"+pid+"/terminate", url.Values{"organization_id": {o.ID}, "when": {"due_date"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("request: %d\n%s", r.status, r.body)
	}
	link := outboxLink(t, b, "lena@muster.ch", "/terminate/confirm")
	anon := b.browser()
	page := anon.get(link.RequestURI()).body
	due := b.lcDue(pid) // DD.MM.YYYY; the link's page, signed out, writes DD/MM/YYYY
	mustContain(t, page, "muster.ch will be terminated on "+strings.ReplaceAll(due, ".", "/")+".")
	if r := anon.do(http.MethodPost, "/terminate/confirm", url.Values{"token": {link.Query().Get("token")}}); r.status != http.StatusOK {
		t.Fatalf("confirm: %d", r.status)
	}
	mustContain(t, br.get("/products/"+pid).body, `data-testid="timeline-scheduled"`, "will be terminated on "+due, "Renewing it by hand")
	terminate := br.get("/products/" + pid + "/terminate").body
	mustContain(t, terminate, `data-testid="timeline-scheduled"`)
	if strings.Contains(terminate, `data-testid="terminate-submit"`) {
		t.Error("the terminate page asks again for a termination already confirmed")
	}
	if strings.Contains(terminate, `data-testid="terminate-at-once"`) {
		t.Error("a web hosting (confirmed by link) is said to end at once")
	}
	cert := b.lcPaid(lena.ID, o.ID, "ssl_certificate", "", "www.muster.ch")
	mustContain(t, br.get("/products/"+cert+"/terminate").body, `data-testid="terminate-at-once"`)
}

// TestREN2_JourneyTimelineAndBulkAutoRenew, in Chromium: a product's
// timeline lists what comes next with dates; the bulk switch turns
// auto-renewal off for a selection, then refuses to switch it on for a
// product too close to its due date, naming it.
func TestREN2_JourneyTimelineAndBulkAutoRenew(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.importCatalog()
	lena, o := b.person("lena@muster.ch", "Lena", "Roth", "en")
	site := b.lcPaid(lena.ID, o.ID, "domain", "", "muster.ch")
	shop := b.lcPaid(lena.ID, o.ID, "domain", "", "muster-shop.ch")
	j := newJourney(t, b, "en-US")
	j.signIn("lena@muster.ch")

	j.open("/products/"+site+"/timeline", "[data-testid=timeline]")
	kinds, err := chromedp.Run(j.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("[data-testid=timeline-next]")).map(e => e.dataset.kind + " " + e.dataset.date)`))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(kinds, ", ")
	for _, want := range []string{"reminder 2027-09-23", "attempt 2027-11-08", "due 2027-11-22", "block 2027-11-23", "terminate 2027-12-22"} {
		if !strings.Contains(joined, want) {
			t.Errorf("next steps %s lack %s", joined, want)
		}
	}
	if got := j.text("[data-testid=timeline-past]"); !strings.Contains(got, "Auto-renewal switched on") {
		t.Errorf("newest past event %q", got)
	}
	j.shot("timeline")

	j.must("auto-renew page", chromedp.Click(chromedp.CSS(`.page-actions a[href="/products/auto-renew"]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=switch-off]")))
	j.must("select both and switch off",
		chromedp.Click(chromedp.CSS(`#ar-`+site)), chromedp.Click(chromedp.CSS(`#ar-`+shop)),
		chromedp.Click(chromedp.CSS("[data-testid=switch-off]")))
	j.waitFor("switched off", `document.querySelector(".alert-success") !== null`)
	states, err := chromedp.Run(j.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("[data-testid=autorenew-state]")).map(e => e.dataset.on)`))
	if err != nil || strings.Join(states, ",") != "off,off" {
		t.Errorf("states after switching off: %v (%v)", states, err)
	}
	j.shot("switched-off")

	b.lcNear(shop)
	j.open("/products/auto-renew", "[data-testid=switch-on]")
	j.must("select both and switch on",
		chromedp.Click(chromedp.CSS(`#ar-`+site)), chromedp.Click(chromedp.CSS(`#ar-`+shop)),
		chromedp.Click(chromedp.CSS("[data-testid=switch-on]")))
	j.waitFor("refused", `document.querySelector("[data-testid=refused]") !== null`)
	if got := j.text("[data-testid=refused]"); got != "Concerned: muster-shop.ch" {
		t.Errorf("refusal names %q", got)
	}
	if !strings.Contains(j.text(".alert-error"), "renew the product by hand first") {
		t.Errorf("error %q", j.text(".alert-error"))
	}
	j.shot("refused-too-close")
	if b.lcAutoRenew(site) || b.lcAutoRenew(shop) {
		t.Error("a refused selection switched something on")
	}
}
