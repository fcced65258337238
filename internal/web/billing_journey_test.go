package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/i18n"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment/sandbox"
)

// attr reads an attribute of the first element matching sel.
func (j *journey) attr(sel, name string) string {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](
		`document.querySelector(`+"`"+sel+"`"+`).getAttribute("`+name+`") || ""`))
	if err != nil {
		j.t.Fatalf("reading %s of %s: %v", name, sel, err)
	}
	return v
}

// download fetches a link of the page in the browser (with its session)
// and returns the bytes.
func (j *journey) download(sel string) []byte {
	j.t.Helper()
	b64, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`fetch(document.querySelector(`+"`"+sel+"`"+`).href)
		.then(r => r.arrayBuffer()).then(buf => { const u = new Uint8Array(buf); let s = "";
		for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		j.t.Fatalf("downloading %s: %v", sel, err)
	}
	out, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		j.t.Fatal(err)
	}
	return out
}

// lookAtPDF checks a PDF and renders its first page to PNG next to the
// screenshots (pdftoppm), to be looked at.
func (j *journey) lookAtPDF(pdf []byte, name string) {
	j.t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		j.t.Fatalf("%s is not a PDF: %.40q", name, pdf)
	}
	file := filepath.Join(j.shots, name+".pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		j.t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		j.t.Logf("pdftoppm is missing: %s was not rendered", name)
		return
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", file,
		filepath.Join(j.shots, name)).CombinedOutput(); err != nil {
		j.t.Fatalf("pdftoppm %s: %v\n%s", name, err, out)
	}
}

// checkoutByCard fills the sandbox's card page and submits it.
func (j *journey) checkoutByCard(number string) {
	j.t.Helper()
	j.must("card page", chromedp.WaitVisible(chromedp.CSS("#number")))
	j.shot("sandbox-card-page")
	j.must("pay on the card page",
		chromedp.SendKeys(chromedp.CSS("#number"), number),
		chromedp.SendKeys(chromedp.CSS("#expiry"), "12/39"),
		chromedp.SendKeys(chromedp.CSS("#cvc"), "123"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ada Muster"),
		chromedp.Click(chromedp.CSS(`form[action$="/pay"] button[type=submit]`)))
}

// TestBIL2_JourneyOrderDomainPayByCard: order something.ch for one year,
// find it ticked on "To pay", pay it by card on the sandbox's page, land on
// the paid invoice, see the product active and due one year ahead, and
// download the invoice PDF.
func TestBIL2_JourneyOrderDomainPayByCard(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	j := newJourney(t, b, "en-US")
	j.signIn(u.Email)

	j.must("to pay", chromedp.Click(chromedp.CSS(`.sidebar a[href="/billing"]`)), chromedp.WaitVisible(chromedp.CSS("[data-testid=due-empty]")))
	j.shot("to-pay-empty")
	j.must("order form", chromedp.Click(chromedp.CSS("[data-testid=order]")), chromedp.WaitVisible(chromedp.CSS("#domain_name")))
	j.shot("order-form")
	j.must("order something.ch",
		chromedp.Click(chromedp.CSS(`input[name=choice][value=".ch|1y"]`)),
		chromedp.SendKeys(chromedp.CSS("#domain_name"), "something.ch"),
		chromedp.Click(chromedp.CSS("[data-testid=order-submit]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=pay]")))
	orders, err := b.billing.ListOrders(context.Background(), u.ID, o.ID, "pending")
	if err != nil || len(orders) != 1 || orders[0].Items[0].Name != "something.ch" || orders[0].Items[0].Period != "1y" {
		t.Fatalf("orders after the form: %+v, %v", orders, err)
	}
	ord := orders[0]
	if ticked, _ := chromedp.Run(j.ctx, chromedp.Evaluate[bool](`document.querySelector('input[name=item][value="order:`+ord.ID+`"]').checked`)); !ticked {
		t.Error("the new order is not ticked on the list to pay")
	}
	if got, want := j.text("[data-testid=selection-total]"), i18n.FormatMoney(ord.Total, "en", u.Country); got != want {
		t.Errorf("selection total %q, want %q", got, want)
	}
	j.shot("to-pay-order-selected")

	j.must("pay by card", chromedp.Click(chromedp.CSS("[data-testid=method-card]")), chromedp.Click(chromedp.CSS("[data-testid=pay]")))
	j.checkoutByCard(sandbox.CardVisa)
	j.must("invoice", chromedp.WaitVisible(chromedp.CSS("[data-testid=invoice-status]")))
	if got := j.attr("[data-testid=invoice-status]", "data-status"); got != "paid" {
		t.Errorf("invoice status %q, want paid", got)
	}
	if got := j.text(".alert-success"); !strings.Contains(got, "the invoice is paid") {
		t.Errorf("notice %q", got)
	}
	j.shot("invoice-paid")
	pdf := j.download("[data-testid=invoice-pdf]")
	j.lookAtPDF(pdf, "invoice-something-ch")

	j.must("product page", chromedp.Click(chromedp.CSS("[data-testid=line-product]")), chromedp.WaitVisible(chromedp.CSS("[data-testid=product-status]")))
	if got := j.attr("[data-testid=product-status]", "data-status"); got != "active" {
		t.Errorf("product status %q, want active", got)
	}
	pr, err := b.products.Get(context.Background(), u.ID, o.ID, ord.Items[0].ProductID)
	if err != nil {
		t.Fatal(err)
	}
	want := b.clock.Now().In(zurich(t)).AddDate(1, 0, 0).Format(time.DateOnly)
	if pr.DueDate != want {
		t.Errorf("due date %s, want %s (one year ahead)", pr.DueDate, want)
	}
	due, _ := time.Parse(time.DateOnly, want)
	if got := j.text("[data-testid=product-due]"); got != i18n.FormatDate(due, "en", u.Country, "UTC") {
		t.Errorf("the product page shows due %q", got)
	}
	if got := j.text("[data-testid=product-period]"); got != "1 year" {
		t.Errorf("period %q", got)
	}
	if n, _ := chromedp.Run(j.ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=product-invoice]").length`)); n != 1 {
		t.Errorf("the product page lists %d invoices, want 1", n)
	}
	j.shot("product-active")
}

