package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/alpage/alpage/internal/store"
)

// A memo loads each key once per batch, keeps no error, and is absent
// outside a batch.
func TestRememberLoadsOncePerBatch(t *testing.T) {
	loads := 0
	load := func() (string, error) { loads++; return "v", nil }
	ctx := context.Background()
	for range 2 {
		if v, err := store.Remember(ctx, "k", load); err != nil || v != "v" {
			t.Fatalf("Remember = %q, %v", v, err)
		}
	}
	if loads != 2 {
		t.Fatalf("without a memo: %d loads, want 2", loads)
	}
	batch := store.WithMemo(ctx)
	loads = 0
	for range 3 {
		if v, err := store.Remember(batch, "k", load); err != nil || v != "v" {
			t.Fatalf("Remember = %q, %v", v, err)
		}
	}
	if loads != 1 {
		t.Fatalf("in a batch: %d loads, want 1", loads)
	}
	failed := 0
	fail := func() (int, error) { failed++; return 0, errors.New("down") }
	for range 2 {
		if _, err := store.Remember(batch, "f", fail); err == nil {
			t.Fatal("Remember kept no error, want the load's")
		}
	}
	if failed != 2 {
		t.Fatalf("a failed load was kept: %d loads, want 2", failed)
	}
}
