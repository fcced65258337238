// Package reqctx carries per-request facts set by the outermost middleware
// (request id, client address) to the console, the API and the logs.
package reqctx

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

type key int

const (
	requestIDKey key = iota
)

// WithRequestID returns ctx carrying the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id of ctx, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// ClientIP returns the address of the client. alpage does not trust
// forwarding headers unless a proxy in front is configured (later).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Meta returns the audit metadata of a request for actor userID ("" when
// anonymous).
func Meta(r *http.Request, userID string) audit.Meta {
	ua := r.UserAgent()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	return audit.Meta{ActorID: userID, IP: ClientIP(r), UserAgent: strings.TrimSpace(ua)}
}

// LogPath returns path fit for the logs: a segment that looks like a secret
// (20 characters or more and not an identifier, such as an invitation's
// token in /invitations/{token}) is replaced by "***".
func LogPath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if len(p) >= 20 && !id.Valid(p) {
			parts[i] = "***"
		}
	}
	return strings.Join(parts, "/")
}
