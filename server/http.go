package main

import (
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"

	"cyberkg/graph/loader"
	"cyberkg/store"
	"cyberkg/web"
)

// newHandler wires every route:
//
//	/graphql   GraphQL over HTTP (POST; GET for queries)
//	/          the GraphiQL explorer, assets bundled in the binary
//	/embed/, /explore/, /examples/   the relationship view and the pages built on it (pages.go)
//	/healthz   the process is up
//	/readyz    Neo4j answers a query (readiness.go)
//	/metrics   Prometheus metrics (unless -metrics-addr serves them apart)
//	/export/…  the graph as files: JSON, CSV, GraphML, STIX (server/export.go)
func newHandler(s *store.Store, cfg config, m *metrics, log *slog.Logger) http.Handler {
	log = slog.New(logContext{log.Handler()}) // a request's log lines carry its id (requestid.go)
	mux := http.NewServeMux()
	instrument := func(name string, h http.Handler) http.Handler {
		return promhttp.InstrumentHandlerDuration(m.httpDuration.MustCurryWith(map[string]string{"handler": name}),
			promhttp.InstrumentHandlerCounter(m.httpRequests.MustCurryWith(map[string]string{"handler": name}), h))
	}

	// Outermost first: refuse what is cheap to refuse before anything is read.
	auth, limiter := newAuthenticator(s, cfg, log), newRateLimiter(cfg)
	feed := newFeed(s, auth, cfg, m.registry, log)
	gql := newGraphQL(s, feed, cfg, m, log)
	var api http.Handler = loader.Middleware(s, gql)
	api = withCallLimit(cfg.neo4jCalls, api)
	api = withBookmarks(api) // read your own writes through any replica (bookmarks.go)
	api = withRequestState(api)
	api = limitBody(cfg.maxBodyBytes, api)
	api = preventCSRF(splitList(cfg.csrfHeaders), api)
	api = routeStreams(feed.middleware(gql), api) // the change feed's WebSocket and SSE connections
	api = limiter.middleware(0, api)              // by the caller auth found
	api = auth.middleware(api)
	if origins := splitList(cfg.corsOrigins); len(origins) > 0 {
		// Outside auth: a browser's preflight carries no credentials.
		api = cors.New(cors.Options{
			AllowedOrigins: origins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: append([]string{"Content-Type", "Accept", "Authorization"}, splitList(cfg.csrfHeaders)...),
			ExposedHeaders: []string{"RateLimit-Policy", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"},
			MaxAge:         600,
		}).Handler(api)
	}
	mux.Handle("/graphql", instrument("graphql", api))

	explorer, _ := fs.Sub(web.Explorer, "explorer")
	page := func(h http.Handler) http.Handler {
		return instrument("explorer", securityHeaders(cfg.frameAncestors, h))
	}
	mux.Handle("GET /explorer/", page(http.StripPrefix("/explorer/", http.FileServerFS(explorer))))
	mux.Handle("GET /{$}", page(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, explorer, "index.html")
	})))

	// Exports are the costliest answers: each takes exportPoints from the client's bucket.
	mux.Handle("GET /export/{file}", instrument("export", auth.middleware(limiter.middleware(exportPoints, newExportHandler(s, cfg, log)))))
	addPages(mux, cfg, instrument)

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /readyz", drainable(cfg.ops.draining, readiness(s)))
	if cfg.metricsAddr == "" {
		mux.Handle("GET /metrics", metricsHandler(m))
	}
	return withTracing(withRequestID(closeWhileDraining(cfg.ops.draining, mux)))
}

func metricsHandler(m *metrics) http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// pprofHandler serves net/http/pprof's pages (the package registers them
// on http.DefaultServeMux, which nothing else here uses).
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
