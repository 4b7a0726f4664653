package main

import (
	"io/fs"
	"net/http"
	"path"

	"github.com/rs/cors"

	"cyberkg/web"
)

// addPages serves what people look at beside GraphiQL:
//
//	/embed/kg-relationship-view.js   the element apps embed (CORS as for /graphql, since a module script from another origin is a CORS request)
//	/explore/…                       the explorer's pages, with the explorer's security headers; any path that is not an asset gets the page app, which routes on the URL (deep links)
//	/examples/…                      apps embedding the element: plain HTML, React, Vue (as an app would serve them: no CSP of ours, since Vue's in-page templates need eval)
func addPages(mux *http.ServeMux, cfg config, instrument func(string, http.Handler) http.Handler) {
	embedded, _ := fs.Sub(web.Embed, "embed")
	var element http.Handler = http.StripPrefix("/embed/", http.FileServerFS(embedded))
	if origins := splitList(cfg.corsOrigins); len(origins) > 0 {
		element = cors.New(cors.Options{AllowedOrigins: origins, AllowedMethods: []string{http.MethodGet}}).Handler(element)
	}
	mux.Handle("GET /embed/", instrument("embed", element))

	explore, _ := fs.Sub(web.Explore, "explore")
	assets := http.StripPrefix("/explore/", http.FileServerFS(explore))
	mux.Handle("GET /explore/{path...}", instrument("explore", securityHeaders(cfg.frameAncestors, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.PathValue("path"); p != "" && path.Ext(p) != "" {
			if _, err := fs.Stat(explore, p); err == nil {
				assets.ServeHTTP(w, r)
				return
			}
		}
		http.ServeFileFS(w, r, explore, "index.html")
	}))))

	examples, _ := fs.Sub(web.Examples, "examples")
	mux.Handle("GET /examples/", instrument("examples", http.StripPrefix("/examples/", http.FileServerFS(examples))))
}
