package web

import "net/http"

// lifecycleRoutes adds the product lifecycle pages (REN-2, PRD-4).
func (h *handler) lifecycleRoutes(pages *http.ServeMux) {}
