package reqctx

import "testing"

// Secrets in paths never reach the logs (found in review: invitation tokens).
func TestLogPathMasksSecrets(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/invitations/XYEY9uyz6fAbCdEfGhIjKlMnOpQrStUvWxYz012345/signup": "/invitations/***/signup",
		"/organization/users/01a2018f-1453-7e0f-98db-1e9d57f91331":       "/organization/users/01a2018f-1453-7e0f-98db-1e9d57f91331",
		"/api/1/profile/tokens":        "/api/1/profile/tokens",
		"/static/0123456789ab/app.css": "/static/0123456789ab/app.css",
	} {
		if got := LogPath(in); got != want {
			t.Errorf("LogPath(%q) = %q, want %q", in, got, want)
		}
	}
}