// periodTotal is what a renewal costs for period, VAT included.
func periodTotal(items []billing.DueItem, productID, period string) money.Amount {
	for _, it := range items {
		for _, p := range it.Periods {
			if it.ProductID == productID && p.Period == period {
				return p.Total
			}
		}
	}
	return money.Amount{}
}

func zurich(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestBIL2_JourneyPaySelectionWithPrepaid: two active products due within
// 2 months, one pending order and a prepaid balance; select the three, take
// 2 years for the domain, pay part from the prepaid account and the rest
// with the saved card: one invoice, the ledger debited by the prepaid part.
func TestBIL2_JourneyPaySelectionWithPrepaid(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	ctx := context.Background()
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	pm := b.testCard(u.ID, o.ID, sandbox.CardVisa)
	domain := b.order(u.ID, o.ID, "domain", "", "muster.ch", "1y")
	site := b.order(u.ID, o.ID, "web_hosting", "starter", "Shop website", "1y")
	if _, err := b.billing.Pay(ctx, u.ID, o.ID, billing.PayInput{Items: []billing.PayItem{{OrderID: domain.ID}, {OrderID: site.ID}},
		PaymentMethodID: pm.ID}, audit.Meta{ActorID: u.ID}); err != nil {
		t.Fatalf("paying the first orders: %v", err)
	}
	b.clock.Advance(330 * 24 * time.Hour) // both due in about a month
	mail := b.order(u.ID, o.ID, "mail", "", "Team mail", "1m")
	if _, err := b.billing.Deposit(ctx, u.ID, o.ID, billing.DepositInput{Amount: chf("50.00"), PaymentMethodID: pm.ID},
		audit.Meta{ActorID: u.ID}); err != nil {
		t.Fatalf("deposit: %v", err)
	}
	items, err := b.billing.Due(ctx, u.ID, o.ID, false)
	if err != nil || len(items) != 3 {
		t.Fatalf("due: %+v, %v", items, err)
	}
	var want int64
	for _, it := range items {
		switch {
		case it.ProductID == domain.Items[0].ProductID:
			for _, p := range it.Periods {
				if p.Period == "2y" {
					want += p.Total.Minor
				}
			}
		default:
			want += it.Amount.Minor
		}
	}
	invoicesBefore, _ := b.billing.ListInvoices(ctx, u.ID, o.ID, billing.InvoiceFilter{Kind: billing.KindInvoice})

	j := newJourney(t, b, "en-US")
	j.signIn(u.Email)
	j.open("/billing", "[data-testid=due-row]")
	if n, _ := chromedp.Run(j.ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=due-row]").length`)); n != 3 {
		t.Fatalf("%d items to pay, want 3", n)
	}
	j.shot("to-pay-three")
	domainKey := "product:" + domain.Items[0].ProductID
	j.must("select the three",
		chromedp.Click(chromedp.CSS(`input[name=item][value="`+domainKey+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name=item][value="product:`+site.Items[0].ProductID+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name=item][value="order:`+mail.ID+`"]`)),
		chromedp.SetValue(chromedp.CSS(`#period-`+domain.Items[0].ProductID), "2y"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#period-`+domain.Items[0].ProductID+`").dispatchEvent(new Event("change", {bubbles: true}))`))
	total := i18n.FormatMoney(money.Amount{Minor: want, Currency: "CHF"}, "en", u.Country)
	j.waitFor("the total follows the selection", `document.querySelector("[data-testid=selection-total]").textContent.trim() === "`+total+`"`)
	j.waitFor("the renewal's amount follows its period", `document.querySelector("#amount-`+domain.Items[0].ProductID+`").textContent.trim() === "`+
		i18n.FormatMoney(periodTotal(items, domain.Items[0].ProductID, "2y"), "en", u.Country)+`"`)
	j.must("prepaid part",
		chromedp.SendKeys(chromedp.CSS("#prepaid_amount"), "20.00"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#prepaid_amount").dispatchEvent(new Event("change", {bubbles: true}))`))
	j.waitFor("the split is shown", `!!document.querySelector("[data-testid=selection-prepaid]")`)
	if got := j.text("[data-testid=selection-rest]"); got != i18n.FormatMoney(money.Amount{Minor: want - 2000, Currency: "CHF"}, "en", u.Country) {
		t.Errorf("rest by card %q", got)
	}
	if checked, _ := chromedp.Run(j.ctx, chromedp.Evaluate[bool](`document.querySelector('input[name=method][value="pm:`+pm.ID+`"]').checked`)); !checked {
		t.Error("the default saved card is not the method chosen")
	}
	j.shot("to-pay-selection")
	j.must("pay", chromedp.Click(chromedp.CSS("[data-testid=pay]")), chromedp.WaitVisible(chromedp.CSS("[data-testid=invoice-status]")))
	j.shot("invoice-selection-paid")
	if got := j.attr("[data-testid=invoice-status]", "data-status"); got != "paid" {
		t.Errorf("invoice %q", got)
	}
	if n, _ := chromedp.Run(j.ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=invoice-line]").length`)); n != 3 {
		t.Errorf("the invoice has %d lines, want 3", n)
	}
	if got := j.text("[data-testid=invoice-total]"); got != total {
		t.Errorf("invoice total %q, want %q", got, total)
	}
	pays, _ := chromedp.Run(j.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("[data-testid=payment-row]")).map(e => e.dataset.method + " " + e.dataset.amount).sort()`))
	wantPays := []string{"card " + money.Amount{Minor: want - 2000, Currency: "CHF"}.String(), "prepaid 20.00"}
	if strings.Join(pays, ",") != strings.Join(wantPays, ",") {
		t.Errorf("payments %v, want %v", pays, wantPays)
	}
	invoicesAfter, _ := b.billing.ListInvoices(ctx, u.ID, o.ID, billing.InvoiceFilter{Kind: billing.KindInvoice})
	if len(invoicesAfter) != len(invoicesBefore)+1 {
		t.Errorf("%d invoices issued by one payment, want 1", len(invoicesAfter)-len(invoicesBefore))
	}

	j.must("prepaid account", chromedp.Click(chromedp.CSS(`.sidebar a[href="/billing/prepaid"]`)), chromedp.WaitVisible(chromedp.CSS("[data-testid=balance-CHF]")))
	if got := j.attr("[data-testid=balance-CHF]", "data-amount"); got != "30.00" {
		t.Errorf("balance %s, want 30.00", got)
	}
	if got := j.attr("[data-testid=ledger-row]", "data-amount"); got != "-20.00" {
		t.Errorf("newest ledger entry %s, want -20.00", got)
	}
	j.shot("prepaid-ledger")
	pr, err := b.products.Get(ctx, u.ID, o.ID, domain.Items[0].ProductID)
	if err != nil || pr.DueDate != billingStart.In(zurich(t)).AddDate(3, 0, 0).Format(time.DateOnly) {
		t.Errorf("the domain renewed for 2 years is due %s (%v)", pr.DueDate, err)
	}

	// The other pages of the section, for the record.
	j.must("orders", chromedp.Click(chromedp.CSS(`.sidebar a[href="/billing/orders"]`)), chromedp.WaitVisible(chromedp.CSS("[data-testid=order-row]")))
	j.shot("orders")
	j.must("invoices", chromedp.Click(chromedp.CSS(`.sidebar a[href="/billing/invoices"]`)), chromedp.WaitVisible(chromedp.CSS("[data-testid=invoice-row]")))
	j.shot("invoices")
	j.must("methods", chromedp.Click(chromedp.CSS(`.sidebar a[href="/billing/methods"]`)), chromedp.WaitVisible(chromedp.CSS("[data-testid=method-row]")))
	j.shot("payment-methods")
	j.must("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	j.open("/billing?range=all", "[data-testid=due-row]")
	j.shot("phone-to-pay")
}

// TestBIL6_JourneyPayByIBANAndBankImport: pay an order by bank transfer,
// see the pro-forma with its QR-bill, import the camt.054 file that credits
// its reference (as `alpage bank import` does), and see it paid.
func TestBIL6_JourneyPayByIBANAndBankImport(t *testing.T) {
	t.Parallel()
	b := billingSetup(t)
	ctx := context.Background()
	u, o := b.person("ada@example.ch", "Ada", "Muster", "en")
	ord := b.order(u.ID, o.ID, "domain", "", "muster.ch", "1y")
	j := newJourney(t, b, "en-US")
	j.signIn(u.Email)
	j.open("/billing", "[data-testid=due-row]")
	j.must("pay by transfer",
		chromedp.Click(chromedp.CSS(`input[name=item][value="order:`+ord.ID+`"]`)),
		chromedp.Click(chromedp.CSS("[data-testid=method-iban]")),
		chromedp.Click(chromedp.CSS("[data-testid=pay]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=transfer]")))
	if got := j.attr("[data-testid=invoice-status]", "data-status"); got != "unpaid" {
		t.Errorf("pro-forma status %q", got)
	}
	if got := j.text("[data-testid=invoice-title]"); !strings.HasPrefix(got, "Pro-forma invoice P") {
		t.Errorf("title %q", got)
	}
	if got := j.text("[data-testid=transfer-iban]"); got != "CH44 3199 9123 0008 8901 2" {
		t.Errorf("QR-IBAN %q", got)
	}
	j.shot("proforma-transfer")
	pdf := j.download("[data-testid=qr-bill-pdf]")
	j.lookAtPDF(pdf, "proforma-qr-bill")

	pfs, err := b.billing.ListInvoices(ctx, u.ID, o.ID, billing.InvoiceFilter{Kind: billing.KindProforma})
	if err != nil || len(pfs) != 1 {
		t.Fatalf("pro-formas %+v, %v", pfs, err)
	}
	pf := pfs[0]
	if got := strings.ReplaceAll(j.text("[data-testid=transfer-reference]"), " ", ""); got != pf.Reference {
		t.Errorf("reference shown %q, want %q", got, pf.Reference)
	}
	tpl := template.Must(template.ParseFiles("../billing/testdata/camt054.xml.tmpl"))
	var file bytes.Buffer
	if err := tpl.Execute(&file, map[string]string{"Amount": pf.Total.String(), "Currency": "CHF", "Reference": pf.Reference,
		"BankRef": "ZKB-20301123-1"}); err != nil {
		t.Fatal(err)
	}
	res, err := b.billing.ImportBankFile(ctx, &file, "camt054.xml", audit.Meta{})
	if err != nil || res.Matched != 1 {
		t.Fatalf("bank import %+v, %v", res, err)
	}

	j.must("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("[data-testid=proforma-invoice]")))
	if got := j.attr("[data-testid=invoice-status]", "data-status"); got != "paid" {
		t.Errorf("pro-forma after the import %q, want paid", got)
	}
	j.shot("proforma-paid")
	j.must("the invoice", chromedp.Click(chromedp.CSS("[data-testid=proforma-invoice] a")))
	j.waitFor("the invoice page", `document.querySelector("[data-testid=invoice-title]").textContent.trim().startsWith("Invoice ")`)
	if got := j.attr("[data-testid=invoice-status]", "data-status"); got != "paid" {
		t.Errorf("invoice %q, want paid", got)
	}
	if got := j.text("[data-testid=invoice-title]"); !strings.HasPrefix(got, "Invoice ") {
		t.Errorf("title %q", got)
	}
	j.shot("invoice-from-transfer")
	j.must("product", chromedp.Click(chromedp.CSS("[data-testid=line-product]")), chromedp.WaitVisible(chromedp.CSS("[data-testid=product-status]")))
	if got := j.attr("[data-testid=product-status]", "data-status"); got != "active" {
		t.Errorf("product %q, want active", got)
	}
	j.shot("product-active-after-transfer")
}
