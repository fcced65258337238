package testutil_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
	"github.com/alpage/alpage/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestForEachEngineRunsEveryEngineOnAMigratedDatabase(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[store.Engine]string{}
	t.Run("suite", func(t *testing.T) {
		testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
			if !strings.HasSuffix(t.Name(), "/"+string(db.Engine)) {
				t.Errorf("subtest %s got a %s database", t.Name(), db.Engine)
			}
			current, latest, err := db.MigrationVersions(t.Context())
			if err != nil || current != latest || current == 0 {
				t.Errorf("MigrationVersions = (%d, %d, %v): want a migrated database", current, latest, err)
			}
			mu.Lock()
			seen[db.Engine] = t.Name()
			mu.Unlock()
		})
	})
	if _, ok := seen[store.SQLite]; !ok {
		t.Fatalf("ForEachEngine did not run on SQLite (ran: %v)", seen)
	}
}

func TestArtifactDirIsPerTestAndStartsEmpty(t *testing.T) {
	t.Parallel()
	dir := testutil.ArtifactDir(t)
	if !strings.HasSuffix(filepath.ToSlash(dir), "/TestArtifactDirIsPerTestAndStartsEmpty") {
		t.Fatalf("ArtifactDir = %s, want a directory named after the test", dir)
	}
	if err := os.WriteFile(filepath.Join(dir, "old.png"), []byte("x"), 0o644); err != nil {
		t.Fatalf("writing an artifact: %v", err)
	}
	again := testutil.ArtifactDir(t)
	entries, err := os.ReadDir(again)
	if err != nil {
		t.Fatalf("reading %s: %v", again, err)
	}
	if again != dir || len(entries) != 0 {
		t.Fatalf("second ArtifactDir = %s with %d entries, want %s emptied", again, len(entries), dir)
	}
	if err := os.Remove(again); err != nil {
		t.Fatalf("removing %s: %v", again, err)
	}
}

func TestArtifactDirNestsSubtestsSafely(t *testing.T) {
	t.Parallel()
	t.Cleanup(func() { os.RemoveAll(testutil.ArtifactDir(t)) })
	t.Run("sign up: fr", func(t *testing.T) {
		dir := testutil.ArtifactDir(t)
		if filepath.Base(dir) != "sign_up__fr" || filepath.Base(filepath.Dir(dir)) != "TestArtifactDirNestsSubtestsSafely" {
			t.Fatalf("ArtifactDir = %s: want …/TestArtifactDirNestsSubtestsSafely/sign_up__fr", dir)
		}
	})
	t.Run("../escape", func(t *testing.T) {
		dir := testutil.ArtifactDir(t)
		if strings.Contains(dir, "..") || filepath.Base(filepath.Dir(filepath.Dir(dir))) != "TestArtifactDirNestsSubtestsSafely" {
			t.Fatalf("ArtifactDir = %s: want '..' neutralized inside the test's directory", dir)
		}
	})
}
