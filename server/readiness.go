package main

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"cyberkg/store"
)

// retryAfter is the Retry-After of every 503: Neo4j is probed twice a
// second, so a client that waits this long finds it back if it is.
const retryAfter = "5"

// readiness answers /readyz from the store's health checks, a real query
// round trip every -neo4j-health-interval: 200 while the latest one worked,
// else 503 with Retry-After, so a load balancer stops sending requests
// within a second or two of Neo4j going down and resumes as soon as it
// answers again. It never contacts Neo4j itself, so polling it costs nothing.
func readiness(s *store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Ready(); err != nil {
			w.Header().Set("Retry-After", retryAfter)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "neo4j does not answer"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

// healthChanged logs Neo4j going down and coming back, once each, and keeps
// the cyberkg_neo4j_up gauge.
func healthChanged(log *slog.Logger, m *metrics) func(error) {
	up := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "cyberkg_neo4j_up", Help: "1 while the latest Neo4j health check's round trip worked, else 0.",
	})
	m.registry.MustRegister(up)
	return func(err error) {
		if err != nil {
			up.Set(0)
			log.Warn("neo4j is down: requests fail fast with 503 until it answers again", "err", err)
			return
		}
		up.Set(1)
		log.Info("neo4j answers")
	}
}
