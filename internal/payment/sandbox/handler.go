package sandbox

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/boombuler/barcode/qr"

	"github.com/alpage/alpage/internal/payment"
)

//go:embed templates/page.html templates/sandbox.css
var assets embed.FS

var pageTemplate = template.Must(template.ParseFS(assets, "templates/page.html"))

// Handler serves the hosted checkout pages under the path of
// Options.BaseURL ("/sandbox" by default); mount it there:
//
//	mux.Handle("/sandbox/", gw.Handler())
//
// GET {base}/checkout/{id} shows the page of the checkout's method; its
// forms post to …/pay (card, PostFinance Card), …/approve (PayPal, Twint)
// and …/cancel, then redirect (303) to ReturnURL?checkout={id}, or to
// CancelURL?checkout={id} on cancel. The forms carry no token: the app's
// cross-origin protection (http.CrossOriginProtection) guards them.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	p := g.path
	mux.HandleFunc("GET "+p+"/checkout/{id}", g.showPage)
	mux.HandleFunc("POST "+p+"/checkout/{id}/pay", g.payCard)
	mux.HandleFunc("POST "+p+"/checkout/{id}/approve", g.approve)
	mux.HandleFunc("POST "+p+"/checkout/{id}/cancel", g.cancel)
	mux.HandleFunc("GET "+p+"/sandbox.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(w, r, assets, "templates/sandbox.css")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

// page is what the template shows.
type page struct {
	T         map[string]string
	Lang      string
	Base      string
	State     string // "form", "expired", "finished", "not_found"
	Form      string // "card", "paypal", "twint"
	Heading   string
	ID        string
	Reference string
	Amount    string // "CHF 12.50"; empty when only saving a method
	WillSave  bool
	Problem   string
	Number    string
	Expiry    string
	Name      string
	Email     string
	QR        template.HTML
	TestCards []testCardRow
	BackURL   string
}

type testCardRow struct{ Number, Outcome string }

// newPage fills the page of checkout c.
func (g *Gateway) newPage(c checkout) page {
	t := texts(c.language)
	p := page{T: t, Lang: c.language, Base: g.path, State: "form", ID: c.ID, Reference: c.Reference,
		WillSave: c.saveMethod, Email: "buyer@example.com"}
	if p.Lang == "" {
		p.Lang = "en"
	}
	if c.Amount.Minor > 0 {
		p.Amount = amountText(c.Amount)
	}
	switch c.Method {
	case payment.MethodCard, payment.MethodPostFinance:
		p.Form, p.Heading = "card", t[string(c.Method)]
		for _, tc := range TestCards {
			outcome := t["out_"+tc.Behavior]
			if tc.Saves {
				outcome = t["out_saves_then_declines"]
			}
			p.TestCards = append(p.TestCards, testCardRow{Number: tc.Number, Outcome: brandName(tc.Brand) + " — " + outcome})
		}
	case payment.MethodPayPal:
		p.Form, p.Heading = "paypal", t["paypal_title"]
	case payment.MethodTwint:
		p.Form, p.Heading = "twint", "TWINT"
		p.QR = qrSVG(g.checkoutURL(c.ID))
	}
	switch c.Status {
	case payment.CheckoutOpen:
	case payment.CheckoutExpired:
		p.State, p.BackURL = "expired", withCheckout(c.cancelURL, c.ID)
	case payment.CheckoutCanceled:
		p.State, p.BackURL = "finished", withCheckout(c.cancelURL, c.ID)
	default:
		p.State, p.BackURL = "finished", withCheckout(c.returnURL, c.ID)
	}
	return p
}

func (g *Gateway) showPage(w http.ResponseWriter, r *http.Request) {
	c, ok := g.pageCheckout(w, r)
	if !ok {
		return
	}
	g.render(w, r, http.StatusOK, g.newPage(c))
}

// pageCheckout loads the checkout named in the path, answering 404 (or
// 500) itself when it cannot.
func (g *Gateway) pageCheckout(w http.ResponseWriter, r *http.Request) (checkout, bool) {
	c, err := loadCheckout(r.Context(), g.db, r.PathValue("id"), g.clock.Now())
	if payment.Code(err) == payment.CodeNotFound {
		g.render(w, r, http.StatusNotFound, page{T: texts("en"), Lang: "en", Base: g.path, State: "not_found"})
		return checkout{}, false
	}
	if err != nil {
		g.fail(w, r, err)
		return checkout{}, false
	}
	return c, true
}

// payCard handles the card form (card and PostFinance Card).
func (g *Gateway) payCard(w http.ResponseWriter, r *http.Request) {
	c, ok := g.pageCheckout(w, r)
	if !ok {
		return
	}
	if c.Method != payment.MethodCard && c.Method != payment.MethodPostFinance {
		http.Error(w, "this checkout is not paid by card", http.StatusBadRequest)
		return
	}
	if c.Status != payment.CheckoutOpen {
		g.finished(w, r, c)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return
	}
	p := g.newPage(c)
	p.Number, p.Expiry, p.Name = r.PostForm.Get("number"), r.PostForm.Get("expiry"), strings.TrimSpace(r.PostForm.Get("name"))
	card, problem := checkNumber(p.Number)
	month, year, okExpiry := parseExpiry(p.Expiry)
	switch {
	case problem != "":
	case !okExpiry:
		problem = problemExpiry
	case expired(month, year, g.clock.Now()):
		problem = problemExpired
	case !validCVC(r.PostForm.Get("cvc")):
		problem = problemCVC
	case p.Name == "":
		problem = problemName
	}
	if problem != "" {
		p.Problem = p.T[problem]
		g.render(w, r, http.StatusUnprocessableEntity, p)
		return
	}
	g.act(w, r, c, outcome{method: cardMethod(c.Method, card, month, year)})
}

// approve handles PayPal's and Twint's approval.
func (g *Gateway) approve(w http.ResponseWriter, r *http.Request) {
	c, ok := g.pageCheckout(w, r)
	if !ok {
		return
	}
	if c.Method != payment.MethodPayPal && c.Method != payment.MethodTwint {
		http.Error(w, "this checkout is not paid by PayPal or TWINT", http.StatusBadRequest)
		return
	}
	if c.Status != payment.CheckoutOpen {
		g.finished(w, r, c)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return
	}
	m := savedMethod{SavedMethod: payment.SavedMethod{Method: c.Method, Brand: string(c.Method), Label: "TWINT"},
		behavior: behaviorSucceed}
	if c.Method == payment.MethodPayPal {
		email := strings.TrimSpace(r.PostForm.Get("email"))
		if !strings.Contains(email, "@") || len(email) > 254 {
			p := g.newPage(c)
			p.Email, p.Problem = email, p.T["err_email"]
			g.render(w, r, http.StatusUnprocessableEntity, p)
			return
		}
		m.Label = "PayPal " + email
	}
	g.act(w, r, c, outcome{method: m})
}

func (g *Gateway) cancel(w http.ResponseWriter, r *http.Request) {
	c, ok := g.pageCheckout(w, r)
	if !ok {
		return
	}
	if c.Status != payment.CheckoutOpen {
		g.finished(w, r, c)
		return
	}
	g.act(w, r, c, outcome{cancel: true})
}

// act records the customer's action and sends the browser back.
func (g *Gateway) act(w http.ResponseWriter, r *http.Request, c checkout, o outcome) {
	err := g.complete(r.Context(), c.ID, o)
	if err != nil && !errors.Is(err, errFinished) {
		g.fail(w, r, err)
		return
	}
	// Read the outcome again: a concurrent submission may have won.
	c, err = loadCheckout(r.Context(), g.db, c.ID, g.clock.Now())
	if err != nil {
		g.fail(w, r, err)
		return
	}
	g.finished(w, r, c)
}

// finished sends the browser of a checkout that is no longer open back to
// the shop: the cancel URL when canceled, the return URL otherwise; an
// expired checkout shows its page.
func (g *Gateway) finished(w http.ResponseWriter, r *http.Request, c checkout) {
	switch c.Status {
	case payment.CheckoutOpen, payment.CheckoutExpired:
		g.render(w, r, http.StatusOK, g.newPage(c))
	case payment.CheckoutCanceled:
		http.Redirect(w, r, withCheckout(c.cancelURL, c.ID), http.StatusSeeOther)
	default:
		http.Redirect(w, r, withCheckout(c.returnURL, c.ID), http.StatusSeeOther)
	}
}

func (g *Gateway) render(w http.ResponseWriter, r *http.Request, status int, p page) {
	var b strings.Builder
	if err := pageTemplate.Execute(&b, p); err != nil {
		g.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

func (g *Gateway) fail(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "sandbox checkout page", "path", r.URL.Path, "error", err)
	http.Error(w, "sandbox: something went wrong", http.StatusInternalServerError)
}

// withCheckout adds checkout={id} to a return or cancel URL.
func withCheckout(raw, checkoutID string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("checkout", checkoutID)
	u.RawQuery = q.Encode()
	return u.String()
}

// parseExpiry reads "MM/YY", "MM / YY" or "MM/YYYY".
func parseExpiry(s string) (month, year int, ok bool) {
	m, y, found := strings.Cut(strings.ReplaceAll(s, " ", ""), "/")
	if !found || len(m) < 1 || len(m) > 2 || (len(y) != 2 && len(y) != 4) || !allDigits(m) || !allDigits(y) {
		return 0, 0, false
	}
	month, _ = strconv.Atoi(m)
	year, _ = strconv.Atoi(y)
	if len(y) == 2 {
		year += 2000
	}
	return month, year, validExpiry(month, year)
}

func validCVC(s string) bool {
	s = strings.TrimSpace(s)
	return (len(s) == 3 || len(s) == 4) && allDigits(s)
}

// qrSVG draws content as a QR code in SVG (the TWINT page's code).
func qrSVG(content string) template.HTML {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return ""
	}
	size := code.Bounds().Dx()
	const quiet = 4
	full := size + 2*quiet
	var path strings.Builder
	for y := range size {
		for x := range size {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img" aria-label="TWINT QR code"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		full, full, full, full, path.String())) // #nosec G203 -- built from numbers only
}
