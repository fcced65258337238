package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/security"
)

var (
	pairingLinkRE   = regexp.MustCompile(`data-testid="pairing-link">[^<]*/phone/pair/([A-Za-z0-9_-]+)<`)
	pairingIDRE     = regexp.MustCompile(`/profile/security/phones/pairings/([0-9a-f-]{36})`)
	pushNumberRE    = regexp.MustCompile(`data-testid="push-number">(\d+)<`)
	requestActionRE = regexp.MustCompile(`action="/phone/requests/([0-9a-f-]{36})"`)
	requestNumberRE = regexp.MustCompile(`name="number" value="(\d+)"`)
)

// phoneBrowser is a second browser, a phone, with its own cookies.
func (b *testBundle) phoneBrowser() *browser {
	br := b.browser()
	br.lang = "en"
	return br
}

// linkPhone links a new phone to u through the services, as the console
// and the phone do; it returns the phone's browser, holding its cookie.
func (b *testBundle) linkPhone(u account.User) *browser {
	b.t.Helper()
	ctx := context.Background()
	p, err := b.security.StartPairing(ctx, u.ID, b.server.URL, audit.Meta{ActorID: u.ID})
	if err != nil {
		b.t.Fatal(err)
	}
	phone := b.phoneBrowser()
	if r := phone.post("/phone/pair/"+p.Token, url.Values{"name": {"Pixel 8"}}); r.status != http.StatusOK || phone.cookie(phoneCookie) == "" {
		b.t.Fatalf("claim: %d, cookie %q\n%s", r.status, phone.cookie(phoneCookie), r.body)
	}
	if _, err := b.security.ConfirmPairing(ctx, u.ID, p.ID, audit.Meta{ActorID: u.ID}); err != nil {
		b.t.Fatal(err)
	}
	return phone
}

// request returns the id and the three numbers of the one request the
// phone shows.
func (br *browser) request() (string, []int) {
	br.t.Helper()
	body := br.get("/phone/requests").body
	m := requestActionRE.FindStringSubmatch(body)
	if m == nil {
		br.t.Fatalf("no request on the phone:\n%s", body)
	}
	var numbers []int
	for _, n := range requestNumberRE.FindAllStringSubmatch(body, -1) {
		v, _ := strconv.Atoi(n[1])
		numbers = append(numbers, v)
	}
	return m[1], numbers
}

