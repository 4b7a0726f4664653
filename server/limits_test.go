package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cyberkg/internal/dbtest"
	"cyberkg/store"
)

// countingServer serves the seeded graph with cfg through a store that
// counts every Cypher statement it runs.
func countingServer(t *testing.T, cfg config) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	dbtest.Seeded(t)
	var n atomic.Int64
	s, err := store.Open(context.Background(), dbtest.Config(t), func(string, time.Duration, error) { n.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	ts := httptest.NewServer(newHandler(s, cfg, newMetrics(), discardLog()))
	t.Cleanup(ts.Close)
	return ts, &n
}

// hostile is the corpus of abusive requests and their neighbours,
// each with the error code that must refuse it.
var hostile = []struct{ name, query, code string }{
	{"four levels of first:1000 (the issue's 144 bytes)",
		`{entity(id:"china"){relationships(first:1000){to{relationships(first:1000){to{relationships(first:1000){to{relationships(first:1000){id}}}}}}}}}`,
		"COST_LIMIT_EXCEEDED"},
	{"three levels of the default first",
		`{entity(id:"china"){relationships{to{relationships{to{relationships{id}}}}}}}`, "COST_LIMIT_EXCEEDED"},
	{"two levels of first:1000", `{entity(id:"china"){relationships(first:1000){to{relationships(first:1000){id}}}}}`, "COST_LIMIT_EXCEEDED"},
	{"a full page of full pages", `{entities(first:100){nodes{relationships(first:1000){id}}}}`, "COST_LIMIT_EXCEEDED"},
	{"a wide neighbourhood, each node's relationships",
		`{neighborhood(id:"china",depth:3,limit:1000){nodes{relationships{id}}}}`, "COST_LIMIT_EXCEEDED"},
	{"paths, each node's relationships", `{paths(from:"china",to:"united-states",maxHops:6,limit:50){nodes{relationships(first:1000){id}}}}`, "COST_LIMIT_EXCEEDED"},
	{"the same list through fragments",
		`{entity(id:"china"){...A}} fragment A on Entity{relationships(first:1000){to{...B}}} fragment B on Entity{relationships(first:1000){id}}`,
		"COST_LIMIT_EXCEEDED"},
	{"2,000 aliases of totalCount", "{" + repeat(2000, func(i int) string { return fmt.Sprintf("a%d:relationships(first:0){totalCount} ", i) }) + "}", "GRAPHQL_PARSE_FAILED"},
	{"40 aliases of totalCount", "{" + repeat(40, func(i int) string { return fmt.Sprintf("a%d:relationships(first:0){totalCount} ", i) }) + "}", "TOO_MANY_ALIASES"},
	{"25 aliases of totalCount, each counting", "{" + repeat(25, func(i int) string {
		return fmt.Sprintf("a%d:relationships(first:100){totalCount nodes{from{relationships{id}}}} ", i)
	}) + "}", "COST_LIMIT_EXCEEDED"},
	{"10,000 repeated root fields", "{" + strings.Repeat("stats{entities} ", 10_000) + "}", "GRAPHQL_PARSE_FAILED"},
	{"many directives", `{stats{entities` + strings.Repeat(" @include(if:true)", 100) + `}}`, "TOO_MANY_DIRECTIVES"},
	{"too deep", `{entity(id:"china"){` + strings.Repeat(`relationships(first:1){to{`, 7) + `id` + strings.Repeat(`}}`, 7) + `}}`, "QUERY_TOO_DEEP"},
}

func repeat(n int, f func(int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(f(i))
	}
	return b.String()
}

// Every hostile request is refused with a clear error that names the limit,
// before any Cypher runs, and none gets a 5xx.
func TestHostileRequestsAreRefusedBeforeCypher(t *testing.T) {
	ts, cypher := countingServer(t, testConfig(t))
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			before := cypher.Load()
			status, resp := post(t, ts, h.query, nil)
			if status >= 500 {
				t.Errorf("status %d", status)
			}
			if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != h.code {
				t.Fatalf("status %d, errors %+v, want code %s", status, resp.Errors, h.code)
			}
			if resp.Data["entity"] != nil || resp.Data["entities"] != nil {
				t.Errorf("data returned: %v", resp.Data)
			}
			if n := cypher.Load() - before; n != 0 {
				t.Errorf("%d Cypher statements ran", n)
			}
		})
	}
	_, resp := post(t, ts, hostile[0].query, nil)
	if e := resp.Errors[0]; !strings.Contains(e.Message, "the budget is 50000") || e.Extensions["budget"] != 50000.0 || e.Extensions["cost"].(float64) < 1e12 {
		t.Errorf("the cost error does not state the cost and the budget: %+v", e)
	}
}

