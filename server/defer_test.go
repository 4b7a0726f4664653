package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// @defer is accepted and everything comes in the one response: our POST and
// GET transports cannot send later parts, and gqlgen's used to answer
// "hasNext": true with null where the deferred fields belonged.
func TestDeferredFieldsArriveInTheOneResponse(t *testing.T) {
	ts := newTestServer(t)
	const fields = `relationships(first: 5) { id type from { id } to { id } claimedBy { id } }`
	plain := `{ entity(id: "china") { name ` + fields + ` } }`
	deferred := map[string]string{
		"inline fragment": `{ entity(id: "china") { name ... @defer(label: "rels") { ` + fields + ` } } }`,
		"fragment spread": `query { entity(id: "china") { name ...Rels @defer } } fragment Rels on Entity { ` + fields + ` }`,
		"nested":          `{ entity(id: "china") { name relationships(first: 5) { id type ... @defer { from { id } to { id } claimedBy { id } } } } }`,
	}

	want := rawResponse(t, ts, http.MethodPost, plain)
	var rels struct {
		Data struct {
			Entity struct{ Relationships []json.RawMessage }
		}
	}
	if err := json.Unmarshal(want, &rels); err != nil || len(rels.Data.Entity.Relationships) == 0 {
		t.Fatalf("the query without @defer found no relationships (%v): %s", err, want)
	}
	for name, q := range deferred {
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			got := rawResponse(t, ts, method, q)
			if bytes.Contains(got, []byte("hasNext")) || !bytes.Equal(dataOf(t, got), dataOf(t, want)) {
				t.Errorf("%s over %s:\n got %s\nwant %s", name, method, got, want)
			}
		}
	}
}

// rawResponse sends query by method and returns the body of a 200 response.
func rawResponse(t *testing.T, ts *httptest.Server, method, query string) []byte {
	t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		req, _ = http.NewRequest(method, ts.URL+"/graphql?query="+url.QueryEscape(query), nil)
		req.Header.Set("GraphQL-Require-Preflight", "1") // see TestCSRFPrevention
	} else {
		b, _ := json.Marshal(map[string]string{"query": query})
		req, _ = http.NewRequest(method, ts.URL+"/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: status %d: %s", method, query, resp.StatusCode, body)
	}
	return body
}

// dataOf is a response's data, failing on errors.
func dataOf(t *testing.T, body []byte) json.RawMessage {
	t.Helper()
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("response %s (%v)", body, err)
	}
	return r.Data
}
