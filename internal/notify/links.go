package notify

import (
	"regexp"
	"strings"
)

var urlPattern = regexp.MustCompile(`https?://[^\s<>"'«»“”]+`)

// extractLinks returns every http(s) URL of a text body, in order, without
// duplicates and without the punctuation that ends a sentence.
func extractLinks(text string) []string {
	links := []string{}
	seen := map[string]bool{}
	for _, u := range urlPattern.FindAllString(text, -1) {
		u = strings.TrimRight(u, ".,;:!?)]}")
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		links = append(links, u)
	}
	return links
}