// The pages issue 7 and the performance issue name stay allowed under the
// default budget, and say what they cost.
func TestRealisticPagesFitTheDefaultBudget(t *testing.T) {
	ts, _ := countingServer(t, testConfig(t))
	for name, q := range map[string]string{
		"100 entities x 10 relationships x 10 relationships":                  realisticPage,
		"O2: entities of a kind by name, outgoing of a type, their far ends'": pageO2,
	} {
		status, resp := post(t, ts, q, nil)
		if status != 200 || len(resp.Errors) > 0 {
			t.Errorf("%s: status %d, errors %+v", name, status, resp.Errors)
		}
		if c, _ := resp.Extensions["cost"].(float64); c < 10_000 || c > 50_000 {
			t.Errorf("%s: extensions.cost = %v", name, resp.Extensions["cost"])
		}
	}
}

const (
	realisticPage = `{ entities(first: 100) { nodes { id name relationships(first: 10) { type to { id name relationships(first: 10) { type to { id name } } } } } } }`
	pageO2        = `{ entities(kinds: [STATE], orderBy: {field: NAME}, first: 100) { nodes { id name
	  relationships(types: [ATTRIBUTED_TO], direction: OUTGOING, first: 10) { id type to { id name
	    relationships(first: 10) { id type from { id } to { id name } } } } } } }`
)

// Sending the whole hostile corpus again and again does not grow the
// server's memory: nothing of a refused request is kept (the query cache
// keeps no large or refused documents).
func TestMemoryStaysBoundedUnderHostileRequests(t *testing.T) {
	cfg := testConfig(t)
	cfg.rateLimit = 0
	ts, _ := countingServer(t, cfg)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	round := func(i int) {
		for _, h := range hostile {
			// Distinct text each round, so that a cache keeping them would grow.
			post(t, ts, h.query+fmt.Sprintf(" # %d", i), nil)
		}
	}
	round(0)
	before := heap()
	for i := 1; i <= 20; i++ {
		round(i)
	}
	grew := int64(heap()) - int64(before)
	if grew > 20<<20 {
		t.Errorf("heap grew by %d MB over 20 rounds of %d hostile requests", grew>>20, len(hostile))
	}
	t.Logf("heap %d MB before, grew %d KB over 20 rounds of %d hostile requests", before>>20, grew>>10, len(hostile))
}

func TestOversizedBodiesAre413BeforeReading(t *testing.T) {
	cfg := testConfig(t)
	cfg.maxBodyBytes = 1000
	ts, _ := countingServer(t, cfg)
	big := `{"query":"{ stats { entities } }","variables":{"pad":"` + strings.Repeat("x", 2000) + `"}}`

	resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("declared length: status %d, want 413", resp.StatusCode)
	}
	// A body of undeclared length (chunked) is cut off at the limit.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: status %d, want 413", resp.StatusCode)
	}
	if status, resp := post(t, ts, `{ stats { entities } }`, nil); status != 200 || len(resp.Errors) > 0 {
		t.Errorf("a small body: status %d, errors %+v", status, resp.Errors)
	}
}

