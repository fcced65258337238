package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorsMatchByCode(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("loading org: %w", NotFound.With("no such organization"))
	if !errors.Is(err, NotFound) {
		t.Fatal("errors.Is did not match a wrapped copy of NotFound")
	}
	if errors.Is(err, AccessDenied) {
		t.Fatal("errors.Is matched another code")
	}
	if e := As(err); e == nil || e.Status != 404 || e.Message != "no such organization" {
		t.Fatalf("As = %+v", e)
	}
}

func TestRegisterIsIdempotentAndListed(t *testing.T) {
	t.Parallel()
	a := Register("test_code_x", 422, "x")
	b := Register("test_code_x", 422, "y")
	if a != b {
		t.Fatal("registering a code twice returned two errors")
	}
	found := false
	for _, e := range All() {
		found = found || e.Code == "test_code_x"
	}
	if !found {
		t.Fatal("All() misses a registered code")
	}
}
