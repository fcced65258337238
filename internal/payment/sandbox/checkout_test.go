package sandbox_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/payment/sandbox"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

// browser drives the hosted pages as the app serves them: mounted at
// /sandbox/ behind http.CrossOriginProtection, redirects not followed.
type browser struct {
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
}

func newBrowser(t *testing.T, gw *sandbox.Gateway) *browser {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/sandbox/", gw.Handler())
	srv := httptest.NewServer(http.NewCrossOriginProtection().Handler(mux))
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, srv: srv, client: client}
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (br *browser) do(req *http.Request) response {
	br.t.Helper()
	resp, err := br.client.Do(req)
	if err != nil {
		br.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(body), location: resp.Header.Get("Location"), header: resp.Header}
}

// get fetches a path (or the path of a redirect URL) of the server.
func (br *browser) get(path string) response {
	br.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, br.srv.URL+path, nil)
	return br.do(req)
}

// post submits a form from a page of the same site, as a browser does.
func (br *browser) post(path string, form url.Values) response {
	br.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, br.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", br.srv.URL)
	return br.do(req)
}

// checkout creates a checkout returning to /billing/return.
func (b bundle) checkout(t *testing.T, method payment.Method, amount money.Amount, save bool, lang string) payment.Checkout {
	t.Helper()
	co, err := b.gw.CreateCheckout(b.ctx, payment.CheckoutRequest{Reference: "INV-2026-0042", Amount: amount, Method: method,
		SaveMethod: save, ReturnURL: "/billing/return?from=pay", CancelURL: "/billing", Language: lang, IdempotencyKey: id.New()})
	if err != nil {
		t.Fatalf("CreateCheckout(%s): %v", method, err)
	}
	if co.RedirectURL != "/sandbox/checkout/"+co.ID {
		t.Fatalf("RedirectURL = %q", co.RedirectURL)
	}
	return co
}

func cardForm(number string) url.Values {
	return url.Values{"number": {number}, "expiry": {"12/30"}, "cvc": {"123"}, "name": {"Anna Muster"}}
}

// wantReturn checks a redirect to the return URL with the checkout's id.
func wantReturn(t *testing.T, r response, co payment.Checkout) {
	t.Helper()
	want := "/billing/return?checkout=" + co.ID + "&from=pay"
	if r.status != http.StatusSeeOther || r.location != want {
		t.Fatalf("answer %d to %q; want 303 to %q (body %.300s)", r.status, r.location, want, r.body)
	}
}

