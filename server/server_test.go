package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/store"
)

type gqlResponse struct {
	Data       map[string]json.RawMessage `json:"data"`
	Errors     []gqlError                 `json:"errors"`
	Extensions map[string]any             `json:"extensions"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testConfig(t *testing.T) config {
	cfg, err := parseConfig("test", nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// newTestServer serves the seeded graph over real HTTP.
func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	s, _ := dbtest.Seeded(t)
	return serve(t, s)
}

func serve(t *testing.T, s *store.Store) *httptest.Server { return serveWith(t, s, newMetrics()) }

func serveWith(t *testing.T, s *store.Store, m *metrics) *httptest.Server {
	t.Cleanup(func() { waitFeedIdle(t, m) }) // the explorer's live views subscribe
	ts := httptest.NewServer(newHandler(s, testConfig(t), m, discardLog()))
	t.Cleanup(ts.Close)
	return ts
}

func postRaw(t *testing.T, ts *httptest.Server, body string) (int, gqlResponse) {
	t.Helper()
	resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, b)
	}
	return resp.StatusCode, out
}

func post(t *testing.T, ts *httptest.Server, query string, vars map[string]any) (int, gqlResponse) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return postRaw(t, ts, string(b))
}

func TestExplorerLoadsWithNoNetwork(t *testing.T) {
	ts := newTestServer(t)
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `id="graphiql"`) {
		t.Fatalf("GET / = %d:\n%s", resp.StatusCode, page)
	}
	if strings.Contains(string(page), "http://") || strings.Contains(string(page), "https://") {
		t.Errorf("the explorer page loads something from another host:\n%s", page)
	}
	assets := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(page), -1)
	if len(assets) < 4 {
		t.Fatalf("found %d assets in the page, want GraphiQL, React, ReactDOM and the CSS", len(assets))
	}
	for _, a := range assets {
		resp, err := http.Get(ts.URL + "/" + a[1])
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n == 0 {
			t.Errorf("asset %s: status %d, %d bytes", a[1], resp.StatusCode, n)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s = %d, want 200", path, resp.StatusCode)
		}
	}
}

func TestSearchReturnsEntitiesFromNeo4j(t *testing.T) {
	ts := newTestServer(t)
	code, resp := post(t, ts, `query($q: String!) { search(text: $q, first: 3) { score entity { id kind name } } }`,
		map[string]any{"q": "qualcom"})
	if code != 200 || len(resp.Errors) > 0 {
		t.Fatalf("status %d, errors %+v", code, resp.Errors)
	}
	var hits []struct {
		Score  float64
		Entity struct{ ID, Kind, Name string }
	}
	json.Unmarshal(resp.Data["search"], &hits)
	if len(hits) == 0 || hits[0].Entity.ID != "qualcomm" || hits[0].Entity.Kind != "FIRM" {
		t.Fatalf("search qualcom = %+v, want Qualcomm first", hits)
	}
	if n, _ := resp.Extensions["cypherQueries"].(float64); n != 1 {
		t.Errorf("extensions.cypherQueries = %v, want 1", resp.Extensions["cypherQueries"])
	}
}

func TestGETServesQueries(t *testing.T) {
	ts := newTestServer(t)
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/graphql?query="+url.QueryEscape(`{ entity(id: "china") { name kind } }`), nil)
	req.Header.Set("GraphQL-Require-Preflight", "1") // see TestCSRFPrevention
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 || string(out.Data["entity"]) != `{"name":"China","kind":"STATE"}` {
		t.Errorf("GET = %d %s %+v", resp.StatusCode, out.Data["entity"], out.Errors)
	}
}

// Every kind of bad request gets a clear GraphQL error with the right status,
// never a panic, a stack trace or Cypher.
func TestBadRequestsGetClearErrors(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		name, body string
		status     int
		code, msg  string
	}{
		{"malformed body", `{"query": "{ stats { entities } }"`, 400, "", "the request body is not valid JSON"},
		{"syntax error", `{"query": "{ stats { entities }"}`, 422, "GRAPHQL_PARSE_FAILED", "Expected Name"},
		{"unknown field", `{"query": "{ stats { people } }"}`, 422, "GRAPHQL_VALIDATION_FAILED", `Cannot query field "people"`},
		{"unknown id", `{"query": "{ entity(id: \"atlantis\") { name } }"}`, 200, "NOT_FOUND", `no entity with id "atlantis"`},
		{"page too large", `{"query": "{ entities(first: 1000) { totalCount } }"}`, 200, "BAD_USER_INPUT", "first must be between 0 and 100, got 1000"},
		{"bad cursor", `{"query": "{ entities(after: \"xyz\") { totalCount } }"}`, 200, "BAD_USER_INPUT", `after: "xyz" is not a cursor`},
		{"bad date", `{"query": "{ entities(where: {startFrom: \"2015-13\"}) { totalCount } }"}`, 200, "BAD_USER_INPUT", "month 13 out of range"},
		{"bad enum", `{"query": "{ entities(kinds: [COMPANY]) { totalCount } }"}`, 422, "GRAPHQL_VALIDATION_FAILED", "COMPANY"},
		{"nothing to search", `{"query": "{ search(text: \"?!\") { score } }"}`, 200, "BAD_USER_INPUT", "has no letters or digits"},
		{"too deep", `{"query": "{ entity(id: \"china\") { relationships { to { relationships { to { relationships { to { relationships { to { relationships { to { relationships { to { id } } } } } } } } } } } } } }"}`, 422, "QUERY_TOO_DEEP", "levels deep"},
		{"too costly", `{"query": "{ entities(first: 100) { nodes { relationships { to { relationships { to { relationships { id } } } } } } } }"}`, 422, "COST_LIMIT_EXCEEDED", "the budget is 50000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, resp := postRaw(t, ts, tt.body)
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if len(resp.Errors) == 0 {
				t.Fatalf("no errors in response %+v", resp)
			}
			e := resp.Errors[0]
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message = %q, want it to contain %q", e.Message, tt.msg)
			}
			if tt.code != "" && e.Extensions["code"] != tt.code {
				t.Errorf("code = %v, want %s", e.Extensions["code"], tt.code)
			}
			if strings.Contains(e.Message, "MATCH") || strings.Contains(e.Message, "goroutine") {
				t.Errorf("message leaks internals: %q", e.Message)
			}
		})
	}
}

// With Neo4j unreachable the API says so plainly, answers 503, and /readyz
// fails while /healthz still passes.
func TestNeo4jDown(t *testing.T) {
	s, err := store.New(store.Config{URI: "bolt://127.0.0.1:1", User: "neo4j", Password: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := serve(t, s)
	status, resp := post(t, ts, `{ stats { entities } }`, nil)
	if status != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", status)
	}
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "SERVICE_UNAVAILABLE" ||
		resp.Errors[0].Message != "the graph database is unavailable; try again shortly" {
		t.Errorf("errors = %+v", resp.Errors)
	}
	for path, want := range map[string]int{"/readyz": 503, "/healthz": 200} {
		r, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, r.StatusCode, want)
		}
	}
}

func TestMetricsCountCypherQueries(t *testing.T) {
	dbtest.Seeded(t)
	m := newMetrics()
	s, err := store.Open(context.Background(), dbtest.Config(t), m.observeCypher)
	if err != nil {
		t.Fatal(err)
	}
	ts := serveWith(t, s, m)
	post(t, ts, `{ stats { entities } }`, nil)
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `cyberkg_cypher_queries_total{op="store.Stats",outcome="ok"} 1`) {
		t.Errorf("metrics lack the Stats query:\n%s", b)
	}
}
