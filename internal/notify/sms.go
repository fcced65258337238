package notify

import (
	"context"
	"errors"
)

// SMSSender delivers one text message to a phone number. Implementations call
// a provider's HTTP API; they must not log the text (it may hold a code).
type SMSSender interface {
	SendSMS(ctx context.Context, to, text string) error
}

// SandboxFailingNumber is the phone number SandboxSMS always fails for, so
// that tests and demos can show a failed SMS.
const SandboxFailingNumber = "+41000000000"

// SandboxSMS is the sandbox fake SMS gateway, for development, demos and
// tests where no real provider is reachable. It delivers nothing and records
// nothing itself (the outbox is the record): it succeeds for every number
// except SandboxFailingNumber, for which it returns an error.
type SandboxSMS struct{}

// SendSMS pretends to send text to to.
func (SandboxSMS) SendSMS(ctx context.Context, to, text string) error {
	if to == SandboxFailingNumber {
		return errors.New("sandbox SMS gateway: number " + SandboxFailingNumber + " always fails")
	}
	return ctx.Err()
}
