package app

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Arrows point down (DESIGN.md): web and api call domain packages; nothing
// below imports web or api, and domain packages do not import app.
func TestLayersPointDown(t *testing.T) {
	t.Parallel()
	const mod = "github.com/alpage/alpage/internal/"
	top := map[string]bool{"app": true, "web": true, "api": true, "e2e": true}
	forbidden := []string{mod + "web", mod + "api", mod + "app"}
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		rel, _ := filepath.Rel("..", path)
		pkg := strings.Split(filepath.ToSlash(rel), "/")[0]
		if top[pkg] || pkg == "demo" { // demo fills a running app
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if p == bad || strings.HasPrefix(p, bad+"/") {
					t.Errorf("%s imports %s: domain and lower packages must not import the HTTP layers or app", rel, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