// Paying by card on the hosted page: the page shows the amount and the
// badge, the form redirects back, and Checkout tells the outcome; the card
// is saved as a token with brand and last four digits only.
func TestBIL4_CardCheckoutPage(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		br := newBrowser(t, b.gw)
		co := b.checkout(t, payment.MethodCard, chf(1550), true, "en")

		byKey, err := b.gw.Checkout(b.ctx, co.ID)
		if err != nil || byKey.Status != payment.CheckoutOpen || byKey.Payment == nil ||
			byKey.Payment.Status != payment.StatusRequiresAction {
			t.Fatalf("an open checkout reads %+v, %v", byKey, err)
		}

		pg := br.get(co.RedirectURL)
		for _, want := range []string{"SANDBOX — no real money", "CHF 15.50", "INV-2026-0042", "Card number",
			`action="/sandbox/checkout/` + co.ID + `/pay"`, sandbox.CardDeclined} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("the card page lacks %q", want)
			}
		}
		if pg.status != http.StatusOK || !strings.Contains(pg.header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("page status %d, CSP %q", pg.status, pg.header.Get("Content-Security-Policy"))
		}
		if css := br.get("/sandbox/sandbox.css"); css.status != http.StatusOK || !strings.Contains(css.body, ".badge") {
			t.Errorf("stylesheet: %d", css.status)
		}

		// A typo in the number: the Luhn check says so, nothing happens.
		bad := br.post(co.RedirectURL+"/pay", cardForm("4242 4242 4242 4241"))
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "the check digit does not match") {
			t.Fatalf("a number failing Luhn: %d %.400s", bad.status, bad.body)
		}
		for form, msg := range map[string]string{"13/30": "Enter the expiry date as MM/YY", "01/26": "This card has expired"} {
			f := cardForm(sandbox.CardVisa)
			f.Set("expiry", form)
			if r := br.post(co.RedirectURL+"/pay", f); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, msg) {
				t.Errorf("expiry %s: %d, want %q", form, r.status, msg)
			}
		}
		f := cardForm(sandbox.CardVisa)
		f.Set("cvc", "12")
		if r := br.post(co.RedirectURL+"/pay", f); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a 2-digit CVC: %d", r.status)
		}

		wantReturn(t, br.post(co.RedirectURL+"/pay", cardForm("4242 4242 4242 4242")), co)
		res, err := b.gw.Checkout(b.ctx, co.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != payment.CheckoutSucceeded || res.Payment == nil || res.Payment.Status != payment.StatusSucceeded ||
			res.Payment.Captured != chf(1550) || res.Payment.MethodLabel != "Visa •••• 4242" || res.Reference != "INV-2026-0042" {
			t.Fatalf("Checkout = %+v (payment %+v)", res, res.Payment)
		}
		m := res.SavedMethod
		if m == nil || m.Brand != "visa" || m.Last4 != "4242" || m.ExpMonth != 12 || m.ExpYear != 2030 || m.Token == "" ||
			res.Payment.Token != m.Token {
			t.Fatalf("saved method %+v", m)
		}
		// The token pays later without the customer.
		if p, _, err := b.charge(t, m.Token, chf(1550)); err != nil || p.Status != payment.StatusSucceeded {
			t.Fatalf("charging the saved card: %+v, %v", p, err)
		}

		// A second submission (double click) changes nothing.
		wantReturn(t, br.post(co.RedirectURL+"/pay", cardForm(sandbox.CardDeclined)), co)
		if again, _ := b.gw.Checkout(b.ctx, co.ID); again.Status != payment.CheckoutSucceeded {
			t.Fatalf("a second submission changed the checkout to %s", again.Status)
		}
		if fin := br.get(co.RedirectURL); !strings.Contains(fin.body, "This payment is finished") {
			t.Errorf("the page of a finished checkout: %.300s", fin.body)
		}

		noNumberStored(t, b, sandbox.CardVisa)
	})
}

// noNumberStored fails if a card number appears in any sandbox table.
func noNumberStored(t *testing.T, b bundle, number string) {
	t.Helper()
	for _, table := range []string{"sandbox_methods", "sandbox_checkouts", "sandbox_payments", "sandbox_refunds", "sandbox_requests"} {
		rows, err := b.db.QueryContext(b.ctx, "SELECT * FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if s := fmt.Sprintf("%s", v); strings.Contains(s, number[:12]) {
					t.Errorf("%s.%s holds the card number: %q", table, cols[i], s)
				}
			}
		}
		rows.Close()
	}
}

// Declines on the hosted page: the checkout fails with the card's code and
// the browser returns to the shop, which reads the failure.
func TestBIL4_CardCheckoutDeclines(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		br := newBrowser(t, b.gw)
		for number, code := range map[string]string{sandbox.CardDeclined: payment.CodeCardDeclined,
			sandbox.CardInsufficientFunds: payment.CodeInsufficientFunds, sandbox.CardExpired: payment.CodeExpiredCard} {
			co := b.checkout(t, payment.MethodCard, eur(990), true, "de")
			wantReturn(t, br.post(co.RedirectURL+"/pay", cardForm(number)), co)
			res, err := b.gw.Checkout(b.ctx, co.ID)
			if err != nil || res.Status != payment.CheckoutFailed || res.FailureCode != code || res.SavedMethod != nil ||
				res.Payment.Status != payment.StatusFailed || res.Payment.FailureCode != code || res.Payment.Captured.Minor != 0 {
				t.Fatalf("%s: Checkout = %+v, %v", number, res, err)
			}
		}
		// The timeout card succeeds on the page: only API calls time out.
		co := b.checkout(t, payment.MethodCard, eur(990), false, "de")
		wantReturn(t, br.post(co.RedirectURL+"/pay", cardForm(sandbox.CardTimeout)), co)
		if res, _ := b.gw.Checkout(b.ctx, co.ID); res.Status != payment.CheckoutSucceeded || res.SavedMethod != nil {
			t.Fatalf("timeout card on the page: %+v", res)
		}
	})
}