func (br *browser) htmx(path string) response {
	br.t.Helper()
	req, err := http.NewRequest(http.MethodGet, br.b.server.URL+path, nil)
	if err != nil {
		br.t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	if br.lang != "" {
		req.Header.Set("Accept-Language", br.lang)
	}
	resp, err := br.client.Do(req)
	if err != nil {
		br.t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return response{status: resp.StatusCode, body: sb.String(), location: resp.Header.Get("Location"), header: resp.Header}
}

func number(t *testing.T, body string) int {
	t.Helper()
	m := pushNumberRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no number on the page:\n%s", body)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// SEC-3 from a computer, without JavaScript: "Add a phone" shows a QR code
// and its link; the phone opens the link and claims it; "Check" shows the
// phone; Confirm links it and shows the backup codes (the first method).
func TestSEC3_PhoneLinkedFromTheComputerWithoutJavaScript(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	br := b.browser()
	br.signIn(u.Email)
	r := br.post("/profile/security/phones", nil)
	if r.status != http.StatusOK {
		t.Fatalf("add a phone: %d\n%s", r.status, r.body)
	}
	mustContain(t, r.body, `data-testid="pairing-qr"`, `src="data:image/svg&#43;xml;base64,`, `data-state="waiting"`)
	token := pairingLinkRE.FindStringSubmatch(r.body)
	pairing := pairingIDRE.FindStringSubmatch(r.body)
	if token == nil || pairing == nil {
		t.Fatalf("no pairing link or id:\n%s", r.body)
	}
	if !strings.Contains(r.body, b.server.URL+"/phone/pair/"+token[1]) {
		t.Errorf("the link is not on the console's address %s", b.server.URL)
	}

	phone := b.phoneBrowser()
	offer := phone.get("/phone/pair/" + token[1])
	mustContain(t, offer.body, `data-testid="pair-email">ada@example.ch<`, `manifest.webmanifest`)
	claim := phone.post("/phone/pair/"+token[1], url.Values{"name": {"Ada's Pixel"}})
	mustContain(t, claim.body, `data-testid="pair-claimed"`)
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: claim.header}).Cookies() {
		if c.Name == phoneCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" ||
		cookie.MaxAge < 360*24*3600 || !strings.HasPrefix(cookie.Value, "alpd_") {
		t.Fatalf("device cookie = %+v", cookie)
	}

	// The htmx poll sees the phone; so does "Check".
	frag := br.htmx("/profile/security/phones/pairings/" + pairing[1])
	if strings.Contains(frag.body, "<html") || !strings.Contains(frag.body, `data-state="claimed"`) ||
		!strings.Contains(frag.body, "Ada&#39;s Pixel") {
		t.Fatalf("poll answer:\n%s", frag.body)
	}
	check := br.post("/profile/security/phones/pairings/"+pairing[1]+"/check", url.Values{"token": {token[1]}})
	mustContain(t, check.body, `data-testid="pairing-qr"`, `data-testid="pairing-confirm"`)
	done := br.post("/profile/security/phones/pairings/"+pairing[1]+"/confirm", nil)
	mustContain(t, done.body, `data-testid="backup-codes-text"`)
	if codes := regexp.MustCompile(`\b[a-z0-9]{5}-[a-z0-9]{5}\b`).FindAllString(element(done.body, "textarea", `data-testid="backup-codes-text"`), -1); len(codes) != 10 {
		t.Errorf("backup codes shown: %s", codes)
	}
	sec := br.get("/profile/security")
	mustContain(t, sec.body, `data-testid="phone-name">Ada&#39;s Pixel<`)

	// The phone lists the account and gets its secret for offline codes.
	mustContain(t, phone.get("/phone/").body, `data-testid="phone-account-email">ada@example.ch<`)
	var codes struct {
		Linked   bool
		Accounts []struct{ Account, Secret string }
	}
	if err := json.Unmarshal([]byte(phone.get("/phone/codes.json").body), &codes); err != nil || !codes.Linked ||
		len(codes.Accounts) != 1 || codes.Accounts[0].Account != u.Email || codes.Accounts[0].Secret == "" {
		t.Fatalf("codes.json = %+v, %v", codes, err)
	}
	if err := b.signInWithCode(u, codes.Accounts[0].Secret); err != nil {
		t.Errorf("the phone's offline code: %v", err)
	}
	// A used pairing link says so on the phone.
	mustContain(t, b.phoneBrowser().get("/phone/pair/"+token[1]).body, "This link no longer works")
}

// signInWithCode runs a second step through the service with secret's code.
func (b *testBundle) signInWithCode(u account.User, secret string) error {
	token, err := b.security.StartChallenge(context.Background(), u.ID, audit.Meta{})
	if err != nil {
		return err
	}
	_, err = b.security.CompleteChallenge(context.Background(), token, b.code(secret), audit.Meta{})
	return err
}

// SEC-4 without JavaScript: the second step shows the number; "Continue"
// says the phone has not answered; the phone picks the number; the next
// poll signs the browser in.
func TestSEC4_PushApprovalAtSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	phone := b.linkPhone(u)
	br := b.browser()
	br.password(u.Email, "/profile")
	page := br.get("/signin/second-factor?next=%2Fprofile")
	n := number(t, page.body)
	mustContain(t, page.body, `hx-get="/signin/second-factor/push?next=%2Fprofile"`, `hx-trigger="every 2s"`,
		`action="/signin/second-factor"`, `href="/signin/second-factor/lost"`, `action="/signin/second-factor/push/again"`)
	if again := br.get("/signin/second-factor?next=%2Fprofile"); number(t, again.body) != n {
		t.Error("reloading the page changed the number")
	}
	wait := br.post("/signin/second-factor/push", url.Values{"next": {"/profile"}})
	mustContain(t, wait.body, "has not answered yet")
	if poll := br.htmx("/signin/second-factor/push?next=%2Fprofile"); poll.status != http.StatusOK || strings.Contains(poll.body, "<html") {
		t.Fatalf("poll before the answer: %d\n%s", poll.status, poll.body)
	}

	id, numbers := phone.request()
	if len(numbers) != 3 {
		t.Fatalf("the phone offers %v, want 3 numbers", numbers)
	}
	mustContain(t, phone.get("/phone/").body, `data-testid="request-account">ada@example.ch<`, "Go program")
	if r := phone.post("/phone/requests/"+id, url.Values{"number": {strconv.Itoa(n)}}); r.status != http.StatusSeeOther || r.location != "/phone/?approved=1" {
		t.Fatalf("YES: %d %q\n%s", r.status, r.location, r.body)
	}
	poll := br.htmx("/signin/second-factor/push?next=%2Fprofile")
	if poll.status != http.StatusNoContent || poll.header.Get("HX-Redirect") != "/profile" || br.cookie(sessionCookie) == "" {
		t.Fatalf("poll after YES: %d, HX-Redirect %q, session %q", poll.status, poll.header.Get("HX-Redirect"), br.cookie(sessionCookie))
	}
	if r := br.get("/profile"); r.status != http.StatusOK {
		t.Errorf("signed in: /profile answers %d", r.status)
	}
}

// SEC-4: NO on the phone refuses the sign-in; the browser says so.
func TestSEC4_PushRefusedOnThePhone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "fr")
	phone := b.linkPhone(u)
	br := b.browser()
	br.lang = "fr-CH"
	br.password(u.Email, "")
	number(t, br.get("/signin/second-factor").body)
	id, _ := phone.request()
	if r := phone.post("/phone/requests/"+id, url.Values{"answer": {"no"}}); r.location != "/phone/?rejected=1" {
		t.Fatalf("NO: %d %q", r.status, r.location)
	}
	poll := br.htmx("/signin/second-factor/push")
	mustContain(t, poll.body, `data-state="rejected"`, `hx-swap-oob="true"`, "La connexion a été refusée sur votre téléphone")
	if br.cookie(challengeCookie) != "" {
		t.Error("the refused sign-in's cookie is kept")
	}
	if br.cookie(sessionCookie) != "" {
		t.Error("a session was opened")
	}
}

