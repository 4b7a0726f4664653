package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cyberkg/internal/dbtest"
)

// BenchmarkCuration measures the write path over real HTTP on the seeded
// graph (issue 19): one upsertRelationship with evidence, its versions and
// its change, p50 and p95 at 1 client; writes per second at 8 clients; and
// read throughput at 16 clients alone (before and after) and beside 8
// writing clients. Each phase runs for CURATION_BENCH_SECONDS (default 5),
// after a warm-up, with the response cache off (below). Run it alone:
//
//	go test ./server/ -run '^$' -bench BenchmarkCuration -benchtime 1x
//
// The seed is put back afterwards, exactly.
func BenchmarkCuration(b *testing.B) {
	s, ds := dbtest.Seeded(b)
	defer func() {
		ctx := context.Background()
		err := s.DeleteAll(ctx)
		if err == nil {
			err = s.Load(ctx, ds)
		}
		if err != nil {
			b.Errorf("put the seed back: %v", err)
		}
	}()
	cfg := testConfig(&testing.T{})
	cfg.rateLimit = 0
	cfg.maxCost = 1 << 40
	// Without the response cache: beside a write every few milliseconds no
	// entry outlives a write, so with it the reads alone would be hits and
	// those beside the writers misses, and the ratio would measure the
	// cache rather than what the writes cost the reads in Neo4j.
	cfg.cacheBytes = 0
	ts := httptest.NewServer(testActors(b, s, newHandler(s, cfg, newMetrics(), discardLog())))
	defer ts.Close()
	phase := time.Duration(envInt("CURATION_BENCH_SECONDS", 5)) * time.Second

	ids := make([]string, 0, len(ds.Entities))
	for _, e := range ds.Entities {
		ids = append(ids, e.ID)
	}
	var n atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	write := func() (time.Duration, error) {
		i := n.Add(1)
		body := map[string]any{
			"query": `mutation($input: UpsertRelationshipInput!) { upsertRelationship(input: $input, reason: "benchmark") { version change { id } userErrors { code message } } }`,
			"variables": map[string]any{"input": map[string]any{
				"id": fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i), "type": "CONCERNS",
				"from": ids[int(i)%len(ids)], "to": ids[int(i*7+3)%len(ids)], "confidence": "REPORTED",
				"evidence": []any{map[string]any{"source": "us-china-cybersecurity-brief", "locator": "¶2", "quote": "Cybersecurity is of vital importance"}},
			}},
		}
		return post1(client, ts.URL, "curator", body, "upsertRelationship")
	}
	read := func() (time.Duration, error) {
		body := map[string]any{"query": `{ entity(id: "united-states") { name version relationships(first: 20) { type to { name } evidence { quote } } } }`}
		return post1(client, ts.URL, "", body, "entity")
	}

	// Warm up first: a Neo4j just started plans and compiles as it goes, and
	// the phase that ran first would otherwise pay for it.
	runClients(16, phase/2, read)
	runClients(8, phase/2, write)

	// 1 client: latency of one write.
	lat, errs := runClients(1, phase, write)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		b.Fatalf("no write succeeded: %d failed, the first with %v", errs, firstError())
	}
	p50, p95 := lat[len(lat)/2], lat[len(lat)*95/100]
	// 8 clients: throughput of writes.
	w8, werrs := runClients(8, phase, write)
	// 16 readers alone, then beside 8 writers, then alone again: the
	// readers' throughput alone is the mean of the two, so that neither a
	// Neo4j still warming nor a graph grown by the writes favours a side.
	r16a, rerrs := runClients(16, phase, read)
	var beside []time.Duration
	var wb []time.Duration
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); wb, _ = runClients(8, phase, write) }()
	beside, berrs := runClients(16, phase, read)
	wg.Wait()
	r16b, rerrs2 := runClients(16, phase, read)
	rerrs += rerrs2
	r16 := (len(r16a) + len(r16b)) / 2

	secs := phase.Seconds()
	b.ReportMetric(float64(p50.Microseconds())/1000, "write-p50-ms")
	b.ReportMetric(float64(p95.Microseconds())/1000, "write-p95-ms")
	b.ReportMetric(float64(len(w8))/secs, "writes/s@8")
	b.ReportMetric(float64(r16)/secs, "reads/s@16")
	b.ReportMetric(float64(len(beside))/secs, "reads/s@16+8w")
	b.ReportMetric(100*float64(len(beside))/float64(max(r16, 1)), "reads-kept-%")
	fmt.Fprintf(os.Stderr, "curation: write p50 %s p95 %s (%d writes, 1 client); %.0f writes/s at 8 clients; reads at 16 clients %.0f/s alone (%.0f before, %.0f after), %.0f/s beside 8 writers (%.0f writes/s) = %.0f%%; errors %d/%d/%d/%d\n",
		p50, p95, len(lat), float64(len(w8))/secs, float64(r16)/secs, float64(len(r16a))/secs, float64(len(r16b))/secs,
		float64(len(beside))/secs, float64(len(wb))/secs, 100*float64(len(beside))/float64(max(r16, 1)), errs, werrs, rerrs, berrs)
}

// runClients calls op from clients goroutines for d and returns the latencies of
// the calls that succeeded and how many failed.
// firstErr is the first error of any phase, for a phase that failed.
var firstErr atomic.Pointer[error]

func firstError() error {
	if e := firstErr.Load(); e != nil {
		return *e
	}
	return nil
}

func runClients(clients int, d time.Duration, op func() (time.Duration, error)) ([]time.Duration, int) {
	var mu sync.Mutex
	var out []time.Duration
	var failed int
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				l, err := op()
				mu.Lock()
				if err != nil {
					firstErr.CompareAndSwap(nil, &err)
					failed++
				} else {
					out = append(out, l)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out, failed
}

// post1 posts one GraphQL request and times it; errors and userErrors fail it.
func post1(c *http.Client, url, role string, body map[string]any, field string) (time.Duration, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if role != "" {
		req.Header.Set("Authorization", "Bearer test-"+role)
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != 200 || bytes.Contains(out, []byte(`"errors"`)) || (strings.Contains(string(out), `"userErrors":[{`)) {
		return 0, fmt.Errorf("status %d: %.200s", resp.StatusCode, out)
	}
	if !bytes.Contains(out, []byte(field)) {
		return 0, fmt.Errorf("no %s in %.200s", field, out)
	}
	return took, nil
}
