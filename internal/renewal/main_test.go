package renewal_test

import (
	"testing"

	"github.com/alpage/alpage/internal/testutil/pgtest"
)

// TestMain stops the PostgreSQL cluster the tests started.
func TestMain(m *testing.M) { pgtest.Main(m) }
