package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/devmode"
	"github.com/alpage/alpage/internal/idempotency"
	"github.com/alpage/alpage/internal/invite"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/product"
	"github.com/alpage/alpage/internal/ratelimit"
	"github.com/alpage/alpage/internal/renewal"
	"github.com/alpage/alpage/internal/security"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/team"
	"github.com/alpage/alpage/internal/token"
	"github.com/alpage/alpage/internal/webhook"
)

// DefaultRateLimit is the number of requests per rolling minute per token.
const DefaultRateLimit = 60

// Deps are what the API serves from.
type Deps struct {
	DB       *store.DB
	Clock    clock.Clock
	Logger   *slog.Logger
	Accounts *account.Service
	Orgs     *org.Service
	Tokens   *token.Service
	Teams    *team.Service
	Products *product.Service
	Catalog  *catalog.Service // PRD-1
	Billing  *billing.Service // PRD-2, PRD-3, BIL
	Renewal  *renewal.Service // REN, BIL-7, PRD-4
	Webhooks *webhook.Service // PRD-5: the operator's endpoints
	// BaseURL is the console's public URL ("https://manager.example"): the
	// payment pages send the customer back under it.
	BaseURL  string
	Invites  *invite.Service
	Notifier *notify.Notifier
	Security *security.Service // two-step sign-in, sessions and activity (SEC-1..7)
	DevClock *devmode.Clock    // nil unless serve --dev: then the _dev routes exist
	// RateLimit is the number of requests per rolling minute per token; 0
	// means DefaultRateLimit.
	RateLimit int
}

// server holds the dependencies of the handlers.
type server struct {
	d        Deps
	log      *slog.Logger
	limiter  *ratelimit.Limiter
	idem     *idempotency.Store
	mux      *http.ServeMux
	routes   []*route
	policies map[string]*route // net/http pattern → route
	api      huma.API
	spec     []byte // the OpenAPI document, rendered once
}

// New builds the API. The returned handler expects full paths (/api/1/…):
// mount it at "/api/".
func New(d Deps) (http.Handler, error) {
	s, err := build(d)
	if err != nil {
		return nil, err
	}
	return s.mux, nil
}

func build(d Deps) (*server, error) {
	if d.DB == nil || d.Clock == nil || d.Accounts == nil || d.Orgs == nil || d.Tokens == nil ||
		d.Teams == nil || d.Products == nil || d.Invites == nil || d.Security == nil || d.Catalog == nil || d.Billing == nil || d.Renewal == nil || d.Webhooks == nil {
		return nil, errors.New("api: DB, Clock, Accounts, Orgs, Tokens, Teams, Products, Invites, Security, Catalog, Billing, Renewal and Webhooks are required")
	}
	if d.DevClock != nil && d.Notifier == nil {
		return nil, errors.New("api: the test mode needs the Notifier for its outbox")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.RateLimit <= 0 {
		d.RateLimit = DefaultRateLimit
	}
	useEnvelopeErrors()
	s := &server{
		d: d, log: d.Logger,
		limiter:  ratelimit.New(d.DB, d.Clock),
		idem:     idempotency.New(d.DB, d.Clock),
		mux:      http.NewServeMux(),
		policies: map[string]*route{},
	}
	config := huma.DefaultConfig("alpage API", "1")
	config.CreateHooks = nil // no $schema member in bodies
	config.OpenAPIPath = ""  // served from s.spec, rendered once
	config.DocsPath = ""     // served by docs.go with the embedded swagger-ui
	config.SchemasPath = ""
	s.api = humago.NewWithPrefix(policyMux{s}, "/api", config)

	s.declareProfile()
	s.declareAccount()
	s.declareTokens()
	s.declareSecurity()
	s.declareSessions()
	s.declareAuthenticator()
	s.declarePasskeys()
	s.declareOrganizations()
	s.declareMembers()
	s.declareInvitations()
	s.declareTeams()
	s.declareProducts()
	s.declareCatalog()
	s.declareBilling()
	s.declareRenewal()
	s.declareOperator()
	if d.DevClock != nil {
		s.declareDev()
	}
	if err := s.mount(s.api); err != nil {
		return nil, err
	}
	s.document()
	spec, err := json.Marshal(s.api.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("api: rendering the OpenAPI document: %w", err)
	}
	s.spec = spec
	s.mux.HandleFunc("GET /api/openapi.json", s.serveSpec)
	s.mountDocs()
	s.mux.HandleFunc("/api/", s.unknown)
	return s, nil
}

// serveSpec answers the OpenAPI document.
func (s *server) serveSpec(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/openapi+json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(s.spec)
}