// Cancel goes to the cancel URL; an expired page cannot be paid; a zero
// amount saves a method without a payment; unknown ids are 404.
func TestBIL4_CheckoutCancelExpirySaveOnly(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		br := newBrowser(t, b.gw)

		co := b.checkout(t, payment.MethodCard, chf(100), false, "fr")
		r := br.post(co.RedirectURL+"/cancel", nil)
		if r.status != http.StatusSeeOther || r.location != "/billing?checkout="+co.ID {
			t.Fatalf("cancel: %d to %q", r.status, r.location)
		}
		res, _ := b.gw.Checkout(b.ctx, co.ID)
		if res.Status != payment.CheckoutCanceled || res.Payment.Status != payment.StatusCanceled {
			t.Fatalf("after cancel: %+v %+v", res, res.Payment)
		}

		late := b.checkout(t, payment.MethodCard, chf(100), false, "fr")
		b.clock.Advance(24*time.Hour + time.Second)
		if res, _ := b.gw.Checkout(b.ctx, late.ID); res.Status != payment.CheckoutExpired || res.Payment.Status != payment.StatusCanceled {
			t.Fatalf("a day later: %+v %+v", res, res.Payment)
		}
		pg := br.get(late.RedirectURL)
		if !strings.Contains(pg.body, "Cette page de paiement a expiré") || !strings.Contains(pg.body, "SANDBOX — pas d&#39;argent réel") {
			t.Fatalf("the expired page in French: %.500s", pg.body)
		}
		if r := br.post(late.RedirectURL+"/pay", cardForm(sandbox.CardVisa)); strings.Contains(r.location, "checkout=") {
			t.Fatalf("an expired checkout was paid: %d %q", r.status, r.location)
		}
		if res, _ := b.gw.Checkout(b.ctx, late.ID); res.Status != payment.CheckoutExpired {
			t.Fatalf("after paying an expired page: %s", res.Status)
		}

		save := b.checkout(t, payment.MethodCard, chf(0), true, "it")
		pg = br.get(save.RedirectURL)
		if !strings.Contains(pg.body, "Nessun addebito ora") || !strings.Contains(pg.body, ">Salva<") {
			t.Fatalf("the save-only page in Italian: %.600s", pg.body)
		}
		wantReturn(t, br.post(save.RedirectURL+"/pay", cardForm(sandbox.CardMastercard)), save)
		res, _ = b.gw.Checkout(b.ctx, save.ID)
		if res.Status != payment.CheckoutSucceeded || res.Payment != nil || res.SavedMethod == nil || res.SavedMethod.Brand != "mastercard" {
			t.Fatalf("save-only checkout: %+v", res)
		}

		if r := br.get("/sandbox/checkout/" + id.New()); r.status != http.StatusNotFound {
			t.Fatalf("unknown checkout: %d", r.status)
		}
		if r := br.get("/sandbox/checkout/nope"); r.status != http.StatusNotFound {
			t.Fatalf("malformed checkout id: %d", r.status)
		}
		if r := br.post(save.RedirectURL+"/approve", nil); r.status != http.StatusBadRequest && r.status != http.StatusSeeOther {
			t.Fatalf("approving a card checkout: %d", r.status)
		}
	})
}

