package billing

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/authz"
	"github.com/alpage/alpage/internal/calendar"
	"github.com/alpage/alpage/internal/catalog"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/notify"
	"github.com/alpage/alpage/internal/org"
	"github.com/alpage/alpage/internal/payment"
	"github.com/alpage/alpage/internal/store"
)

// Service is the billing domain: orders, invoices, payments, saved
// methods, the prepaid account, bank files and refunds.
type Service struct {
	db       *store.DB
	clock    clock.Clock
	catalog  *catalog.Service
	notifier *notify.Notifier
	gateway  payment.Gateway
	events   Publisher                                              // PRD-5 events; nil publishes nothing (UsePublisher)
	renewed  func(ctx context.Context, tx *sql.Tx, r Renewed) error // OnRenewed
	// checkoutTTL is how long an attempt waits for the customer's return.
	checkoutTTL time.Duration
}

// New returns the billing service. gateway is the payment service provider
// (the sandbox in development, the demo and tests); notifier sends the
// billing notices in the transaction of each change.
func New(db *store.DB, clk clock.Clock, cat *catalog.Service, notifier *notify.Notifier, gateway payment.Gateway) *Service {
	return &Service{db: db, clock: clk, catalog: cat, notifier: notifier, gateway: gateway,
		checkoutTTL: 24 * time.Hour}
}

// canSee decides access to the organization's billing (ORG-8): a stranger
// gets object_not_found, a member without the billing right
// billing_right_required (403).
func (s *Service) canSee(ctx context.Context, q store.Querier, userID, orgID string) error {
	actor, err := org.ActorOf(ctx, q, userID, orgID)
	if err != nil {
		return err
	}
	return authz.Allow(actor, authz.ViewBilling)
}

// canSeeObject is canSee for one object: every refusal is object_not_found,
// so that ids leak nothing (ORG-9).
func (s *Service) canSeeObject(ctx context.Context, q store.Querier, userID, orgID string) error {
	if err := s.canSee(ctx, q, userID, orgID); err != nil {
		if e := apperr.As(err); e != nil {
			return apperr.NotFound
		}
		return err
	}
	return nil
}

// forUpdate is the row lock clause: PostgreSQL locks rows; SQLite
// transactions are serialized already.
func (s *Service) forUpdate() string {
	if s.db.Engine == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// today is the calendar day of now in the catalog's time zone.
func (s *Service) today(cat catalog.Catalog) calendar.Date {
	return calendar.Today(s.clock.Now(), cat.Location())
}

// currentCatalog loads the current catalog, inside tx when tx is not nil
// (SQLite has one connection: inside a transaction, never use the pool).
func (s *Service) currentCatalog(ctx context.Context, tx *sql.Tx) (catalog.Catalog, error) {
	var v catalog.Version
	var err error
	if tx != nil {
		v, err = s.catalog.CurrentTx(ctx, tx)
	} else {
		v, err = s.catalog.Current(ctx)
	}
	return v.Catalog, err
}

// derivedKey makes a gateway idempotency key from the organization, the
// caller's key and the part it is for: the same request gives the same key,
// two organizations never share one.
func derivedKey(orgID, key, part string) string {
	sum := sha256.Sum256([]byte(orgID + "\x00" + key))
	return fmt.Sprintf("%s-%s", hex.EncodeToString(sum[:16]), part)
}
