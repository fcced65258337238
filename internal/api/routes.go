package api

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alpage/alpage/internal/account"
	"github.com/alpage/alpage/internal/apperr"
)

// route is one operation of the API, declared once in the route table and
// mounted at /api/{version}{path} and, for the newest version of the path, at
// /api{path} (API-2).
type route struct {
	Version     int
	Method      string
	Path        string // without /api and the version: "/profile/tokens/{token}"
	ID          string // operation id of the unversioned alias; the versioned one adds "-v{n}"
	Summary     string
	Description string
	Tag         string
	Public      bool            // no token needed (test mode only)
	Scope       string          // scope the token needs; "" means ScopeAll
	Status      int             // success status; 0 means 200
	Codes       []*apperr.Error // refusals of the handler itself (object_not_found…)
	// Secret marks a response that carries a secret shown once (a token,
	// a one-time-code secret, backup codes): with an Idempotency-Key the
	// request still runs once, but its response is never stored, and a
	// replay answers secret_shown_once.
	Secret bool

	hasInput bool // parameters or a body that Huma validates
	hasBody  bool
	register func(api huma.API, op huma.Operation)
}

// add declares an operation. The handler returns domain errors as they come:
// they are mapped to the envelope here, in one place.
func add[I, O any](s *server, r route, h func(context.Context, *I) (*O, error)) {
	in := reflect.TypeFor[I]()
	r.hasInput, r.hasBody = inputShape(in)
	r.register = func(api huma.API, op huma.Operation) {
		huma.Register(api, op, func(ctx context.Context, input *I) (*O, error) {
			out, err := h(ctx, input)
			if err != nil {
				return nil, toProblem(ctx, s.log, err)
			}
			return out, nil
		})
	}
	s.routes = append(s.routes, &r)
}

// inputShape reports whether an input struct has parameters and a body.
func inputShape(t reflect.Type) (params, body bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == "Body" {
			params, body = true, true
			continue
		}
		if f.Anonymous {
			p, b := inputShape(f.Type)
			params, body = params || p, body || b
			continue
		}
		for _, tag := range []string{"query", "path", "header"} {
			if _, ok := f.Tag.Lookup(tag); ok {
				params = true
			}
		}
	}
	return params, body
}

// codes returns every error the operation can answer: its own and the
// platform's, sorted by status then code.
func (r *route) codes() []*apperr.Error {
	all := append([]*apperr.Error{apperr.Unexpected}, r.Codes...)
	if r.hasInput {
		all = append(all, apperr.Validation)
	}
	if r.hasBody {
		all = append(all, apperr.InvalidJSON, apperr.BadRequest, apperr.TooLarge, errUnsupportedMT)
	}
	if !r.Public {
		all = append(all, apperr.NotAuthorized, apperr.AccessDenied, apperr.TooManyRequests, account.ErrAccountInRecovery)
		if r.Method == http.MethodPost {
			all = append(all, apperr.IdempotencyReuse, apperr.InProgress, apperr.BadRequest)
		}
		if r.Secret {
			all = append(all, ErrSecretShownOnce)
		}
	}
	seen := map[string]bool{}
	out := all[:0:0]
	for _, e := range all {
		if !seen[e.Code] {
			seen[e.Code] = true
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Status != out[j].Status {
			return out[i].Status < out[j].Status
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// pattern is the net/http pattern Huma's adapter registers for path.
func pattern(method, path string) string { return strings.ToUpper(method) + " /api" + path }

// versionedPath is "/{version}{path}".
func (r *route) versionedPath() string { return "/" + strconv.Itoa(r.Version) + r.Path }

// mount registers every route of the table on api: the versioned path, and
// the unversioned alias for the newest version.
func (s *server) mount(api huma.API) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("api: registering routes: %v", p)
		}
	}()
	newest := map[string]int{}
	for _, r := range s.routes {
		k := r.Method + " " + r.Path
		newest[k] = max(newest[k], r.Version)
	}
	for _, r := range s.routes {
		versioned := r.versionedPath()
		s.policies[pattern(r.Method, versioned)] = r
		op := s.operation(api, r, versioned, fmt.Sprintf("%s-v%d", r.ID, r.Version))
		r.register(api, op)
		if newest[r.Method+" "+r.Path] != r.Version {
			continue
		}
		s.policies[pattern(r.Method, r.Path)] = r
		alias := s.operation(api, r, r.Path, r.ID)
		alias.Summary = r.Summary + " (newest version)"
		alias.Description = fmt.Sprintf("Alias of `%s /api%s`: a path without a version is answered by the newest version of the resource (API-2).\n\n%s",
			r.Method, versioned, r.Description)
		alias.Extensions["x-alias-of"] = fmt.Sprintf("%s-v%d", r.ID, r.Version)
		r.register(api, alias)
	}
	return nil
}

// operation describes r at path for Huma and the OpenAPI document.
func (s *server) operation(api huma.API, r *route, path, opID string) huma.Operation {
	codes := r.codes()
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = c.Code
	}
	op := huma.Operation{
		OperationID:   opID,
		Method:        r.Method,
		Path:          path,
		Summary:       r.Summary,
		Description:   r.Description,
		Tags:          []string{r.Tag},
		DefaultStatus: r.Status,
		MaxBodyBytes:  MaxBodyBytes + 1, // Huma refuses a body of exactly its limit; ours is checked before
		Responses:     errorResponses(api, codes),
		Extensions:    map[string]any{"x-error-codes": names},
	}
	if !r.Public {
		op.Security = []map[string][]string{{"bearer": {r.scope()}}}
		op.Extensions["x-rate-limited"] = true
	}
	if r.Method == http.MethodPost && !r.Public {
		op.Parameters = append(op.Parameters, &huma.Param{
			Name: "Idempotency-Key", In: "header",
			Description: "Optional. The same key with the same body within 24 hours answers the first response again " +
				"(with Idempotent-Replayed: true) and does nothing again; the same key with another body is 409 idempotency_key_reused.",
			Schema: &huma.Schema{Type: "string", MinLength: ptr(1), MaxLength: ptr(255)},
		})
	}
	return op
}

func ptr[T any](v T) *T { return &v }

// errorResponses documents one response per error status, listing its codes.
func errorResponses(api huma.API, codes []*apperr.Error) map[string]*huma.Response {
	schema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[Problem](), true, "Problem")
	byStatus := map[int][]string{}
	for _, c := range codes {
		byStatus[c.Status] = append(byStatus[c.Status], fmt.Sprintf("`%s`: %s", c.Code, c.Message))
	}
	out := map[string]*huma.Response{}
	for status, lines := range byStatus {
		resp := &huma.Response{
			Description: http.StatusText(status) + ". Error codes:\n\n- " + strings.Join(lines, "\n- "),
			Content:     map[string]*huma.MediaType{"application/json": {Schema: schema}},
		}
		switch status {
		case http.StatusUnauthorized:
			resp.Headers = map[string]*huma.Header{"WWW-Authenticate": {Schema: &huma.Schema{Type: "string"}, Description: "Bearer"}}
		case http.StatusTooManyRequests:
			resp.Headers = map[string]*huma.Header{"Retry-After": {Schema: &huma.Schema{Type: "integer"}, Description: "Seconds to wait."}}
		}
		out[strconv.Itoa(status)] = resp
	}
	return out
}

// scope returns the scope a token needs for r.
func (r *route) scope() string {
	if r.Scope == "" {
		return ScopeAll
	}
	return r.Scope
}
