package api

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

const notBuiltPage = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>examd</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>Web app not built</h1>
<p>The API is running. Build the web app with <code>make web</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>) and rebuild examd.</p></body></html>`

// serveWeb answers every path the route table does not know: unknown API
// paths get the JSON error; everything else is the single-page app, whose
// router takes over (deep links like /m/login load index.html).
func (s *Server) serveWeb(c *gin.Context) {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/api" {
		fail(c, errRouteNotFound)
		return
	}
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		fail(c, errMethod)
		return
	}
	web := s.deps.Web
	if web == nil {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuiltPage))
		return
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(web, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				// Vite puts a content hash in every asset name.
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				c.Header("Cache-Control", "public, max-age=3600")
			}
			c.FileFromFS(name, http.FS(web))
			return
		}
		if strings.Contains(path.Base(name), ".") {
			c.Status(http.StatusNotFound) // a missing file, not an app route
			return
		}
	}
	index, err := fs.ReadFile(web, "index.html")
	if err != nil {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuiltPage))
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", index)
}
