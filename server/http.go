package main

import (
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
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
//	/healthz   the process is up
//	/readyz    Neo4j answers a query (readiness.go)
//	/metrics   Prometheus metrics
func newHandler(s *store.Store, cfg config, m *metrics, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	instrument := func(name string, h http.Handler) http.Handler {
		return promhttp.InstrumentHandlerDuration(m.httpDuration.MustCurryWith(map[string]string{"handler": name}),
			promhttp.InstrumentHandlerCounter(m.httpRequests.MustCurryWith(map[string]string{"handler": name}), h))
	}

	var api http.Handler = newGraphQL(s, cfg, m, log)
	api = loader.Middleware(s, api)
	api = withRequestState(api)
	api = http.MaxBytesHandler(api, cfg.maxBodyBytes)
	if origins := splitList(cfg.corsOrigins); len(origins) > 0 {
		api = cors.New(cors.Options{
			AllowedOrigins: origins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: []string{"Content-Type", "Accept"},
			MaxAge:         600,
		}).Handler(api)
	}
	mux.Handle("/graphql", instrument("graphql", api))

	explorer, _ := fs.Sub(web.Explorer, "explorer")
	mux.Handle("GET /explorer/", instrument("explorer", http.StripPrefix("/explorer/", http.FileServerFS(explorer))))
	mux.Handle("GET /{$}", instrument("explorer", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, explorer, "index.html")
	})))

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /readyz", readiness(s))
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
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
