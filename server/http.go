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
	var api http.Handler = newGraphQL(s, cfg, m, log)
	api = loader.Middleware(s, api)
	api = withCallLimit(cfg.neo4jCalls, api)
	api = withBookmarks(api) // read your own writes through any replica (bookmarks.go)
	api = withRequestState(api)
	api = limitBody(cfg.maxBodyBytes, api)
	api = preventCSRF(splitList(cfg.csrfHeaders), api)
	if origins := splitList(cfg.corsOrigins); len(origins) > 0 {
		api = cors.New(cors.Options{
			AllowedOrigins: origins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: append([]string{"Content-Type", "Accept"}, splitList(cfg.csrfHeaders)...),
			MaxAge:         600,
		}).Handler(api)
	}
	api = rateLimit(cfg.rateLimit, cfg.rateWindow, api)
	mux.Handle("/graphql", instrument("graphql", api))

	explorer, _ := fs.Sub(web.Explorer, "explorer")
	page := func(h http.Handler) http.Handler {
		return instrument("explorer", securityHeaders(cfg.frameAncestors, h))
	}
	mux.Handle("GET /explorer/", page(http.StripPrefix("/explorer/", http.FileServerFS(explorer))))
	mux.Handle("GET /{$}", page(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, explorer, "index.html")
	})))

	// Exports are the costliest answers: the same per-client limit, its own bucket.
	mux.Handle("GET /export/{file}", instrument("export", rateLimit(cfg.rateLimit, cfg.rateWindow, newExportHandler(s, cfg, log))))
	addPages(mux, cfg, instrument)

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /readyz", drainable(cfg.ops.draining, readiness(s)))
	if cfg.metricsAddr == "" {
		mux.Handle("GET /metrics", metricsHandler(m))
	}
	return withTracing(withRequestID(mux))
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
