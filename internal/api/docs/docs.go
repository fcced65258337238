// Package docs embeds the human documentation page of the API: swagger-ui
// (swagger-ui-dist 5.35.0, Apache-2.0, see assets/LICENSE) rendering
// /api/openapi.json, with no CDN and no inline script.
package docs

import "embed"

// Assets holds index.html, init.js and the swagger-ui bundle and stylesheet.
//
//go:embed assets
var Assets embed.FS
