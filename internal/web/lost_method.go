package web

import "net/http"

// lostMethodRoutes mounts the request to switch two-step sign-in off
// without a working method (SEC-5).
func (h *handler) lostMethodRoutes(pages *http.ServeMux) {}
