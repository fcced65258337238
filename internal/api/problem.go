package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/reqctx"
)

// Codes for statuses Huma itself can answer and apperr does not name.
var (
	errNotAcceptable  = apperr.Register("not_acceptable", http.StatusNotAcceptable, "The response cannot be produced in the requested format: accept application/json.")
	errUnsupportedMT  = apperr.Register("unsupported_media_type", http.StatusUnsupportedMediaType, "The request body must be application/json.")
	errRequestTimeout = apperr.Register("request_timeout", http.StatusRequestTimeout, "The request body was not received in time.")
)

// Problem is the error envelope of every refused request:
//
//	{"result":"error","error":{"code":"…","description":"…","context":{…}}}
type Problem struct {
	Result string       `json:"result" enum:"error" doc:"Always \"error\"."`
	Err    ProblemError `json:"error"`

	status  int
	headers http.Header
}

// ProblemError is the "error" member of the envelope.
type ProblemError struct {
	Code        string          `json:"code" doc:"Stable snake_case error code; see the ErrorCode schema for the full list."`
	Description string          `json:"description" doc:"English explanation, for people."`
	Context     *ProblemContext `json:"context,omitempty" doc:"The input at fault, when there is one."`
	Errors      []ProblemItem   `json:"errors,omitempty" doc:"Every individual problem when there are several."`
}

// ProblemContext names the input at fault.
type ProblemContext struct {
	Attribute string   `json:"attribute,omitempty" doc:"The field, query parameter or header at fault."`
	Values    []string `json:"values,omitempty" doc:"The offending values."`
}

// ProblemItem is one of several problems.
type ProblemItem struct {
	Code        string          `json:"code"`
	Description string          `json:"description"`
	Context     *ProblemContext `json:"context,omitempty"`
}

// Error returns the code and description.
func (p *Problem) Error() string { return p.Err.Code + ": " + p.Err.Description }

// GetStatus returns the HTTP status (huma.StatusError).
func (p *Problem) GetStatus() int { return p.status }

// GetHeaders returns the headers to send with the error (huma.HeadersError).
func (p *Problem) GetHeaders() http.Header {
	if p.headers == nil {
		p.headers = http.Header{}
	}
	return p.headers
}

// newProblem builds the envelope of a registered error.
func newProblem(e *apperr.Error) *Problem {
	p := &Problem{Result: "error", status: e.Status, Err: ProblemError{Code: e.Code, Description: e.Message}}
	if e.Attribute != "" || len(e.Values) > 0 {
		p.Err.Context = &ProblemContext{Attribute: e.Attribute, Values: e.Values}
	}
	if e.Status == http.StatusUnauthorized {
		p.GetHeaders().Set("WWW-Authenticate", `Bearer realm="alpage"`)
	}
	return p
}

// unexpected is the 500 answer: no internal detail, a request id to quote.
func unexpected(ctx context.Context) *Problem {
	p := newProblem(apperr.Unexpected)
	if rid := reqctx.RequestID(ctx); rid != "" {
		p.Err.Description = fmt.Sprintf("Something went wrong on our side; quote the request id %s to support.", rid)
	}
	return p
}

// toProblem turns any error a handler or middleware returns into the
// envelope: an *apperr.Error keeps its code, status and context; anything
// else (and any apperr with a 5xx status) is logged with its cause and
// answered with unexpected_error.
func toProblem(ctx context.Context, log *slog.Logger, err error) *Problem {
	if p, ok := err.(*Problem); ok {
		return p
	}
	// A refusal, or a deliberate "try again later" (503 with its own code:
	// payment_outcome_unknown, jobs_still_running); any other 5xx is
	// unexpected and logged.
	if e := apperr.As(err); e != nil && (e.Status < 500 || e.Status == http.StatusServiceUnavailable) {
		return newProblem(e)
	}
	log.ErrorContext(ctx, "api: unexpected error", "request_id", reqctx.RequestID(ctx), "error", err)
	return unexpected(ctx)
}

// writeProblem writes p outside Huma (middleware, unknown routes).
func writeProblem(w http.ResponseWriter, p *Problem) {
	for k, vs := range p.headers {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.status)
	_ = json.NewEncoder(w).Encode(p)
}