// A cross-site form post is refused by the app's protection, before the
// sandbox sees it.
func TestBIL4_CheckoutFormsRefuseCrossSitePosts(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		br := newBrowser(t, b.gw)
		co := b.checkout(t, payment.MethodCard, chf(100), false, "en")
		req, _ := http.NewRequest(http.MethodPost, br.srv.URL+co.RedirectURL+"/pay", strings.NewReader(cardForm(sandbox.CardVisa).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := br.do(req); r.status != http.StatusForbidden {
			t.Fatalf("cross-site post: %d", r.status)
		}
		if res, _ := b.gw.Checkout(b.ctx, co.ID); res.Status != payment.CheckoutOpen {
			t.Fatalf("a cross-site post changed the checkout: %s", res.Status)
		}
	})
}

// PayPal: log in (sandbox), approve, return; the account can be saved.
func TestBIL4_PayPalCheckout(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		br := newBrowser(t, b.gw)
		co := b.checkout(t, payment.MethodPayPal, eur(2000), true, "es")
		pg := br.get(co.RedirectURL)
		if !strings.Contains(pg.body, "Iniciar sesión en PayPal (sandbox)") || !strings.Contains(pg.body, "EUR 20.00") {
			t.Fatalf("PayPal page: %.600s", pg.body)
		}
		if r := br.post(co.RedirectURL+"/approve", url.Values{"email": {"nobody"}}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("approve without an e-mail: %d", r.status)
		}
		wantReturn(t, br.post(co.RedirectURL+"/approve", url.Values{"email": {"anna@example.ch"}}), co)
		res, _ := b.gw.Checkout(b.ctx, co.ID)
		if res.Status != payment.CheckoutSucceeded || res.Payment.Method != payment.MethodPayPal || res.SavedMethod == nil ||
			res.SavedMethod.Label != "PayPal anna@example.ch" {
			t.Fatalf("PayPal checkout: %+v %+v", res, res.SavedMethod)
		}

		cancel := b.checkout(t, payment.MethodPayPal, eur(2000), false, "es")
		if r := br.post(cancel.RedirectURL+"/cancel", nil); r.location != "/billing?checkout="+cancel.ID {
			t.Fatalf("PayPal cancel: %q", r.location)
		}
	})
}

// TWINT: the first payment is approved in the app (QR code) and saves the
// profile; later charges use its token without scanning.
func TestBIL4_TwintProfileIsReusedWithoutScanning(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		br := newBrowser(t, b.gw)
		co := b.checkout(t, payment.MethodTwint, chf(4900), true, "de")
		pg := br.get(co.RedirectURL)
		for _, want := range []string{"<svg", "TWINT QR code", "Scannen Sie diesen Code mit der TWINT-App", "In der TWINT-App bestätigen"} {
			if !strings.Contains(pg.body, want) {
				t.Errorf("the TWINT page lacks %q", want)
			}
		}
		wantReturn(t, br.post(co.RedirectURL+"/approve", nil), co)
		res, _ := b.gw.Checkout(b.ctx, co.ID)
		if res.Status != payment.CheckoutSucceeded || res.Payment.Captured != chf(4900) || res.SavedMethod == nil ||
			res.SavedMethod.Method != payment.MethodTwint {
			t.Fatalf("TWINT checkout: %+v", res)
		}
		checkouts := b.count(t, "sandbox_checkouts")
		for i := range 2 {
			p, _, err := b.charge(t, res.SavedMethod.Token, chf(4900))
			if err != nil || p.Status != payment.StatusSucceeded || p.Method != payment.MethodTwint {
				t.Fatalf("renewal %d with the TWINT profile: %+v, %v", i, p, err)
			}
		}
		if b.count(t, "sandbox_checkouts") != checkouts {
			t.Fatal("charging the TWINT profile opened a checkout")
		}

		// Without SaveMethod, nothing is kept.
		once := b.checkout(t, payment.MethodTwint, chf(100), false, "de")
		wantReturn(t, br.post(once.RedirectURL+"/approve", nil), once)
		if res, _ := b.gw.Checkout(b.ctx, once.ID); res.SavedMethod != nil {
			t.Fatal("a TWINT payment without SaveMethod saved the profile")
		}
	})
}

