package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"cyberkg/internal/dbtest"
)

// directCases are operations graph/direct answers (direct: true) and some
// it must leave to gqlgen, on the seeded brief.
var directCases = []struct {
	name   string
	query  string
	vars   map[string]any
	direct bool
}{
	{"entity scalars and evidence", `{ entity(id: "qualcomm") { __typename id kind name aliases description start end
		evidence { __typename locator paragraph quote stance } } }`, nil, true},
	{"entity relationships with ends", `{ entity(id: "qualcomm") { id relationships(first: 7) { __typename id type causal start end
		description confidence evidence { quote } from { id name __typename } to { id kind } } } }`, nil, true},
	{"relationships filtered", `{ entity(id: "china") { relationships(types: [DEMANDED, REVIEWED], direction: OUTGOING, asOf: "2016", first: 5) { id type to { name } } } }`, nil, true},
	{"three levels from a page", `{ entities(kinds: [FIRM], first: 6) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		edges { cursor node { id } } nodes { id name relationships(first: 4) { id to { id relationships(first: 3, direction: OUTGOING) { id from { id } to { id } } } } } } }`, nil, true},
	{"aliases, fragments, skip and include", `query($no: Boolean!, $id: ID!) { a: entity(id: $id) { ...F k: kind } b: entity(id: "china") { id name @skip(if: $no) desc: description @include(if: $no) }
		__typename } fragment F on Entity { id name ... on Firm { id aliases } ... on State { description } }`, map[string]any{"no": true, "id": "qualcomm"}, true},
	{"variables for sizes", `query($id: ID!, $n: Int) { entity(id: $id) { relationships(first: $n) { id } } }`, map[string]any{"id": "edward-snowden", "n": 3}, true},
	{"search", `{ search(text: "qualcom", first: 5) { score entity { __typename id name kind } } }`, nil, true},
	{"neighbourhood", `{ neighborhood(id: "doj-indictment-2014", maxHops: 2, first: 40) { truncated nodes { id name kind } edges { id type from { id } to { id name } } } }`, nil, true},
	{"chain", `{ chain(from: "snowden-revelations", maxHops: 4) { __typename truncated nodes { id name } edges { id type confidence from { id } to { id } } } }`, nil, true},
	{"paths", `{ paths(from: "edward-snowden", to: "qualcomm", maxHops: 4, first: 3) { __typename length strength nodes { id } edges { id type } } }`, nil, true},
	{"timeline", `{ timeline(from: "2013", to: "2016", first: 12) { totalCount nodes { id name start end } pageInfo { hasNextPage endCursor } } }`, nil, true},

	{"facts are gqlgen's", `{ entity(id: "qualcomm-antitrust-fine") { id facts { name value } } }`, nil, false},
	{"a kind's own fields are gqlgen's", `{ entity(id: "china-cybersecurity-law") { id ... on Law { title status } } }`, nil, false},
	{"a record time is gqlgen's", `{ entity(id: "qualcomm", recordedAt: "2020-01-01T00:00:00Z") { id } }`, nil, false},
	{"an unknown entity is null, with its error", `{ entity(id: "no-such-entity") { id name } }`, nil, true},
	{"a root that may not be null makes the data null, with its error", `{ paths(from: "china", to: "atlantis") { length } }`, nil, true},
	{"one root's error leaves the others", `{ a: entity(id: "qualcomm") { id } b: entity(id: "atlantis") { id } c: search(text: "cisco", first: 1) { entity { id } } }`, nil, true},
	{"a bad size is gqlgen's, with its error", `{ entity(id: "qualcomm") { relationships(first: 5000) { id } } }`, nil, false},
	{"a bad date is gqlgen's, with its error", `{ timeline(from: "2013-13", first: 3) { nodes { id } } }`, nil, false},
	{"a refused operation is refused", `{ entities(first: 100) { nodes { relationships(first: 1000) { id } } } }`, nil, false},
	{"one field it does not know sends all to gqlgen", `{ a: entity(id: "qualcomm") { id } b: stats { entities } }`, nil, false},
}

// TestDirectAnswersAsGqlgenDoes puts every case to a server with graph/direct
// and to one without, both uncached over the same Neo4j, and requires the
// same bytes back, and that graph/direct answered exactly the cases it should.
func TestDirectAnswersAsGqlgenDoes(t *testing.T) {
	s, _ := dbtest.Seeded(t)
	serveDirect := func(on bool) (*httptest.Server, *metrics) {
		cfg := testConfig(t)
		cfg.cacheBytes, cfg.directReads = 0, on
		m := newMetrics()
		ts := httptest.NewServer(newHandler(s, cfg, m, discardLog()))
		t.Cleanup(ts.Close)
		return ts, m
	}
	withDirect, m := serveDirect(true)
	without, _ := serveDirect(false)
	for _, c := range directCases {
		t.Run(c.name, func(t *testing.T) {
			before := counted(m, "direct")
			got := postForBody(t, withDirect, c.query, c.vars)
			answered := counted(m, "direct") - before
			want := postForBody(t, without, c.query, c.vars)
			if !bytes.Equal(got, want) {
				t.Errorf("graph/direct answered\n%s\ngqlgen answered\n%s", got, want)
			}
			if answered != map[bool]float64{true: 1, false: 0}[c.direct] {
				t.Errorf("graph/direct answered %v times, want it to answer: %v", answered, c.direct)
			}
			if failing := strings.Contains(c.name, "error") || strings.Contains(c.name, "refused"); failing && !bytes.Contains(got, []byte(`"errors"`)) {
				t.Errorf("this case should fail with an error: %s", got)
			}
			if failing := strings.Contains(c.name, "error"); c.direct && !failing && (bytes.Contains(got, []byte(`"errors"`)) || !bytes.Contains(got, []byte(`"data":{`))) {
				t.Errorf("a case for graph/direct should have data and no errors: %s", got)
			}
		})
	}
}

// postForBody is the response body without its extensions, which count
// what each executor did rather than what it answered.
func postForBody(t *testing.T, ts *httptest.Server, query string, vars map[string]any) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(ts.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]json.RawMessage
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("not JSON (%v): %s", err, b)
	}
	delete(out, "extensions")
	var keys []string
	for k := range out {
		keys = append(keys, k)
	}
	var buf bytes.Buffer
	for _, k := range []string{"errors", "data"} { // a fixed order: a map's is not
		if v, ok := out[k]; ok {
			buf.WriteString(`"` + k + `":`)
			buf.Write(v)
			buf.WriteString("\n")
		}
	}
	if len(keys) > len(strings.Split(strings.TrimSpace(buf.String()), "\n")) {
		t.Fatalf("response has keys %v", keys)
	}
	return buf.Bytes()
}

func counted(m *metrics, executor string) float64 {
	var out dto.Metric
	_ = m.operations.WithLabelValues(executor).Write(&out)
	return out.GetCounter().GetValue()
}
