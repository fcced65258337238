package testutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EnvArtifacts names the environment variable that overrides where tests
// keep their artifacts (screenshots, generated PDFs). `make test` sets it to
// test-artifacts/ at the repository root, which is also the default.
const EnvArtifacts = "TEST_ARTIFACTS_DIR"

// ArtifactDir returns a directory for this test's artifacts, kept after the
// test ends: <artifacts>/<test name>, where <artifacts> is TEST_ARTIFACTS_DIR
// or test-artifacts/ at the repository root. Earlier artifacts of the same
// test are removed first.
func ArtifactDir(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvArtifacts)
	if base == "" {
		root, err := repoRoot()
		if err != nil {
			tb.Fatalf("testutil: finding the repository root for test-artifacts/: %v", err)
		}
		base = filepath.Join(root, "test-artifacts")
	}
	dir := filepath.Join(base, sanitize(tb.Name()))
	if err := os.RemoveAll(dir); err != nil {
		tb.Fatalf("testutil: clearing %s: %v", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("testutil: creating %s: %v", dir, err)
	}
	return dir
}

// repoRoot walks up from the working directory (the package being tested)
// to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// sanitize turns a test name (with / between subtests) into a relative path
// whose subtests are nested directories, with portable characters only and
// no "." or ".." element.
func sanitize(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		p = strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
				return r
			}
			return '_'
		}, p)
		if p == "" || p == "." || p == ".." {
			p = "_"
		}
		parts[i] = p
	}
	return filepath.Join(parts...)
}
