package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/alpage/alpage/internal/apperr"
)

type oapiOperation struct {
	OperationID string                     `json:"operationId"`
	Responses   map[string]json.RawMessage `json:"responses"`
	ErrorCodes  []string                   `json:"x-error-codes"`
	AliasOf     string                     `json:"x-alias-of"`
	Parameters  []oapiParam                `json:"parameters"`
}

type oapiParam struct {
	Name string `json:"name"`
	In   string `json:"in"`
}

type oapiDoc struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Description string `json:"description"`
	} `json:"info"`
	Servers []struct {
		URL string `json:"url"`
	} `json:"servers"`
	Paths      map[string]map[string]oapiOperation `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Enum []string `json:"enum"`
		} `json:"schemas"`
	} `json:"components"`
}

// Every route of the table is in the document, at its versioned path and
// its alias, with its parameters and every status and code it can answer;
// every registered error code is listed (API-5).
func TestAPI5_OpenAPIListsEveryRouteAndCode(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{dev: true})
	r := b.do(t, "GET", "/api/openapi.json", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	var doc oapiDoc
	if err := json.Unmarshal(r.raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api" {
		t.Fatalf("openapi %q, servers %v", doc.OpenAPI, doc.Servers)
	}
	if len(b.s.routes) < 10 {
		t.Fatalf("only %d routes in the table", len(b.s.routes))
	}
	ids := map[string]bool{}
	documented := 0
	for _, rt := range b.s.routes {
		for _, path := range []string{rt.versionedPath(), rt.Path} {
			op, ok := doc.Paths[path][strings.ToLower(rt.Method)]
			if !ok {
				t.Errorf("%s %s is not in the document", rt.Method, path)
				continue
			}
			documented++
			if ids[op.OperationID] {
				t.Errorf("operation id %s used twice", op.OperationID)
			}
			ids[op.OperationID] = true
			if path == rt.Path && op.AliasOf != rt.ID+"-v"+strconv.Itoa(rt.Version) {
				t.Errorf("%s %s: x-alias-of = %q", rt.Method, path, op.AliasOf)
			}
			// Path parameters are documented.
			for _, seg := range strings.Split(path, "/") {
				if strings.HasPrefix(seg, "{") {
					name := strings.Trim(seg, "{}")
					if !slices.ContainsFunc(op.Parameters, func(p oapiParam) bool { return p.Name == name && p.In == "path" }) {
						t.Errorf("%s %s: path parameter %s undocumented", rt.Method, path, name)
					}
				}
			}
			// Each code the route can answer is listed, with its status.
			for _, e := range rt.codes() {
				if !slices.Contains(op.ErrorCodes, e.Code) {
					t.Errorf("%s %s: x-error-codes lacks %s", rt.Method, path, e.Code)
				}
				resp, ok := op.Responses[strconv.Itoa(e.Status)]
				if !ok || !strings.Contains(string(resp), "`"+e.Code+"`") {
					t.Errorf("%s %s: response %d does not list %s", rt.Method, path, e.Status, e.Code)
				}
			}
			success := rt.Status
			if success == 0 {
				success = http.StatusOK
			}
			if _, ok := op.Responses[strconv.Itoa(success)]; !ok {
				t.Errorf("%s %s: no %d response", rt.Method, path, success)
			}
		}
	}
	// Filters are query parameters named as API.md says.
	for path, names := range map[string][]string{
		"/1/organizations/{org}/users":    {"filter[role]", "filter[team_id]", "page", "per_page"},
		"/1/organizations/{org}/products": {"filter[type]", "filter[status]", "page", "per_page"},
	} {
		for _, n := range names {
			if !slices.ContainsFunc(doc.Paths[path]["get"].Parameters, func(p oapiParam) bool { return p.Name == n && p.In == "query" }) {
				t.Errorf("GET %s: no query parameter %s", path, n)
			}
		}
	}
	// Nothing else is in the document either.
	total := 0
	for _, item := range doc.Paths {
		total += len(item)
	}
	if total != documented {
		t.Errorf("document has %d operations, the route table %d", total, documented)
	}
	// Every registered error code, in the ErrorCode schema and the table.
	enum := doc.Components.Schemas["ErrorCode"].Enum
	for _, e := range apperr.All() {
		if !slices.Contains(enum, e.Code) {
			t.Errorf("ErrorCode enum lacks %s", e.Code)
		}
		if !strings.Contains(doc.Info.Description, "| "+strconv.Itoa(e.Status)+" | `"+e.Code+"` |") {
			t.Errorf("info.description table lacks %s", e.Code)
		}
	}
	if len(enum) != len(apperr.All()) {
		t.Errorf("ErrorCode has %d codes, apperr %d", len(enum), len(apperr.All()))
	}
}

// pathParam matches a path parameter such as {org}.
var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)

// Every route of the table answers at both paths (not 404/405), so the
// document lists nothing that is not served.
func TestAPI5_EveryDocumentedRouteIsServed(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{dev: true})
	_, secret := b.user(t, "anna@example.ch")
	for _, rt := range b.s.routes {
		for _, path := range []string{rt.versionedPath(), rt.Path} {
			p := pathParam.ReplaceAllString(path, "00000000-0000-7000-8000-000000000000")
			var body any
			if rt.hasBody {
				body = `{"unknown_field":1}`
			}
			r := b.do(t, rt.Method, "/api"+p, secret, body)
			if r.status == http.StatusMethodNotAllowed || (r.status == http.StatusNotFound && !strings.Contains(p, "0000")) {
				t.Errorf("%s /api%s: %d %s", rt.Method, p, r.status, r.raw)
			}
		}
	}
}

func TestAPI5_HumanDocs(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{})
	r := b.do(t, "GET", "/api/docs", "", nil)
	page := string(r.raw)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("docs: %d %s", r.status, r.header)
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("CSP = %q", r.header.Get("Content-Security-Policy"))
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "https://") {
		t.Errorf("docs page has an inline script or a remote asset:\n%s", page)
	}
	for _, asset := range []string{"docs/assets/swagger-ui-bundle.js", "docs/assets/init.js", "docs/assets/swagger-ui.css"} {
		if !strings.Contains(page, asset) {
			t.Errorf("docs page does not load %s", asset)
		}
		a := b.do(t, "GET", "/api/"+asset, "", nil)
		if a.status != http.StatusOK || len(a.raw) == 0 {
			t.Errorf("%s: %d", asset, a.status)
		}
	}
	if a := b.do(t, "GET", "/api/docs/assets/init.js", "", nil); !strings.Contains(string(a.raw), "openapi.json") {
		t.Errorf("init.js does not load the document: %s", a.raw)
	}
}
