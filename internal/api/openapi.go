package api

import (
	"fmt"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alpage/alpage/internal/apperr"
)

const apiDescription = `alpage's public API (API.md).

- **Paths** are ` + "`/api/{version}/{path}`" + `; a path without a version is answered by the newest version of
  the resource (API-2). Both are listed here; the unversioned ones carry ` + "`x-alias-of`" + `.
- **Authentication**: ` + "`Authorization: Bearer <token>`" + ` with a personal API token; missing, bad, expired or
  revoked tokens get 401 ` + "`not_authorized`" + `.
- **Envelope**: ` + "`{\"result\":\"success\",\"data\":…}`" + `; lists add ` + "`total`, `page`, `pages`, `items_per_page`" + `
  (query ` + "`page`" + ` from 1, ` + "`per_page`" + ` default 20, at most 100); errors are
  ` + "`{\"result\":\"error\",\"error\":{\"code\",\"description\",\"context\":{\"attribute\",\"values\"}}}`" + `.
- **Rate limit** (API-3): %d requests per rolling minute per token; every authenticated response carries
  ` + "`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`" + ` (seconds); beyond, 429 with ` + "`Retry-After`" + `.
- **Writes**: unknown JSON fields are refused (422 ` + "`validation_failed`" + `), bodies over 1 MiB are refused (413).
  ` + "`Idempotency-Key`" + ` on any POST: the same key and body within 24 hours answer the first response again
  (` + "`Idempotent-Replayed: true`" + `); the same key with another body is 409 ` + "`idempotency_key_reused`" + `.
- **Times** are RFC 3339 in UTC. Unknown paths answer 404 ` + "`object_not_found`" + `, known paths with another
  method 405 ` + "`method_not_allowed`" + `.
- **Test mode** (` + "`alpage serve --dev`" + `, loopback only): ` + "`/api/1/_dev/…`" + ` routes need no token.

Each operation lists the error codes it can answer in ` + "`x-error-codes`" + ` and in its responses.

## Error codes
`

// document completes the OpenAPI document: the security scheme, the
// ErrorCode schema and table with every registered code (API-5), and the
// rate-limit headers of authenticated operations.
func (s *server) document() {
	oapi := s.api.OpenAPI()
	if oapi.Components.SecuritySchemes == nil {
		oapi.Components.SecuritySchemes = map[string]*huma.SecurityScheme{}
	}
	oapi.Components.SecuritySchemes["bearer"] = &huma.SecurityScheme{
		Type: "http", Scheme: "bearer",
		Description: "A personal API token (created in the console or with POST /api/1/profile/tokens).",
	}

	all := apperr.All()
	codes := make([]any, len(all))
	var table strings.Builder
	fmt.Fprintf(&table, apiDescription, s.d.RateLimit)
	table.WriteString("\n| HTTP | code | description |\n|---|---|---|\n")
	for i, e := range all {
		codes[i] = e.Code
		fmt.Fprintf(&table, "| %d | `%s` | %s |\n", e.Status, e.Code, strings.ReplaceAll(e.Message, "|", "\\|"))
	}
	oapi.Info.Description = table.String()
	errorCodes := &huma.Schema{
		Type: "string", Enum: codes,
		Description: "Every error code alpage answers, with its HTTP status in x-status.",
		Extensions:  map[string]any{"x-status": statusesOf(all)},
	}
	oapi.Components.Schemas.Map()["ErrorCode"] = errorCodes
	if p, ok := oapi.Components.Schemas.Map()["ProblemError"]; ok {
		if code, ok := p.Properties["code"]; ok {
			code.Ref = "#/components/schemas/ErrorCode"
			code.Type = ""
		}
	}

	rateHeaders := map[string]*huma.Header{
		"RateLimit-Limit":     {Description: "Requests allowed per rolling minute.", Schema: &huma.Schema{Type: "integer"}},
		"RateLimit-Remaining": {Description: "Requests left in the window.", Schema: &huma.Schema{Type: "integer"}},
		"RateLimit-Reset":     {Description: "Seconds until the oldest counted request leaves the window.", Schema: &huma.Schema{Type: "integer"}},
	}
	for _, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil || len(op.Security) == 0 {
				continue
			}
			for status, resp := range op.Responses {
				if status == "default" || status == "401" || status[0] == '5' {
					continue
				}
				if resp.Headers == nil {
					resp.Headers = map[string]*huma.Header{}
				}
				for k, h := range rateHeaders {
					resp.Headers[k] = h
				}
			}
		}
	}
}

// statusesOf maps each code to its HTTP status.
func statusesOf(all []*apperr.Error) map[string]int {
	m := make(map[string]int, len(all))
	for _, e := range all {
		m[e.Code] = e.Status
	}
	return m
}
