package demo

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"

	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/catalog"
)

// catalogFile is the demo provider's catalog (PRD-1), also the example of
// the format in docs/catalog.md.
//
//go:embed catalog.yaml
var catalogFile []byte

// loadCatalog imports the demo catalog when the operator has none yet; an
// imported catalog is never replaced.
func loadCatalog(ctx context.Context, a *app.App) error {
	if _, err := a.Catalog.Current(ctx); !errors.Is(err, catalog.ErrEmpty) {
		return err
	}
	c, err := catalog.Parse(bytes.NewReader(catalogFile))
	if err != nil {
		return fmt.Errorf("demo: the demo catalog: %w", err)
	}
	_, err = a.Catalog.Import(ctx, c, "demo catalog", audit.Meta{})
	return err
}
