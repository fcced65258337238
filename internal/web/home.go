package web

import "net/http"

// category is a product category of the catalog (UI-1).
type category struct {
	Key  string // i18n: "category.<key>" and "category.<key>.text"
	Icon string
}

// categories are the catalog's product categories, in menu order. Their
// pages do not exist yet: the menu shows them disabled, with the reason.
var categories = []category{
	{"domains", "domains"},
	{"hosting", "hosting"},
	{"mail", "mail"},
	{"storage", "storage"},
	{"collab", "collab"},
	{"servers", "servers"},
	{"ssl", "ssl"},
	{"support", "support"},
}

// homePage is the data of the home page.
type homePage struct {
	Page
}

// home shows the product categories of the selected organization (UI-1,
// ACC-4).
func (h *handler) home(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "home", &homePage{Page: Page{TitleKey: "home.title", Nav: "home"}})
}