// SEC-4: a wrong number on the phone rejects the request; the phone says
// why.
func TestSEC4_WrongNumberOnThePhoneRefuses(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	phone := b.linkPhone(u)
	br := b.browser()
	br.password(u.Email, "")
	n := number(t, br.get("/signin/second-factor").body)
	id, numbers := phone.request()
	wrong := numbers[0]
	if wrong == n {
		wrong = numbers[1]
	}
	r := phone.post("/phone/requests/"+id, url.Values{"number": {strconv.Itoa(wrong)}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong number: %d", r.status)
	}
	mustContain(t, r.body, "That was not the number shown on your computer")
	refused := br.post("/signin/second-factor/push", url.Values{})
	mustContain(t, refused.body, `data-state="rejected"`, `data-testid="push-signin-again"`)
}

// SEC-4: two minutes without an answer refuse the sign-in; "Send again"
// before that gives a new request.
func TestSEC4_PushExpiresAfterTwoMinutesAndSendAgain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	phone := b.linkPhone(u)
	br := b.browser()
	br.password(u.Email, "")
	br.get("/signin/second-factor")
	first, _ := phone.request()
	b.clock.Advance(time.Minute)
	if r := br.post("/signin/second-factor/push/again", url.Values{}); r.status != http.StatusSeeOther || r.location != "/signin/second-factor" {
		t.Fatalf("send again: %d %q", r.status, r.location)
	}
	n := number(t, br.get("/signin/second-factor").body)
	second, _ := phone.request()
	if second == first {
		t.Fatal("send again kept the same request")
	}
	b.clock.Advance(security.PushTTL - time.Second)
	mustContain(t, br.htmx("/signin/second-factor/push").body, `data-state="pending"`)
	b.clock.Advance(time.Second)
	mustContain(t, br.htmx("/signin/second-factor/push").body, `data-state="expired"`, "did not answer within 2 minutes")
	r := phone.post("/phone/requests/"+second, url.Values{"number": {strconv.Itoa(n)}})
	if r.status != http.StatusGone {
		t.Errorf("approving after 2 minutes: %d, want 410", r.status)
	}
	if rr := br.get("/signin/second-factor"); rr.status != http.StatusSeeOther {
		t.Errorf("the second step after the refusal: %d", rr.status)
	}
}

