package web

import "net/http"

// phoneRoutes mounts the phone pages (SEC-3, SEC-4) and the pages that
// link a phone from the console.
func (h *handler) phoneRoutes(pages *http.ServeMux) {}
