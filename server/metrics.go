package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are what /metrics exposes, on a registry of the server's own so
// that tests can build many servers in one process.
type metrics struct {
	registry          *prometheus.Registry
	httpRequests      *prometheus.CounterVec
	httpDuration      *prometheus.HistogramVec
	cypherQueries     *prometheus.CounterVec
	cypherDuration    *prometheus.HistogramVec
	queriesPerRequest prometheus.Histogram

	cacheHits, cacheMisses, cacheEvictions prometheus.Counter
	cacheBytes                             prometheus.Gauge

	operations *prometheus.CounterVec // by executor: direct or gqlgen
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cyberkg_http_requests_total", Help: "HTTP requests by handler and status code.",
		}, []string{"handler", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cyberkg_http_request_duration_seconds", Help: "HTTP request latency by handler.",
			Buckets: prometheus.DefBuckets,
		}, []string{"handler"}),
		cypherQueries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cyberkg_cypher_queries_total", Help: "Cypher round trips by store operation and outcome.",
		}, []string{"op", "outcome"}),
		cypherDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cyberkg_cypher_query_duration_seconds", Help: "Cypher round-trip latency by store operation.",
			Buckets: prometheus.DefBuckets,
		}, []string{"op"}),
		queriesPerRequest: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "cyberkg_graphql_cypher_queries_per_request", Help: "Cypher round trips one GraphQL request cost.",
			Buckets: []float64{0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 64},
		}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cyberkg_response_cache_hits_total", Help: "GraphQL responses served from the response cache.",
		}),
		cacheMisses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cyberkg_response_cache_misses_total", Help: "Cacheable GraphQL requests the response cache did not hold.",
		}),
		cacheEvictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cyberkg_response_cache_evictions_total", Help: "Responses dropped from the response cache to keep it in its bytes.",
		}),
		cacheBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cyberkg_response_cache_bytes", Help: "Bytes of the responses the response cache holds.",
		}),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cyberkg_graphql_operations_total",
			Help: "GraphQL operations executed (not served from the cache), by executor: direct (graph/direct) or gqlgen.",
		}, []string{"executor"}),
	}
	m.registry.MustRegister(m.operations, m.httpRequests, m.httpDuration, m.cypherQueries, m.cypherDuration, m.queriesPerRequest,
		m.cacheHits, m.cacheMisses, m.cacheEvictions, m.cacheBytes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observeCypher is the store's Observer.
func (m *metrics) observeCypher(op string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.cypherQueries.WithLabelValues(op, outcome).Inc()
	m.cypherDuration.WithLabelValues(op).Observe(d.Seconds())
}
