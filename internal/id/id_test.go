package id

import (
	"strings"
	"testing"
)

func TestValidAcceptsOnlyCanonicalIDs(t *testing.T) {
	t.Parallel()
	good := New()
	if !Valid(good) {
		t.Fatalf("Valid(New()) = false for %q", good)
	}
	for _, bad := range []string{"", "x", strings.ToUpper(good), "{" + good + "}", "urn:uuid:" + good,
		strings.ReplaceAll(good, "-", "")} {
		if Valid(bad) {
			t.Errorf("Valid(%q) = true", bad)
		}
	}
}

func TestNewIsSortableByTime(t *testing.T) {
	t.Parallel()
	a, b := New(), New()
	if a >= b {
		t.Fatalf("UUIDv7 %s made before %s sorts after it", a, b)
	}
}
