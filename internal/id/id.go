// Package id makes the identifiers of alpage's objects: UUIDv7, generated in Go,
// sortable by creation time (DESIGN.md "IDs").
package id

import "github.com/google/uuid"

// New returns a new UUIDv7 in its canonical text form.
func New() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Valid reports whether s is a UUID in canonical form (36 characters, lower
// case), the only form alpage makes. Handlers use it to answer "not found"
// for any other identifier without asking the database, so that both engines
// answer alike (PostgreSQL's uuid type would match an upper-case spelling,
// SQLite's text would not).
func Valid(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}
