// Package apperr is alpage's one error type: a stable snake_case code (API.md),
// an HTTP status, a message key translated for the user, and the cause for the
// logs. Domain packages return *Error for every refusal a person can act on;
// anything else is an unexpected error (500, a request id to quote).
package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
)

// Error is a refusal with a stable code.
type Error struct {
	Code      string   // stable snake_case identifier, e.g. "last_legal_representative"
	Status    int      // HTTP status
	Message   string   // English description, for API clients and logs
	Attribute string   // the input field at fault, for validation errors
	Values    []string // the offending values, when useful to echo
	Cause     error    // the underlying error, for logs only
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// Is matches errors by code, so errors.Is(err, apperr.NotFound) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Key is the i18n message key of the error: "error." + code.
func (e *Error) Key() string { return "error." + e.Code }

// With returns a copy of a registered error with a specific message.
func (e *Error) With(message string) *Error {
	c := *e
	c.Message = message
	return &c
}

// Field returns a copy naming the input attribute at fault.
func (e *Error) Field(attribute string, values ...string) *Error {
	c := *e
	c.Attribute = attribute
	c.Values = values
	return &c
}

// Wrap returns a copy carrying cause.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

var (
	mu       sync.Mutex
	registry = map[string]*Error{}
)

// Register declares an error code once, with its status and default English
// message. Every registered code is listed in the OpenAPI document and must
// have a translation in every language.
func Register(code string, status int, message string) *Error {
	mu.Lock()
	defer mu.Unlock()
	if prev, ok := registry[code]; ok {
		if prev.Status != status {
			panic("apperr: code " + code + " registered twice with different statuses")
		}
		return prev
	}
	e := &Error{Code: code, Status: status, Message: message}
	registry[code] = e
	return e
}

// All returns every registered error, sorted by code.
func All() []*Error {
	mu.Lock()
	defer mu.Unlock()
	out := make([]*Error, 0, len(registry))
	for _, e := range registry {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// As returns err as an *Error, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Codes shared by every part of alpage. Domain packages register their own.
var (
	BadRequest       = Register("bad_request", http.StatusBadRequest, "The request is malformed.")
	InvalidJSON      = Register("invalid_json", http.StatusBadRequest, "The request body is not valid JSON.")
	NotAuthorized    = Register("not_authorized", http.StatusUnauthorized, "Authentication is required: send a valid token in the Authorization header.")
	AccessDenied     = Register("access_denied", http.StatusForbidden, "You do not have the right to do this.")
	NotFound         = Register("object_not_found", http.StatusNotFound, "The object does not exist or you cannot see it.")
	AlreadyExists    = Register("object_already_exists", http.StatusConflict, "An object with these details already exists.")
	StateConflict    = Register("state_conflict", http.StatusConflict, "The object is not in a state that allows this.")
	IdempotencyReuse = Register("idempotency_key_reused", http.StatusConflict, "This Idempotency-Key was already used with another request body; use a new key.")
	InProgress       = Register("request_in_progress", http.StatusConflict, "A request with this Idempotency-Key is still being processed; retry later.")
	Validation       = Register("validation_failed", http.StatusUnprocessableEntity, "Some fields are invalid.")
	TooLarge         = Register("request_too_large", http.StatusRequestEntityTooLarge, "The request body is larger than 1 MiB.")
	TooManyRequests  = Register("too_many_requests", http.StatusTooManyRequests, "Too many requests: wait for the time given in Retry-After.")
	MethodNotAllowed = Register("method_not_allowed", http.StatusMethodNotAllowed, "This method is not allowed on this path.")
	Unexpected       = Register("unexpected_error", http.StatusInternalServerError, "Something went wrong on our side; quote the request id to support.")
)
