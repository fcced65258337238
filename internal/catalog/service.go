package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/id"
	"github.com/alpage/alpage/internal/store"
)

// Service stores and reads the catalog.
type Service struct {
	db    *store.DB
	clock clock.Clock

	// decoded is the last version read, decoded: a version is never
	// changed once imported, so that a reader checks the newest version's
	// id (one short query) and decodes its document only when it changed,
	// by an import of this instance or of another one.
	mu      sync.Mutex
	decoded Version
}

// New returns the catalog service.
func New(db *store.DB, clk clock.Clock) *Service {
	return &Service{db: db, clock: clk}
}

// Version is one import of the catalog.
type Version struct {
	ID         string
	Source     string // the file's name
	ImportedAt time.Time
	Catalog    Catalog
}

// Import stores c, validated by Parse, as the new catalog; source names the
// file. It is audited ("catalog.imported").
func (s *Service) Import(ctx context.Context, c Catalog, source string, meta audit.Meta) (Version, error) {
	doc, err := json.Marshal(c)
	if err != nil {
		return Version{}, fmt.Errorf("catalog: encoding: %w", err)
	}
	v := Version{ID: id.New(), Source: source, ImportedAt: s.clock.Now(), Catalog: c}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO catalog_versions (id, document, source, imported_at)
			VALUES ($1, $2, $3, $4)`, v.ID, string(doc), source, v.ImportedAt); err != nil {
			return fmt.Errorf("catalog: storing: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{ActorID: meta.ActorID, Action: "catalog.imported",
			IP: meta.IP, UserAgent: meta.UserAgent, CreatedAt: v.ImportedAt,
			Data: map[string]string{"version": v.ID, "source": source}})
	})
	if err != nil {
		return Version{}, err
	}
	return v, nil
}

// Current returns the newest catalog, or ErrEmpty before the first import.
// The catalog returned is the caller's own (a copy): changing it changes
// nothing else.
func (s *Service) Current(ctx context.Context) (Version, error) {
	return s.current(ctx, s.db)
}

// CurrentTx is Current inside a transaction.
func (s *Service) CurrentTx(ctx context.Context, tx *sql.Tx) (Version, error) {
	return s.current(ctx, tx)
}

// current reads the newest version's id and answers the decoded version
// kept for that id, or reads and decodes the version (and keeps it).
func (s *Service) current(ctx context.Context, q store.Querier) (Version, error) {
	// The newest version's id is read once per batch of changes (store.Remember).
	vid, err := store.Remember(ctx, "catalog.version", func() (string, error) {
		var vid string
		err := q.QueryRowContext(ctx, `SELECT id FROM catalog_versions ORDER BY imported_at DESC, id DESC LIMIT 1`).Scan(&vid)
		return vid, err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, ErrEmpty
	}
	if err != nil {
		return Version{}, fmt.Errorf("catalog: loading: %w", err)
	}
	s.mu.Lock()
	kept := s.decoded
	s.mu.Unlock()
	if kept.ID == vid {
		// Each caller gets its own copy, but for the callers of one batch
		// of changes (store.Remember), who share one and only read it.
		return store.Remember(ctx, "catalog.copy\x00"+vid, func() (Version, error) {
			kept.Catalog = kept.Catalog.Clone()
			return kept, nil
		})
	}
	v, err := load(ctx, q, vid)
	if err != nil {
		return Version{}, err
	}
	s.mu.Lock()
	s.decoded = v
	s.mu.Unlock()
	v.Catalog = v.Catalog.Clone()
	return v, nil
}

// load reads and decodes version vid.
func load(ctx context.Context, q store.Querier, vid string) (Version, error) {
	var v Version
	var doc string
	err := q.QueryRowContext(ctx, `SELECT id, document, source, imported_at FROM catalog_versions WHERE id = $1`, vid).
		Scan(&v.ID, &doc, &v.Source, &v.ImportedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, ErrEmpty
	}
	if err != nil {
		return Version{}, fmt.Errorf("catalog: loading: %w", err)
	}
	if err := json.Unmarshal([]byte(doc), &v.Catalog); err != nil {
		return Version{}, fmt.Errorf("catalog: decoding version %s: %w", v.ID, err)
	}
	v.ImportedAt = v.ImportedAt.UTC()
	return v, nil
}
