package web

import "net/http"

// passkeyRoutes mounts the WebAuthn ceremonies of the console.
func (h *handler) passkeyRoutes(pages *http.ServeMux) {}
