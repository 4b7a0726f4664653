package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cyberkg/internal/dbtest"
)

// The figures behind the default cost budget (README, "Limits"): what the
// pages the budget must allow, and a query just under it, cost in time and
// bytes on the seed and on the synthetic graph, and how fast the issue's
// attacks are refused. Run with
//
//	go test -run '^$' -bench 'Budget|Refusal' -benchtime 5x ./server
//
// (BENCH_ENTITIES / BENCH_RELATIONSHIPS size the synthetic graph).
var budgetQueries = []struct{ name, query string }{
	{"realistic page", realisticPage},
	{"O2", pageO2},
	// Three levels from the best-connected entity, costing 44,201 nodes.
	{"hub three levels at the budget", `{ entity(id: "%s") { id relationships(first: 100) { id to { id relationships(first: 20) { id to { id relationships(first: 20) { id } } } } } } }`},
	// A page whose every entity asks a page: 48,501 nodes.
	{"page of pages at the budget", `{ entities(first: 100) { nodes { id relationships(first: 22) { id to { id relationships(first: 20) { id } } } } } }`},
}

func BenchmarkBudgetSeed(b *testing.B) {
	s, _ := dbtest.Seeded(b)
	ts := httptest.NewServer(newHandler(s, benchConfig(b), newMetrics(), discardLog()))
	defer ts.Close()
	for _, q := range budgetQueries {
		b.Run(q.name, func(b *testing.B) { measure(b, ts, strings.ReplaceAll(q.query, "%s", "china")) })
	}
}

func BenchmarkBudgetSynthetic(b *testing.B) {
	ts, ds := benchServer(b)
	hub := byDegree(ds)[0]
	for _, q := range budgetQueries {
		b.Run(q.name, func(b *testing.B) { measure(b, ts, strings.ReplaceAll(q.query, "%s", hub)) })
	}
}

// BenchmarkRefusal times the refusal of each hostile request of the test
// corpus under the default limits.
func BenchmarkRefusal(b *testing.B) {
	s, _ := dbtest.Seeded(b)
	ts := httptest.NewServer(newHandler(s, benchConfig(b), newMetrics(), discardLog()))
	defer ts.Close()
	for _, h := range hostile {
		b.Run(h.name, func(b *testing.B) {
			body, _ := json.Marshal(map[string]string{"query": h.query})
			for i := 0; i < b.N; i++ {
				resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(string(body)))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 500 || resp.StatusCode == 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}

func benchConfig(b *testing.B) config {
	cfg, err := parseConfig("bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	cfg.rateLimit = 0
	return cfg
}

// measure runs query b.N times and reports the response's size and the
// cost the server computed for it.
func measure(b *testing.B, ts *httptest.Server, query string) {
	body, _ := json.Marshal(map[string]string{"query": query})
	var size int
	var out gqlResponse
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(string(body)))
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		size = len(raw)
		out = gqlResponse{}
		if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 {
			b.Fatalf("%v %.300s", err, raw)
		}
	}
	b.ReportMetric(float64(size)/1e6, "MB/response")
	b.ReportMetric(out.Extensions["cost"].(float64), "cost")
}
