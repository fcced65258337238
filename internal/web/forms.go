package web

import (
	"net/http"
	"slices"
	"strings"
)

// formList returns the non-empty values of a repeated form field (a group
// of checkboxes), deduplicated in their order.
func formList(r *http.Request, name string) []string {
	if err := r.ParseForm(); err != nil {
		return nil
	}
	var out []string
	for _, v := range r.PostForm[name] {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// checked reports whether a checkbox field was ticked.
func checked(r *http.Request, name string) bool {
	v := r.PostFormValue(name)
	return v == "1" || v == "on" || v == "true"
}

// has reports whether list holds v; the templates use it for checkboxes.
func has(list []string, v string) bool { return slices.Contains(list, v) }
