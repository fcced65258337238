package web

import "testing"

// The next parameter only leads to a page of this console: nothing a browser
// could read as another host (found in review: /./\evil.example was cleaned
// by http.Redirect into /\evil.example, which browsers follow as //evil.example).
func TestLocalPathRefusesEveryOtherHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/profile":               "/profile",
		"/products?type=domain":  "/products?type=domain",
		"":                       "/",
		"https://evil.example":   "/",
		"//evil.example":         "/",
		"/\\evil.example":        "/",
		"/./\\evil.example":      "/",
		"/../\\evil.example/x":   "/",
		"/.//evil.example":       "/",
		"/a/../..//evil.example": "/",
		"/%2F%2Fevil.example":    "/",
		"/%5Cevil.example":       "/",
		"\\\\evil.example":       "/",
		"/ok\r\nSet-Cookie: x=y": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