// SEC-3 from the phone itself: e-mail and password, the code when two-step
// sign-in is on, then "Allow".
func TestSEC3_AccountAddedFromThePhone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.user("ada@example.ch", "en")
	max := b.user("max@example.ch", "en")
	phone := b.phoneBrowser()
	mustContain(t, phone.get("/phone/").body, `data-testid="phone-empty"`, `href="/phone/link"`)
	r := phone.post("/phone/link", url.Values{"email": {ada.Email}, "password": {"wrong password!"}})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", r.status)
	}
	r = phone.post("/phone/link", url.Values{"email": {ada.Email}, "password": {testPassword}})
	mustContain(t, r.body, `action="/phone/link/allow"`)
	r = phone.post("/phone/link/allow", url.Values{"name": {"Phone of Ada"}})
	mustContain(t, r.body, `data-testid="backup-codes-text"`)
	if phone.cookie(phoneCookie) == "" || phone.cookie(phoneLinkCookie) != "" {
		t.Fatal("the phone has no device cookie, or kept the pending link")
	}

	// Max has one-time codes on: the code step comes first.
	secret, _ := b.enableTOTP(max)
	r = phone.post("/phone/link", url.Values{"email": {max.Email}, "password": {testPassword}})
	mustContain(t, r.body, `action="/phone/link/code"`)
	if r = phone.post("/phone/link/code", url.Values{"code": {"000000"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code: %d", r.status)
	}
	r = phone.post("/phone/link/code", url.Values{"code": {b.code(secret)}})
	mustContain(t, r.body, `action="/phone/link/allow"`)
	if r = phone.post("/phone/link/allow", url.Values{}); r.status != http.StatusSeeOther || r.location != "/phone/?linked=1" {
		t.Fatalf("allow, second method: %d %q", r.status, r.location)
	}
	home := phone.get("/phone/?linked=1").body
	mustContain(t, home, `>ada@example.ch<`, `>max@example.ch<`)

	// The phone drops Ada's account.
	accounts := regexp.MustCompile(`action="/phone/accounts/([0-9a-f-]{36})/remove"`).FindAllStringSubmatch(home, -1)
	if len(accounts) != 2 {
		t.Fatalf("remove forms: %v", accounts)
	}
	if r := phone.post("/phone/accounts/"+ada.ID+"/remove", nil); r.location != "/phone/?removed=1" {
		t.Fatalf("remove: %d %q", r.status, r.location)
	}
	if on, _ := b.security.Required(context.Background(), ada.ID); on {
		t.Error("Ada's two-step sign-in is still on without a method")
	}
}

// SEC-5: a phone is removed from the security page with the password.
func TestSEC5_PhoneRemovedFromTheSecurityPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	b.linkPhone(u)
	st, err := b.security.Status(context.Background(), u.ID)
	if err != nil || len(st.Phones) != 1 {
		t.Fatal(st, err)
	}
	br := b.browser()
	br.password(u.Email, "")
	codes := b.signInCodes(u)
	if r := br.post("/signin/second-factor", url.Values{"code": {codes}}); r.status != http.StatusSeeOther {
		t.Fatalf("second step: %d", r.status)
	}
	path := "/profile/security/phones/" + st.Phones[0].ID + "/remove"
	r := br.post(path, url.Values{"password": {"wrong password!"}})
	if r.status == http.StatusSeeOther {
		t.Fatal("removed with a wrong password")
	}
	mustContain(t, r.body, `data-testid="phone-row"`)
	if r := br.post(path, url.Values{"password": {testPassword}}); r.status != http.StatusSeeOther ||
		r.location != "/profile/security?phone_removed=1#method-push" {
		t.Fatalf("remove: %d %q", r.status, r.location)
	}
	if r := br.post(path, url.Values{"password": {testPassword}}); r.status != http.StatusNotFound {
		t.Errorf("removed twice: %d", r.status)
	}
}

// signInCodes returns the current one-time code of u's first phone.
func (b *testBundle) signInCodes(u account.User) string {
	b.t.Helper()
	st, err := b.security.Status(context.Background(), u.ID)
	if err != nil || len(st.Phones) == 0 {
		b.t.Fatal(st, err)
	}
	codes, err := b.security.PhoneCodes(context.Background(), st.Phones[0].ID)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.code(codes[0].Secret)
}

// The phone page is installable: a manifest and a service worker scoped to
// /phone/ that keeps the page and its assets.
func TestSEC3_PhonePageIsInstallable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.phoneBrowser()
	m := br.get("/phone/manifest.webmanifest")
	var manifest map[string]any
	if err := json.Unmarshal([]byte(m.body), &manifest); err != nil || m.header.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("manifest: %v %q\n%s", err, m.header.Get("Content-Type"), m.body)
	}
	if manifest["start_url"] != "/phone/" || manifest["scope"] != "/phone/" || manifest["display"] != "standalone" {
		t.Errorf("manifest = %v", manifest)
	}
	sw := br.get("/phone/sw.js")
	if !strings.HasPrefix(sw.header.Get("Content-Type"), "text/javascript") || !strings.Contains(sw.body, `const SHELL = ["/phone/","/static/`) ||
		!strings.Contains(sw.body, "phone.js") || !strings.Contains(sw.body, `addEventListener("fetch"`) {
		t.Errorf("service worker: %q\n%.300s", sw.header.Get("Content-Type"), sw.body)
	}
	if r := br.get("/phone"); r.status != http.StatusSeeOther || r.location != "/phone/" {
		t.Errorf("/phone: %d %q", r.status, r.location)
	}
	if r := br.get("/phone/codes.json"); !strings.Contains(r.body, `"linked":false`) {
		t.Errorf("codes.json without a phone: %s", r.body)
	}
}

// SEC-4 without JavaScript: the page opened again after two minutes says
// the sign-in was refused.
func TestSEC4_PushRanOutWhileThePageWasAway(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.user("ada@example.ch", "en")
	b.linkPhone(u)
	br := b.browser()
	br.password(u.Email, "")
	br.get("/signin/second-factor")
	b.clock.Advance(security.PushTTL)
	r := br.get("/signin/second-factor")
	mustContain(t, r.body, `data-state="expired"`, `data-testid="push-signin-again"`)
	if strings.Contains(r.body, `action="/signin/second-factor"`) {
		t.Error("the code form is still offered after the refusal")
	}
}
