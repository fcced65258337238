package security

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/apperr"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/id"
)

// Activity is one event of the recent activity (SEC-7).
type Activity struct {
	Action    string // the audit action, e.g. "session.signed_in"
	Method    string // the two-step method of a second step: "totp", "phone_code", "backup_code", "push", "passkey"; else ""
	IP        string
	UserAgent string
	Device    string // a short "Browser on OS", from UserAgent
	Place     string // "City, Country" of IP in the user's language; "" without a GeoIP database or when unknown
	At        time.Time
}

// Activity lists the latest events about userID, newest first; limit is
// clamped to 1..200 (50 when 0 or less). With a GeoIP database (UsePlaces),
// each event names its place in the language of the user's profile.
func (s *Service) Activity(ctx context.Context, userID string, limit int) ([]Activity, error) {
	if !id.Valid(userID) {
		return nil, apperr.NotFound
	}
	switch {
	case limit <= 0:
		limit = 50
	case limit > 200:
		limit = 200
	}
	events, err := audit.ForUser(ctx, s.db, userID, limit)
	if err != nil {
		return nil, err
	}
	place, err := s.placeNamer(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]Activity, 0, len(events))
	for _, e := range events {
		out = append(out, Activity{Action: e.Action, Method: e.Data["method"], IP: e.IP, UserAgent: e.UserAgent,
			Device: DeviceLabel(e.UserAgent), Place: place(e.IP), At: e.CreatedAt.UTC()})
	}
	return out, nil
}

// placeNamer returns a function naming an IP's place in userID's language,
// each address looked up once; without a GeoIP database it answers "" and
// reads nothing.
func (s *Service) placeNamer(ctx context.Context, userID string) (func(ip string) string, error) {
	if s.places == nil {
		return func(string) string { return "" }, nil
	}
	u, err := s.accounts.Get(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("security: loading the user's language: %w", err)
	}
	seen := map[string]string{}
	return func(ip string) string {
		p, ok := seen[ip]
		if !ok {
			p = s.place(ip, u.Language)
			seen[ip] = p
		}
		return p
	}, nil
}

// DeviceLabel names the browser and system of a user agent in a few words,
// like "Firefox on Linux" or "Safari on iOS"; "" when the agent is empty.
// It is a label for people, not a detection to rely on.
func DeviceLabel(userAgent string) string {
	ua := strings.TrimSpace(userAgent)
	if ua == "" {
		return ""
	}
	browser := first(ua, "Unknown browser", [][2]string{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"OPR/", "Opera"}, {"Vivaldi/", "Vivaldi"},
		{"SamsungBrowser/", "Samsung Internet"}, {"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"CriOS/", "Chrome"}, {"Chromium/", "Chromium"}, {"HeadlessChrome/", "Chrome"}, {"Chrome/", "Chrome"},
		{"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client/", "Go program"},
		{"python-requests/", "Python program"}, {"alpage-cli", "alpage CLI"},
	})
	system := first(ua, "", [][2]string{
		{"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Android", "Android"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Macintosh", "macOS"}, {"Linux", "Linux"},
		{"FreeBSD", "FreeBSD"},
	})
	if system == "" {
		return browser
	}
	return browser + " on " + system
}

func first(ua, def string, table [][2]string) string {
	for _, row := range table {
		if strings.Contains(ua, row[0]) {
			return row[1]
		}
	}
	return def
}