// A cross-site page can send a GET or a form-like POST without a CORS
// preflight; those must carry a header only a preflighted request can.
func TestCSRFPrevention(t *testing.T) {
	ts, cypher := countingServer(t, testConfig(t))
	get := ts.URL + "/graphql?query=" + url.QueryEscape(`{ stats { entities } }`)
	tests := []struct {
		name, method, url, contentType, header, body string
		want                                         int
	}{
		{"GET without a header", "GET", get, "", "", "", 400},
		{"GET with GraphQL-Require-Preflight", "GET", get, "", "GraphQL-Require-Preflight", "", 200},
		{"GET with X-Apollo-Operation-Name", "GET", get, "", "X-Apollo-Operation-Name", "", 200},
		{"GET with a JSON content type", "GET", get, "application/json", "", "", 200},
		{"POST as a form would", "POST", ts.URL + "/graphql", "text/plain", "", `{"query":"{ stats { entities } }"}`, 400},
		{"POST as JSON", "POST", ts.URL + "/graphql", "application/json", "", `{"query":"{ stats { entities } }"}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cypher.Load()
			req, _ := http.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.header != "" {
				req.Header.Set(tt.header, "1")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out gqlResponse
			json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d (%+v)", resp.StatusCode, tt.want, out.Errors)
			}
			if tt.want == 400 && (len(out.Errors) == 0 || out.Errors[0].Extensions["code"] != "CSRF_PREVENTED" || cypher.Load() != before) {
				t.Errorf("refusal is not a clear CSRF error before Cypher: %+v", out.Errors)
			}
		})
	}
}

// A request takes its cost in points (hundreds, at least one) from its
// client's bucket; every answer says what is left in the RateLimit headers;
// past the budget the answer is 429 RATE_LIMITED with Retry-After, before
// any Cypher runs.
func TestRateLimitChargesCostWithHeaders(t *testing.T) {
	cfg := testConfig(t)
	// A day's window: what refills while the test runs is far below a point.
	cfg.rateLimit, cfg.rateWindow = 31, 24*time.Hour
	ts, cypher := countingServer(t, cfg)
	const page = `{ entities(first: 100) { nodes { id } } }` // cost 1 + 100: 2 points
	remaining := 31
	for i := 0; ; i++ {
		before := cypher.Load()
		status, resp, h := call(t, ts.URL, "", page)
		if status == http.StatusTooManyRequests {
			if code(resp) != "RATE_LIMITED" || h.Get("Retry-After") == "" || h.Get("RateLimit-Remaining") != strconv.Itoa(remaining) {
				t.Errorf("refusal: %+v, Retry-After %q, RateLimit-Remaining %q (want %d)", resp, h.Get("Retry-After"), h.Get("RateLimit-Remaining"), remaining)
			}
			if n := cypher.Load() - before; n != 0 {
				t.Errorf("a refused request ran %d Cypher statements", n)
			}
			if remaining != 1 {
				t.Errorf("refused with %d points left for a %d-point request", remaining, 2)
			}
			break
		}
		cost, _ := resp.Extensions["cost"].(float64)
		points := max(1, (int(cost)+99)/100)
		remaining -= points
		if status != 200 || points != 2 {
			t.Fatalf("request %d: status %d, cost %v (%d points) %+v", i, status, cost, points, resp.Errors)
		}
		if h.Get("RateLimit-Limit") != "31" || h.Get("RateLimit-Policy") != "31;w=86400" || h.Get("RateLimit-Remaining") != strconv.Itoa(remaining) || h.Get("RateLimit-Reset") == "" {
			t.Errorf("request %d: RateLimit-Limit %q, -Policy %q, -Remaining %q (want %d), -Reset %q", i,
				h.Get("RateLimit-Limit"), h.Get("RateLimit-Policy"), h.Get("RateLimit-Remaining"), remaining, h.Get("RateLimit-Reset"))
		}
		if i > 20 {
			t.Fatal("never refused")
		}
	}
	// One point is still there: a one-point request goes through.
	if status, resp, _ := call(t, ts.URL, "", `{ __typename }`); status != 200 {
		t.Errorf("a 1-point request with 1 point left: %d %+v", status, resp)
	}
	if status, _, h := call(t, ts.URL, "", `{ __typename }`); status != 429 || h.Get("Retry-After") == "" {
		t.Errorf("an empty bucket: %d, Retry-After %q", status, h.Get("Retry-After"))
	}
}

// An API key has a bucket of its own, larger than an address's; exports
// take exportPoints from the same bucket.
func TestRateLimitGivesKeysTheirOwnLargerBudget(t *testing.T) {
	cfg := testConfig(t)
	cfg.rateLimit, cfg.rateLimitKeys, cfg.rateWindow = 600, 2000, 24*time.Hour
	ts := authServer(t, cfg)
	key, _ := createKey(t, "reader", "rate-limited")
	for i := range 2 {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/export/entities.csv?kinds=STATE", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := http.StatusOK
		if i == 1 { // 600 points hold one export of 500
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want || (want == 429 && resp.Header.Get("Retry-After") == "") {
			t.Errorf("anonymous export %d: status %d, Retry-After %q; want %d", i, resp.StatusCode, resp.Header.Get("Retry-After"), want)
		}
	}
	status, _, h := call(t, ts.URL, "Bearer "+key, `{ __typename }`)
	if status != 200 || h.Get("RateLimit-Limit") != "2000" || h.Get("RateLimit-Remaining") != "1999" {
		t.Errorf("with a key, after the address's bucket is spent: %d, RateLimit-Limit %q, -Remaining %q", status, h.Get("RateLimit-Limit"), h.Get("RateLimit-Remaining"))
	}
}

// With -rate-limit-loopback=false (make run) a client on this machine is
// not limited at all.
func TestRateLimitCanLeaveLoopbackAlone(t *testing.T) {
	cfg := testConfig(t)
	cfg.rateLimit, cfg.rateLimitLoopback = 1, false
	ts, _ := countingServer(t, cfg)
	for i := range 5 {
		status, _, h := call(t, ts.URL, "", `{ stats { entities } }`)
		if status != 200 || h.Get("RateLimit-Limit") != "" {
			t.Fatalf("request %d from loopback: %d, RateLimit-Limit %q", i, status, h.Get("RateLimit-Limit"))
		}
	}
}

func TestExplorerPagesHaveSecurityHeaders(t *testing.T) {
	cfg := testConfig(t)
	cfg.frameAncestors = "https://example.org"
	ts, _ := countingServer(t, cfg)
	for _, path := range []string{"/", "/explorer/explorer.js"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://example.org") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options", path)
		}
	}
}

func TestMetricsCanMoveToTheirOwnAddress(t *testing.T) {
	cfg := testConfig(t)
	cfg.metricsAddr = "127.0.0.1:0"
	ts, _ := countingServer(t, cfg)
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the API address: %d, want 404", resp.StatusCode)
	}
	m := httptest.NewServer(metricsHandler(newMetrics()))
	defer m.Close()
	if resp, err := http.Get(m.URL); err != nil || resp.StatusCode != 200 {
		t.Errorf("metrics handler: %v %v", resp, err)
	}
}

// What validation says is limited: no "did you mean" suggestions (they map
// the schema for a caller the introspection flag may have turned away), at
// most -max-errors errors, and no echo of a malformed body.
func TestErrorsSayLittleAndAreCapped(t *testing.T) {
	cfg := testConfig(t)
	cfg.introspection = false
	ts, _ := countingServer(t, cfg)
	if _, resp := post(t, ts, `{ stats { entitys } }`, nil); len(resp.Errors) != 1 || strings.Contains(resp.Errors[0].Message, "Did you mean") {
		t.Errorf("unknown field: %+v", resp.Errors)
	}
	_, resp := post(t, ts, "{ stats { "+repeat(100, func(i int) string { return fmt.Sprintf("f%d ", i) })+"} }", nil)
	if len(resp.Errors) != 21 || resp.Errors[20].Message != "80 more errors not shown" {
		t.Errorf("%d errors, last %+v", len(resp.Errors), resp.Errors[len(resp.Errors)-1])
	}
	if _, resp := post(t, ts, `{ __schema { types { name } } }`, nil); len(resp.Errors) == 0 {
		t.Errorf("introspection answered with -introspection=false")
	}
	if _, resp := postRaw(t, ts, `{"query": "secret-token`); len(resp.Errors) == 0 || strings.Contains(resp.Errors[0].Message, "secret-token") {
		t.Errorf("malformed body echoed: %+v", resp.Errors)
	}
}

// A request out of time is reported as a timeout (its own code), not as the
// database being unavailable, and its Cypher is not started.
func TestRequestDeadlineIsATimeout(t *testing.T) {
	cfg := testConfig(t)
	cfg.requestTimeout = time.Nanosecond
	ts, _ := countingServer(t, cfg)
	status, resp := post(t, ts, `{ stats { entities } }`, nil)
	if status >= 500 || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "TIMEOUT" {
		t.Errorf("status %d, errors %+v; want one TIMEOUT error (%+v)", status, resp.Errors, resp)
	}
}

// When the deadline passes between resolvers, gqlgen itself reports the
// context's error for the items it did not start; that too is a timeout,
// not an internal error.
func TestDeadlineBetweenResolversIsATimeout(t *testing.T) {
	present := presentError(discardLog())
	for _, err := range []error{context.DeadlineExceeded, fmt.Errorf("input: entities.nodes[0] %w", context.DeadlineExceeded)} {
		if e := present(context.Background(), err); e.Extensions["code"] != "TIMEOUT" {
			t.Errorf("%v presented as %+v", err, e)
		}
	}
}