// codeForStatus names the error of a status Huma answers by itself.
func codeForStatus(status int) *apperr.Error {
	switch status {
	case http.StatusBadRequest:
		return apperr.BadRequest
	case http.StatusUnauthorized:
		return apperr.NotAuthorized
	case http.StatusForbidden:
		return apperr.AccessDenied
	case http.StatusNotFound:
		return apperr.NotFound
	case http.StatusMethodNotAllowed:
		return apperr.MethodNotAllowed
	case http.StatusNotAcceptable:
		return errNotAcceptable
	case http.StatusRequestTimeout:
		return errRequestTimeout
	case http.StatusConflict:
		return apperr.StateConflict
	case http.StatusRequestEntityTooLarge:
		return apperr.TooLarge
	case http.StatusUnsupportedMediaType:
		return errUnsupportedMT
	case http.StatusUnprocessableEntity:
		return apperr.Validation
	case http.StatusTooManyRequests:
		return apperr.TooManyRequests
	}
	if status >= 500 {
		return apperr.Unexpected
	}
	return apperr.BadRequest
}

// attribute turns a Huma location ("body.first_name", "query.per_page",
// "path.id") into the attribute name clients sent.
func attribute(location string) string {
	for _, prefix := range []string{"body.", "query.", "path.", "header.", "cookie."} {
		if strings.HasPrefix(location, prefix) {
			return location[len(prefix):]
		}
	}
	if location == "body" {
		return ""
	}
	return location
}

// scalar renders a value worth echoing in context.values, or "".
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if len(x) > 200 {
			return "", false
		}
		return x, true
	case bool, float64, float32, int, int64, json.Number:
		return fmt.Sprint(x), true
	}
	return "", false
}

// humaError is the replacement of huma.NewError: Huma's own refusals
// (validation, malformed JSON, body too large, 404/405) leave in our envelope.
func humaError(status int, msg string, errs ...error) huma.StatusError {
	e := codeForStatus(status)
	var items []ProblemItem
	parseError := false
	for _, err := range errs {
		if err == nil {
			continue
		}
		item := ProblemItem{Code: e.Code, Description: err.Error()}
		if d, ok := err.(huma.ErrorDetailer); ok {
			det := d.ErrorDetail()
			item.Description = det.Message
			if det.Location == "body" && status == http.StatusBadRequest {
				parseError = true
			}
			if a := attribute(det.Location); a != "" {
				item.Context = &ProblemContext{Attribute: a}
				if v, ok := scalar(det.Value); ok {
					item.Context.Values = []string{v}
				}
			}
		}
		items = append(items, item)
	}
	if parseError {
		e = apperr.InvalidJSON
		items = nil // the parser's message may quote the body
	}
	p := &Problem{Result: "error", status: status, Err: ProblemError{Code: e.Code, Description: e.Message}}
	if status == 0 {
		return p // the example Huma uses for the error schema
	}
	if status >= 500 {
		p.Err.Errors = nil
		return p
	}
	if len(items) > 0 {
		first := items[0]
		p.Err.Context = first.Context
		if first.Context != nil && first.Context.Attribute != "" {
			p.Err.Description = fmt.Sprintf("%s %s: %s.", e.Message, first.Context.Attribute, first.Description)
		} else {
			p.Err.Description = fmt.Sprintf("%s %s.", e.Message, first.Description)
		}
		if len(items) > 1 {
			for i := range items {
				items[i].Code = e.Code
			}
			p.Err.Errors = items
		}
	} else if status == http.StatusRequestEntityTooLarge || status == http.StatusMethodNotAllowed {
		// keep the registered message
	} else if msg != "" && status != http.StatusUnprocessableEntity && e == apperr.BadRequest {
		p.Err.Description = e.Message + " " + msg + "."
	}
	if status == http.StatusUnauthorized {
		p.GetHeaders().Set("WWW-Authenticate", `Bearer realm="alpage"`)
	}
	return p
}

var installHumaErrors sync.Once

// useEnvelopeErrors points Huma's error constructors at humaError. They are
// package variables of Huma: set once, and identically for every API built.
func useEnvelopeErrors() {
	installHumaErrors.Do(func() {
		huma.NewError = humaError
		huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
			if status >= 500 {
				return unexpected(ctx.Context())
			}
			return humaError(status, msg, errs...)
		}
	})
}
