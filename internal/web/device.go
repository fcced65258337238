package web

import "strings"

// browsers and systems are recognised in a user agent in this order: the
// first match wins (Edge and Opera also say "Chrome", Chrome also says
// "Safari", Android also says "Linux").
var (
	// Kept in step with security.DeviceLabel, which names devices in English
	// for the API; the console translates the "on".
	browsers = []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"}, {"OPR/", "Opera"}, {"Vivaldi/", "Vivaldi"}, {"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"SamsungBrowser/", "Samsung Internet"}, {"CriOS/", "Chrome"}, {"Chromium/", "Chromium"},
		{"HeadlessChrome/", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
		{"curl/", "curl"}, {"Go-http-client/", "Go"}, {"python-requests/", "Python"}, {"alpage-cli", "alpage CLI"},
	}
	systems = []struct{ token, name string }{
		{"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Android", "Android"}, {"CrOS", "ChromeOS"},
		{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Macintosh", "macOS"}, {"Linux", "Linux"}, {"FreeBSD", "FreeBSD"},
	}
)

// deviceParts finds the browser and the operating system named by a user
// agent; either is "" when not recognised.
func deviceParts(userAgent string) (browser, system string) {
	for _, b := range browsers {
		if strings.Contains(userAgent, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range systems {
		if strings.Contains(userAgent, s.token) {
			system = s.name
			break
		}
	}
	return browser, system
}

// Device is a short, translated "browser on system" for a user agent, with
// the raw agent as a fallback and "unknown device" for none.
func (p *Page) Device(userAgent string) string {
	browser, system := deviceParts(userAgent)
	switch {
	case browser != "" && system != "":
		return p.T("device.on", browser, system)
	case browser != "":
		return browser
	case system != "":
		return system
	case strings.TrimSpace(userAgent) != "":
		ua := strings.TrimSpace(userAgent)
		if r := []rune(ua); len(r) > 40 {
			ua = string(r[:40]) + "…"
		}
		return ua
	}
	return p.T("device.unknown")
}
