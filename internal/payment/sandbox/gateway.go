package sandbox

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/store"
)

// Name is the gateway's name in alpage's tables (payment.Gateway.Name).
const Name = "sandbox"

// Options configure a Gateway. Zero values take the documented defaults.
type Options struct {
	// BaseURL is where Handler is mounted: a path ("/sandbox", the default)
	// or an absolute URL ("https://console.example.ch/sandbox"). Checkout
	// redirect URLs start with it.
	BaseURL string
	// CheckoutTTL is how long a hosted page stays open; 24 hours by default.
	CheckoutTTL time.Duration
	// AuthorizationTTL is how long an authorization can be captured; 7 days
	// by default, as card schemes allow.
	AuthorizationTTL time.Duration
}

// Gateway is the sandbox payment gateway. It implements payment.Gateway
// with its state in the database and serves its hosted pages (Handler).
// It is safe for concurrent use, and several instances on one PostgreSQL
// database agree (only the outage seam, FailNext, is per instance).
type Gateway struct {
	db    *store.DB
	group *store.Group // the commits of concurrent calls (mutate)
	clock clock.Clock
	base  string // BaseURL without a trailing slash
	path  string // the path part of base: the handler's route prefix
	opts  Options

	mu       sync.Mutex
	failNext int // calls to fail before they reach the gateway
	loseNext int // calls whose answer is lost after they were carried out
}

var _ payment.Gateway = (*Gateway)(nil)

// New returns a sandbox gateway on db (migrated: the sandbox_* tables),
// reading time from clk.
func New(db *store.DB, clk clock.Clock, opts Options) (*Gateway, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = "/sandbox"
	}
	if opts.CheckoutTTL <= 0 {
		opts.CheckoutTTL = 24 * time.Hour
	}
	if opts.AuthorizationTTL <= 0 {
		opts.AuthorizationTTL = 7 * 24 * time.Hour
	}
	base := strings.TrimSuffix(opts.BaseURL, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("sandbox: the base URL %q must be a path or an http(s) URL", opts.BaseURL)
	}
	if u.Path == "" || !strings.HasPrefix(u.Path, "/") {
		return nil, fmt.Errorf("sandbox: the base URL %q needs a path such as /sandbox", opts.BaseURL)
	}
	return &Gateway{db: db, group: store.NewGroup(db), clock: clk, base: base, path: u.Path, opts: opts}, nil
}

// Name returns "sandbox".
func (g *Gateway) Name() string { return Name }

// FailNext is the outage seam for tests: the next n mutating API calls
// (CreateCheckout, Authorize, Capture, Cancel, Charge, Refund) fail with
// payment.ErrUnknownOutcome as a timeout would, without reaching the
// gateway. Nothing is recorded, so PaymentByKey answers payment.ErrNotFound
// and a retry with the same key is safe. The count is kept in this Gateway
// value only; FailNext(0) clears it.
func (g *Gateway) FailNext(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failNext = max(n, 0)
}

// LoseNextResponses is the other outage seam: the next n mutating API calls
// are carried out, but their answer is lost and they return
// payment.ErrUnknownOutcome, as when a gateway times out after charging.
// PaymentByKey then tells the truth, and a retry with the same key returns
// the result without charging again. LoseNextResponses(0) clears it.
func (g *Gateway) LoseNextResponses(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.loseNext = max(n, 0)
}

// lost reports whether the answer of a call is to be lost (FailNext before,
// LoseNextResponses after), and counts it.
func (g *Gateway) lost(before bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := &g.loseNext
	if before {
		n = &g.failNext
	}
	if *n > 0 {
		*n--
		return true
	}
	return false
}

// outage returns the error of a simulated outage.
func outage(what string) error {
	return payment.Errorf(payment.ErrUnknownOutcome, "sandbox: simulated timeout ("+what+"); ask PaymentByKey")
}

// checkoutURL is the hosted page of checkout id.
func (g *Gateway) checkoutURL(id string) string { return g.base + "/checkout/" + id }