// PostFinance Card pays in CHF only, at checkout and when charged.
func TestBIL4_PostFinanceOnlyInCHF(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		br := newBrowser(t, b.gw)
		_, err := b.gw.CreateCheckout(b.ctx, payment.CheckoutRequest{Amount: eur(1000), Method: payment.MethodPostFinance,
			ReturnURL: "/r", CancelURL: "/c", IdempotencyKey: "pf-eur"})
		wantCode(t, err, payment.CodeMethodNotAllowed)
		if _, err := b.gw.PaymentByKey(b.ctx, "pf-eur"); payment.Code(err) != payment.CodeNotFound {
			t.Fatalf("a refused checkout left a payment: %v", err)
		}

		co := b.checkout(t, payment.MethodPostFinance, chf(1000), true, "fr")
		if pg := br.get(co.RedirectURL); !strings.Contains(pg.body, "PostFinance Card") {
			t.Fatalf("PostFinance page: %.400s", pg.body)
		}
		wantReturn(t, br.post(co.RedirectURL+"/pay", cardForm(sandbox.CardVisa)), co)
		res, _ := b.gw.Checkout(b.ctx, co.ID)
		if res.Status != payment.CheckoutSucceeded || res.SavedMethod == nil || res.SavedMethod.Method != payment.MethodPostFinance ||
			res.SavedMethod.Label != "PostFinance Card •••• 4242" {
			t.Fatalf("PostFinance checkout: %+v", res.SavedMethod)
		}
		_, _, err = b.charge(t, res.SavedMethod.Token, eur(1000))
		wantCode(t, err, payment.CodeMethodNotAllowed)
		if p, _, err := b.charge(t, res.SavedMethod.Token, chf(1000)); err != nil || p.Method != payment.MethodPostFinance {
			t.Fatalf("PostFinance in CHF: %+v, %v", p, err)
		}
	})
}

// A checkout's idempotency key: the same request returns the same page;
// PaymentByKey finds its payment, even before the customer acts.
func TestBIL4_CheckoutIdempotency(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		req := payment.CheckoutRequest{Reference: "INV-1", Amount: chf(800), Method: payment.MethodCard,
			ReturnURL: "https://console.example.ch/billing/return", CancelURL: "https://console.example.ch/billing", IdempotencyKey: "co-1"}
		first, err := b.gw.CreateCheckout(b.ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		second, err := b.gw.CreateCheckout(b.ctx, req)
		if err != nil || second != first {
			t.Fatalf("same key twice: %+v, %v; want %+v", second, err, first)
		}
		req.Amount = chf(900)
		_, err = b.gw.CreateCheckout(b.ctx, req)
		wantCode(t, err, payment.CodeIdempotencyKeyReuse)
		p, err := b.gw.PaymentByKey(b.ctx, "co-1")
		if err != nil || p.CheckoutID != first.ID || p.Status != payment.StatusRequiresAction {
			t.Fatalf("PaymentByKey(checkout key) = %+v, %v", p, err)
		}
		for _, bad := range []payment.CheckoutRequest{
			{Amount: chf(0), Method: payment.MethodCard, ReturnURL: "/r", CancelURL: "/c", IdempotencyKey: "b1"}, // zero without saving
			{Amount: chf(100), Method: "iban", ReturnURL: "/r", CancelURL: "/c", IdempotencyKey: "b2"},
			{Amount: chf(100), Method: payment.MethodCard, ReturnURL: "javascript:alert(1)", CancelURL: "/c", IdempotencyKey: "b3"},
			{Amount: chf(100), Method: payment.MethodCard, ReturnURL: "/r", CancelURL: "/c", Language: "pt", IdempotencyKey: "b4"},
		} {
			_, err := b.gw.CreateCheckout(b.ctx, bad)
			wantCode(t, err, payment.CodeInvalidRequest)
		}
	})
}
