package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
	"cyberkg/synth"
)

// Benchmarks of every root query, over real HTTP, on a synthetic graph far
// larger than the seed: BENCH_ENTITIES entities (default 100000) and
// BENCH_RELATIONSHIPS relationships (default 500000) with power-law degrees.
// The graph replaces whatever the test database holds and is kept for the
// next run. Run them with `make bench`.

var (
	benchOnce sync.Once
	benchSrv  *httptest.Server
	benchDS   *kg.Dataset
	benchErr  error
)

func benchServer(b *testing.B) (*httptest.Server, *kg.Dataset) {
	b.Helper()
	benchOnce.Do(func() {
		n, m := envInt("BENCH_ENTITIES", 100_000), envInt("BENCH_RELATIONSHIPS", 500_000)
		benchDS = synth.Generate(n, m, 1)
		ctx := context.Background()
		var s *store.Store
		if s, benchErr = store.Open(ctx, dbtest.Config(b), nil); benchErr != nil {
			return
		}
		if benchErr = s.ApplySchema(ctx); benchErr != nil {
			return
		}
		st, err := s.Stats(ctx)
		if benchErr = err; err != nil {
			return
		}
		if st.Entities != n || st.Relationships != m {
			fmt.Fprintf(os.Stderr, "loading a synthetic graph of %d entities and %d relationships\n", n, m)
			if benchErr = s.DeleteAll(ctx); benchErr != nil {
				return
			}
			if benchErr = s.Load(ctx, benchDS); benchErr != nil {
				return
			}
		}
		cfg, _ := parseConfig("bench", nil)
		cfg.maxCost = 1 << 40 // benchmarks measure the store, not the budget
		cfg.cacheBytes = 0    // nor the response cache: every query is answered
		cfg.rateLimit = 0
		benchSrv = httptest.NewServer(newHandler(s, cfg, newMetrics(), discardLog()))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchSrv, benchDS
}

// byDegree returns entity ids from the most to the least connected.
func byDegree(ds *kg.Dataset) []string {
	deg := map[string]int{}
	for _, r := range ds.Relationships {
		deg[r.From]++
		deg[r.To]++
	}
	ids := make([]string, 0, len(deg))
	for id := range deg {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return deg[ids[i]] > deg[ids[j]] || deg[ids[i]] == deg[ids[j]] && ids[i] < ids[j] })
	return ids
}

func runQueries(b *testing.B, ts *httptest.Server, queries []string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	cypher := 0
	for i := 0; i < b.N; i++ {
		body, _ := json.Marshal(map[string]string{"query": queries[i%len(queries)]})
		resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(string(body)))
		if err != nil {
			b.Fatal(err)
		}
		var out gqlResponse
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 {
			b.Fatalf("query %q: %v %s", queries[i%len(queries)], err, raw)
		}
		n, _ := out.Extensions["cypherQueries"].(float64)
		cypher += int(n)
	}
	b.ReportMetric(float64(cypher)/float64(b.N), "cypher/op")
}

// pick returns k queries built from ids spread over the list.
func pick(ids []string, k int, format string) []string {
	var qs []string
	for i := 0; i < k; i++ {
		qs = append(qs, fmt.Sprintf(format, ids[i*len(ids)/k]))
	}
	return qs
}

const benchEdge = `type confidence start end from { id } to { id } evidence { locator quote }`

func BenchmarkSearch(b *testing.B) {
	ts, ds := benchServer(b)
	var qs []string
	for i := 1; i <= 50; i++ {
		name := ds.Entities[i*len(ds.Entities)/51].Name
		typo := name[:len(name)-2] + name[len(name)-1:] // drop a letter
		qs = append(qs, fmt.Sprintf(`{ search(text: %q, first: 10) { score entity { id name kind } } }`, typo))
	}
	runQueries(b, ts, qs)
}

func BenchmarkEntitiesNested(b *testing.B) {
	ts, _ := benchServer(b)
	runQueries(b, ts, []string{`{ entities(first: 50, kinds: [FIRM], orderBy: {field: START, direction: DESC}) {
		totalCount nodes { id name relationships(first: 10) { type to { id name relationships(first: 10) { id } } } } } }`})
}

func BenchmarkNeighborhood(b *testing.B) {
	ts, ds := benchServer(b)
	ids := byDegree(ds)
	for _, c := range []struct {
		name  string
		ids   []string
		depth int
	}{
		{"typical/depth1", ids[len(ids)/4:], 1},
		{"typical/depth2", ids[len(ids)/4:], 2},
		{"hub/depth1", ids[:10], 1},
		{"hub/depth2", ids[:10], 2},
	} {
		b.Run(c.name, func(b *testing.B) {
			runQueries(b, ts, pick(c.ids, 10, `{ neighborhood(id: "%s", depth: `+strconv.Itoa(c.depth)+`, limit: 200) {
				truncated nodes { id name kind } edges { `+benchEdge+` } } }`))
		})
	}
}

func BenchmarkPaths(b *testing.B) {
	ts, ds := benchServer(b)
	ids := byDegree(ds)
	typical := ids[len(ids)/4:]
	var pairs []string
	for i := 0; i < 10; i++ {
		pairs = append(pairs, fmt.Sprintf(`from: "%s", to: "%s"`, typical[i*len(typical)/10], typical[(i*len(typical)/10+len(typical)/20)%len(typical)]))
	}
	for _, mode := range []string{"SHORTEST", "ALL_SHORTEST", "ALL"} {
		b.Run(mode, func(b *testing.B) {
			var qs []string
			for _, p := range pairs {
				qs = append(qs, fmt.Sprintf(`{ paths(%s, maxHops: 4, mode: %s, limit: 5) { length nodes { id } edges { %s } } }`, p, mode, benchEdge))
			}
			runQueries(b, ts, qs)
		})
	}
}

func BenchmarkChain(b *testing.B) {
	ts, ds := benchServer(b)
	ids := byDegree(ds)
	runQueries(b, ts, pick(ids[:len(ids)/2], 10, `{ chain(from: "%s", maxHops: 4) { truncated nodes { id name } edges { `+benchEdge+` } } }`))
}

func BenchmarkTimeline(b *testing.B) {
	ts, _ := benchServer(b)
	var qs []string
	for y := 1995; y < 2025; y += 3 {
		qs = append(qs, fmt.Sprintf(`{ timeline(from: "%d", to: "%d-06", first: 50) { totalCount nodes { id name start } } }`, y, y+1))
	}
	runQueries(b, ts, qs)
}

func BenchmarkTimelineInvolving(b *testing.B) {
	ts, ds := benchServer(b)
	runQueries(b, ts, pick(byDegree(ds)[:100], 10, `{ timeline(involving: ["%s"], first: 50) { totalCount nodes { id start } } }`))
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
