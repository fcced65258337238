package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/catalog"
)

// CatalogCmd groups the catalog commands (PRD-1).
type CatalogCmd struct {
	Import CatalogImportCmd `cmd:"" help:"Load the catalog (product types, offers, prices, VAT, seller) from a YAML or JSON file."`
}

// CatalogImportCmd validates a catalog file and makes it the catalog.
type CatalogImportCmd struct {
	File   string `arg:"" type:"existingfile" help:"The catalog file, YAML or JSON (see docs/catalog.md)."`
	DryRun bool   `name:"dry-run" help:"Only check the file and say what it holds; change nothing."`
	Database
}

// Run checks the whole file, then imports it; every problem is listed with
// its place in the file.
func (c *CatalogImportCmd) Run() error {
	f, err := os.Open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	cat, err := catalog.Parse(f)
	if err != nil {
		return describe(fmt.Errorf("%s: %w", c.File, err))
	}
	offers := 0
	for _, t := range cat.Types {
		offers += len(t.Offers)
	}
	summary := fmt.Sprintf("%d product types, %d offers, prices in %s", len(cat.Types), offers, strings.Join(cat.Currencies, ", "))
	if c.DryRun {
		fmt.Fprintf(os.Stderr, "%s is valid: %s (nothing imported)\n", c.File, summary)
		return nil
	}
	ctx := context.Background()
	a, err := app.Open(ctx, c.Database.config(quietLogger()), false)
	if err != nil {
		return err
	}
	defer a.Close()
	v, err := a.Catalog.Import(ctx, cat, filepath.Base(c.File), audit.Meta{})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(os.Stderr, "catalog imported: %s\n", summary)
	fmt.Println(v.ID)
	return nil
}
