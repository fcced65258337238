// Package id makes the identifiers of alpage's objects: UUIDv7, generated in Go,
// sortable by creation time (DESIGN.md "IDs").
package id

import "github.com/google/uuid"

// New returns a new UUIDv7 in its canonical text form.
func New() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Valid reports whether s is a well-formed UUID. Handlers use it to answer
// "not found" for a malformed identifier without asking the database.
func Valid(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
