package web

import (
	"fmt"
	"html/template"
)

// iconPaths are the console's line icons (24×24, drawn with currentColor).
var iconPaths = map[string]string{
	"home":     `<path d="M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z"/>`,
	"domains":  `<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>`,
	"hosting":  `<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 9h18M6.5 6.5h.01M9 6.5h.01"/>`,
	"mail":     `<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3.5 7 8.5 6 8.5-6"/>`,
	"storage":  `<path d="M7 19h10a4 4 0 0 0 .7-7.94A6 6 0 0 0 6.2 9.3 4.9 4.9 0 0 0 7 19z"/>`,
	"collab":   `<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.6a3.5 3.5 0 0 1 0 6.8M18.5 14.5A6.5 6.5 0 0 1 21.5 20"/>`,
	"servers":  `<rect x="3" y="4" width="18" height="7" rx="1.5"/><rect x="3" y="13" width="18" height="7" rx="1.5"/><path d="M7 7.5h.01M7 16.5h.01"/>`,
	"ssl":      `<rect x="4" y="10" width="16" height="11" rx="2"/><path d="M8 10V7a4 4 0 0 1 8 0v3M12 14.5v2.5"/>`,
	"support":  `<path d="M4 15v-3a8 8 0 0 1 16 0v3"/><rect x="3" y="14" width="4" height="6" rx="1.5"/><rect x="17" y="14" width="4" height="6" rx="1.5"/>`,
	"user":     `<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>`,
	"key":      `<circle cx="8" cy="15" r="4"/><path d="m10.9 12.1 9.1-9.1M16.5 6.5l3 3M14 9l2 2"/>`,
	"building": `<path d="M4 21V5a2 2 0 0 1 2-2h8a2 2 0 0 1 2 2v16M16 9h2a2 2 0 0 1 2 2v10M2.5 21h19M8 7h4M8 11h4M8 15h4"/>`,
	"team":     `<circle cx="12" cy="7.5" r="3"/><circle cx="5" cy="10" r="2.2"/><circle cx="19" cy="10" r="2.2"/><path d="M7 20a5 5 0 0 1 10 0M1.5 18.5a3.5 3.5 0 0 1 5-3M22.5 18.5a3.5 3.5 0 0 0-5-3"/>`,
	"billing":  `<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3 10h18M7 15h4"/>`,
	"download": `<path d="M12 4v11M7.5 10.5 12 15l4.5-4.5M5 20h14"/>`,
	"activity": `<path d="M3 12h4l3-8 4 16 3-8h4"/>`,
	"phone":    `<rect x="6.5" y="2.5" width="11" height="19" rx="2.5"/><path d="M11 18h2"/>`,
	"device":   `<rect x="3" y="4.5" width="18" height="12" rx="1.5"/><path d="M8.5 20h7M12 16.5V20"/>`,
	"shield":   `<path d="M12 3 4.5 6v5.5c0 4.7 3.2 8.2 7.5 9.5 4.3-1.3 7.5-4.8 7.5-9.5V6z"/><path d="m9 12 2 2 4-4"/>`,
	"chevron":  `<path d="m6 9 6 6 6-6"/>`,
	"check":    `<path d="m5 12.5 4.5 4.5L19 7.5"/>`,
	"menu":     `<path d="M4 6h16M4 12h16M4 18h16"/>`,
	"copy":     `<rect x="9" y="9" width="11" height="11" rx="2"/><path d="M5 15V6a2 2 0 0 1 2-2h9"/>`,
	"trash":    `<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1l1-13M9 7V4h6v3"/>`,
	"alert":    `<path d="M12 3.5 2.5 20h19z"/><path d="M12 10v4.5M12 17.2h.01"/>`,
	"info":     `<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.8h.01"/>`,
	"mailopen": `<path d="M3 10 12 4l9 6v9a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z"/><path d="m3.5 10.5 8.5 5.5 8.5-5.5"/>`,
	"signout":  `<path d="M15 4h4a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-4M10 8l-4 4 4 4M6 12h10"/>`,
	"globe":    `<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>`,
	"plus":     `<path d="M12 5v14M5 12h14"/>`,
	"box":      `<path d="M21 8 12 3 3 8v8l9 5 9-5z"/><path d="m3 8 9 5 9-5M12 13v8"/>`,
	"more":     `<circle cx="12" cy="5.5" r="1.4"/><circle cx="12" cy="12" r="1.4"/><circle cx="12" cy="18.5" r="1.4"/>`,
	"edit":     `<path d="M4 20h4L19 9l-4-4L4 16z"/><path d="m13.5 6.5 4 4"/>`,
	"send":     `<path d="M21 3 10 14M21 3l-7 18-4-7-7-4z"/>`,
	"x":        `<path d="M6 6l12 12M18 6 6 18"/>`,
	"filter":   `<path d="M4 5h16l-6.5 7.5V19l-3 1.5v-8z"/>`,
	"flask":    `<path d="M9 3h6M10 3v6L4.5 18.5A1.7 1.7 0 0 0 6 21h12a1.7 1.7 0 0 0 1.5-2.5L14 9V3M7.5 15h9"/>`,
}

// icon returns the inline SVG of a named icon, hidden from screen readers:
// every icon sits next to a text that says the same.
func icon(name string) (template.HTML, error) {
	p, ok := iconPaths[name]
	if !ok {
		return "", fmt.Errorf("web: unknown icon %q", name)
	}
	// #nosec G203 -- constant markup from iconPaths, no user input.
	return template.HTML(`<svg class="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">` + p + `</svg>`), nil
}

// logo is alpage's mark: two alpine peaks over a pasture line.
const logo = `<svg class="logo-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false"><rect width="32" height="32" rx="8" fill="currentColor"/><path d="M5 23 12.5 10l4.2 7 2.8-4.3L27 23z" fill="#fff"/><path d="m10.7 13.1 1.8-3.1 1.9 3.2-1 .9-.9-.8-.8.7z" fill="currentColor" opacity=".35"/></svg>`
