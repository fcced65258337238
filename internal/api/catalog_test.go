package api

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/catalog"
)

// PRD-1: GET /api/1/catalog lists types, offers, periods and prices as
// decimal strings per currency, with names in the caller's language.
func TestPRD1_CatalogAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	_, secret := b.userIn(t, "lea@example.ch", "fr")
	b.do(t, http.MethodGet, "/api/1/catalog", secret, nil).wantError(t, http.StatusConflict, "catalog_empty")

	f, err := os.Open("../demo/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := catalog.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.catalog.Import(context.Background(), c, "catalog.yaml", audit.Meta{}); err != nil {
		t.Fatal(err)
	}
	d := b.do(t, http.MethodGet, "/api/1/catalog", secret, nil).wantStatus(t, http.StatusOK).data(t)
	if d["time_zone"] != "Europe/Zurich" || len(d["currencies"].([]any)) != 2 {
		t.Fatalf("catalog = %v", d)
	}
	vat := d["vat"].([]any)[0].(map[string]any)
	if vat["rate"] != "8.1" || vat["from"] != "2024-01-01" {
		t.Errorf("newest VAT rate = %v, want 8.1 %% from 2024-01-01", vat)
	}
	domain := d["types"].([]any)[0].(map[string]any)
	if domain["type"] != "domain" || domain["name"] != "Nom de domaine" {
		t.Errorf("first type = %v %v, want domain named in French", domain["type"], domain["name"])
	}
	ch := domain["offers"].([]any)[0].(map[string]any)
	periods := ch["periods"].([]any)
	last := periods[len(periods)-1].(map[string]any)
	if ch["plan"] != ".ch" || last["period"] != "10y" || last["months"] != float64(120) {
		t.Errorf(".ch offer = %v", ch)
	}
	price := last["prices"].([]any)[0].(map[string]any)
	if price["amount"] != "150.00" || price["currency"] != "CHF" {
		t.Errorf("10y price = %v, want {150.00 CHF}", price)
	}
	b.do(t, http.MethodGet, "/api/1/catalog", "", nil).wantError(t, http.StatusUnauthorized, "not_authorized")
}
