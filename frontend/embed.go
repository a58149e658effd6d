// Package frontend embeds the built web app (frontend/dist) into the binary.
//
// The Go build and `go test` must work before `npm run build` has ever run, so
// dist/ holds a committed .gitkeep and the server falls back to a short
// "web app not built" page when dist/index.html is missing.
package frontend

import "embed"

// Dist is the built web app; its root is "dist".
//
//go:embed all:dist
var Dist embed.FS

// ErrorTexts are the web app's texts for the server's error and field-error
// codes, one table per language: src/i18n/errors/{zh-CN,en}.json. The server
// uses them for reports it writes in the user's language (internal/errcodes).
//
//go:embed src/i18n/errors/*.json
var ErrorTexts embed.FS
