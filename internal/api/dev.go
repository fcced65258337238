package api

import (
	"context"
	"net/http"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/devmode"
	"github.com/alpage/alpage/internal/notify"
)

// The test-mode routes exist only when the server runs with --dev, which
// refuses a non-loopback address; they need no token, so that a script or
// a person can move the clock and read the outbox without signing in.

// clockJSON is the test clock.
type clockJSON struct {
	Now           time.Time `json:"now" doc:"The server's time."`
	Offset        string    `json:"offset" doc:"How far the clock runs ahead of the wall clock, as a Go duration (\"360h0m0s\")."`
	OffsetSeconds int64     `json:"offset_seconds"`
}

type advanceClockInput struct {
	Body struct {
		Advance string `json:"advance" minLength:"1" doc:"How far to move forward: \"15d\", \"72h\", \"90m\", \"2w\" or a Go duration." example:"15d"`
	}
}

// outboxJSON is one message the server sent.
type outboxJSON struct {
	ID        string    `json:"id" format:"uuid"`
	Channel   string    `json:"channel" enum:"email,sms"`
	Recipient string    `json:"recipient"`
	Template  string    `json:"template"`
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	Links     []string  `json:"links" doc:"The links of the message, e.g. a confirmation link."`
	Status    string    `json:"status" enum:"queued,sent,held,failed"`
	CreatedAt time.Time `json:"created_at"`
}

type outboxInput struct {
	Recipient string `query:"recipient" doc:"Only messages to this e-mail address or phone number."`
	Limit     int    `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"At most this many messages, newest first."`
}

var errBadAdvance = apperr.Validation.With("Give a forward duration such as 15d, 72h, 90m or 2w.")

func (s *server) clockNow() clockJSON {
	off := s.d.DevClock.Offset()
	return clockJSON{Now: s.d.DevClock.Now().UTC(), Offset: off.String(), OffsetSeconds: int64(off / time.Second)}
}

func (s *server) declareDev() {
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/_dev/clock", ID: "dev-get-clock", Tag: "Test mode", Public: true,
		Summary: "Show the test clock", Description: "Only with `alpage serve --dev`; no token needed.",
	}, func(ctx context.Context, _ *struct{}) (*Out[clockJSON], error) {
		return ok(s.clockNow()), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodPost, Path: "/_dev/clock", ID: "dev-advance-clock", Tag: "Test mode", Public: true,
		Summary: "Move the test clock forward",
		Description: "Moves the server's clock forward, runs the sweeps that became due and waits for the jobs they " +
			"enqueued, then answers the new time. Only with `alpage serve --dev`; no token needed.",
		Codes: []*apperr.Error{apperr.Validation, devmode.ErrJobsStillRunning},
	}, func(ctx context.Context, in *advanceClockInput) (*Out[clockJSON], error) {
		d, err := clock.ParseDuration(in.Body.Advance)
		if err != nil || d <= 0 {
			return nil, errBadAdvance.Field("advance", in.Body.Advance)
		}
		if _, err := s.d.DevClock.Advance(ctx, d); err != nil {
			return nil, err
		}
		return ok(s.clockNow()), nil
	})
	add(s, route{
		Version: 1, Method: http.MethodGet, Path: "/_dev/outbox", ID: "dev-list-outbox", Tag: "Test mode", Public: true,
		Summary: "List the messages sent", Description: "The e-mails and SMS the server sent, newest first. Only with `alpage serve --dev`; no token needed.",
	}, func(ctx context.Context, in *outboxInput) (*Out[[]outboxJSON], error) {
		entries, err := s.d.Notifier.List(ctx, in.Recipient, in.Limit)
		if err != nil {
			return nil, err
		}
		out := make([]outboxJSON, len(entries))
		for i, e := range entries {
			out[i] = toOutboxJSON(e)
		}
		return ok(out), nil
	})
}

func toOutboxJSON(e notify.OutboxEntry) outboxJSON {
	links := e.Links
	if links == nil {
		links = []string{}
	}
	return outboxJSON{ID: e.ID, Channel: e.Channel, Recipient: e.Recipient, Template: e.Template,
		Subject: e.Subject, Text: e.BodyText, Links: links, Status: e.Status, CreatedAt: e.CreatedAt.UTC()}
}
