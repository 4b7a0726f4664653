package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cyberkg/export"
	"cyberkg/internal/dbtest"
	"cyberkg/kg"
)

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp, b
}

// exportOK fetches an export and checks what every download promises.
func exportOK(t *testing.T, ts *httptest.Server, file string) []byte {
	t.Helper()
	resp, b := get(t, ts.URL+"/export/"+file)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /export/%s: %d %s", file, resp.StatusCode, b)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="cyberkg-`+file+`"`) {
		t.Errorf("GET /export/%s: Content-Disposition %q names no download file", file, cd)
	}
	return b
}

// expectedJSON is the seed written by the JSON writer directly, in the
// export's order: the export through Neo4j must give the same bytes.
func expectedJSON(t *testing.T, ds *kg.Dataset) []byte {
	ents := slices.Clone(ds.Entities)
	slices.SortFunc(ents, func(a, b kg.Entity) int { return strings.Compare(a.ID, b.ID) })
	rels := slices.Clone(ds.Relationships)
	slices.SortFunc(rels, func(a, b kg.Relationship) int {
		return cmpOr(strings.Compare(a.From, b.From), strings.Compare(a.ID, b.ID))
	})
	var buf bytes.Buffer
	w := export.NewJSON(&buf)
	for _, e := range ents {
		if err := w.Entity(export.Node{Entity: e}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range rels {
		if err := w.Relationship(export.Edge{Relationship: r}); err != nil {
			t.Fatal(err)
		}
	}
	// The texts the evidence quotes, as the seed stores them (curation).
	var srcs []kg.Source
	for _, e := range ents {
		if paras, ok := ds.Sources[e.ID]; ok && e.Kind == kg.Report {
			srcs = append(srcs, kg.Source{ID: e.ID, Title: e.Name, Reliability: kg.ReliabilityUnknown, Paragraphs: paras})
		}
	}
	if err := w.Sources(srcs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func TestJSONExportIsTheWholeGraphLossless(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ts := serve(t, s)
	got := exportOK(t, ts, "graph.json")
	// The graph, then its past: the change log the tests so far have made,
	// which the seed cannot say (TestImportRoundTrip proves it lossless).
	graph, past, ok := bytes.Cut(got, []byte("],\n\"changes\":["))
	if !ok || !bytes.Contains(past, []byte(`"origin":`)) {
		t.Errorf("graph.json carries no change log")
	}
	got = append(graph, "\n]}\n"...)
	if want := expectedJSON(t, ds); !bytes.Equal(got, want) {
		t.Errorf("graph.json differs from the seed written directly (%d vs %d bytes); first difference near %q",
			len(got), len(want), diffAt(got, want))
	}
	back, err := export.ReadJSON(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Entities) != len(ds.Entities) || len(back.Relationships) != len(ds.Relationships) {
		t.Errorf("read back %d entities, %d relationships; the seed has %d, %d",
			len(back.Entities), len(back.Relationships), len(ds.Entities), len(ds.Relationships))
	}
}

func diffAt(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-60)
	return string(a[lo:min(len(a), i+60)])
}

func TestCSVExportsHaveOneRowPerItem(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ts := serve(t, s)

	read := func(file string) (header []string, rows map[string][]string) {
		recs, err := csv.NewReader(bytes.NewReader(exportOK(t, ts, file))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		rows = map[string][]string{}
		for _, r := range recs[1:] {
			rows[r[0]] = r
		}
		if len(rows) != len(recs)-1 {
			t.Errorf("%s: ids are not unique", file)
		}
		return recs[0], rows
	}
	col := func(header, row []string, name string) string { return row[slices.Index(header, name)] }

	h, ents := read("entities.csv")
	if !slices.Equal(h, export.EntityColumns) || len(ents) != len(ds.Entities) {
		t.Fatalf("entities.csv: header %v, %d rows; want %v, %d", h, len(ents), export.EntityColumns, len(ds.Entities))
	}
	for _, e := range ds.Entities {
		row := ents[e.ID]
		if row == nil || col(h, row, "kind") != string(e.Kind) || col(h, row, "name") != e.Name ||
			col(h, row, "start") != e.Start.String() || col(h, row, "evidence_quote") != e.Evidence[0].Quote {
			t.Errorf("entities.csv row for %s is %q", e.ID, row)
		}
	}
	fine := ents["qualcomm-antitrust-fine"]
	if col(h, fine, "start_first") != "2015-02-01" || col(h, fine, "facts") != "1" {
		t.Errorf("qualcomm-antitrust-fine: start_first %q, facts %q; want 2015-02-01, 1", col(h, fine, "start_first"), col(h, fine, "facts"))
	}

	h, rels := read("relationships.csv")
	if !slices.Equal(h, export.RelationshipColumns) || len(rels) != len(ds.Relationships) {
		t.Fatalf("relationships.csv: header %v, %d rows; want %d rows", h, len(rels), len(ds.Relationships))
	}
	for _, r := range ds.Relationships {
		row := rels[r.ID]
		ev := r.Evidence[0]
		if row == nil || col(h, row, "type") != string(r.Type) || col(h, row, "from") != r.From || col(h, row, "to") != r.To ||
			col(h, row, "confidence") != string(r.Confidence) || col(h, row, "claimed_by") != strings.Join(r.ClaimedBy, "|") ||
			col(h, row, "evidence_quote") != ev.Quote || col(h, row, "evidence_source") != ev.Source {
			t.Errorf("relationships.csv row for %s is %q", r.ID, row)
		}
	}
}

type graphmlDoc struct {
	Keys []struct {
		ID  string `xml:"id,attr"`
		For string `xml:"for,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []struct {
			ID   string        `xml:"id,attr"`
			Data []graphmlData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string        `xml:"id,attr"`
			Source string        `xml:"source,attr"`
			Target string        `xml:"target,attr"`
			Data   []graphmlData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type graphmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func TestGraphMLDeclaresEveryAttribute(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ts := serve(t, s)
	var doc graphmlDoc
	if err := xml.Unmarshal(exportOK(t, ts, "graph.graphml"), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Graph.EdgeDefault != "directed" || len(doc.Graph.Nodes) != len(ds.Entities) || len(doc.Graph.Edges) != len(ds.Relationships) {
		t.Fatalf("graph %s with %d nodes, %d edges; want directed, %d, %d", doc.Graph.EdgeDefault,
			len(doc.Graph.Nodes), len(doc.Graph.Edges), len(ds.Entities), len(ds.Relationships))
	}
	declared := map[string]bool{}
	for _, k := range doc.Keys {
		declared[k.ID] = true
	}
	for _, n := range doc.Graph.Nodes {
		for _, d := range n.Data {
			if !declared[d.Key] || !strings.HasPrefix(d.Key, "node_") {
				t.Errorf("node %s: data key %q is not a declared node key", n.ID, d.Key)
			}
		}
	}
	for _, e := range doc.Graph.Edges {
		for _, d := range e.Data {
			if !declared[d.Key] || !strings.HasPrefix(d.Key, "edge_") {
				t.Errorf("edge %s: data key %q is not a declared edge key", e.ID, d.Key)
			}
		}
	}
}

func TestSTIXBundleRefersOnlyToItsObjects(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ts := serve(t, s)
	var bundle struct {
		Type    string           `json:"type"`
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(exportOK(t, ts, "stix.json"), &bundle); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	byType := map[string]int{}
	for _, o := range bundle.Objects {
		id := o["id"].(string)
		if ids[id] {
			t.Errorf("duplicate STIX id %s", id)
		}
		ids[id] = true
		byType[o["type"].(string)]++
	}
	if byType["relationship"] != len(ds.Relationships) {
		t.Errorf("%d relationship objects, want %d", byType["relationship"], len(ds.Relationships))
	}
	// Every entity once, beside the producer identity and the extension definitions.
	if n := len(bundle.Objects) - byType["relationship"] - 1 - byType["extension-definition"]; n != len(ds.Entities) {
		t.Errorf("%d entity objects, want %d (%v)", n, len(ds.Entities), byType)
	}
	for _, typ := range []string{"identity", "threat-actor", "campaign", "report", "x-cyberkg-law"} {
		if byType[typ] == 0 {
			t.Errorf("no %s object; the seed has entities that map to one (%v)", typ, byType)
		}
	}
	for _, o := range bundle.Objects {
		refs := []any{o["source_ref"], o["target_ref"], o["created_by_ref"]}
		if l, ok := o["object_refs"].([]any); ok {
			refs = append(refs, l...)
		}
		for _, r := range refs {
			if r != nil && !ids[r.(string)] {
				t.Errorf("%s refers to %s, which is not in the bundle", o["id"], r)
			}
		}
	}
}

func TestExportFiltersSelectPartOfTheGraph(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ts := serve(t, s)
	read := func(query string) *kg.Dataset {
		t.Helper()
		resp, b := get(t, ts.URL+"/export/graph.json?"+query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("?%s: %d %s", query, resp.StatusCode, b)
		}
		g, err := export.ReadJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}

	// The neighbourhood of depth 1: the entity and everything one
	// relationship away, and the relationships among them.
	want := map[string]bool{"pla-unit-61398": true}
	for _, r := range ds.Relationships {
		if r.From == "pla-unit-61398" {
			want[r.To] = true
		}
		if r.To == "pla-unit-61398" {
			want[r.From] = true
		}
	}
	g := read("around=pla-unit-61398&depth=1")
	if len(g.Entities) != len(want) {
		t.Errorf("around pla-unit-61398: %d entities, want %d", len(g.Entities), len(want))
	}
	for _, e := range g.Entities {
		if !want[e.ID] {
			t.Errorf("around pla-unit-61398: %s is not a neighbour", e.ID)
		}
	}
	for _, r := range g.Relationships {
		if !want[r.From] || !want[r.To] {
			t.Errorf("around pla-unit-61398: relationship %s leaves the neighbourhood", r.ID)
		}
	}

	g = read("kinds=EVENT,LAW&types=CAUSED")
	if len(g.Entities) == 0 || len(g.Relationships) == 0 {
		t.Fatalf("kinds=EVENT,LAW&types=CAUSED: %d entities, %d relationships", len(g.Entities), len(g.Relationships))
	}
	for _, e := range g.Entities {
		if e.Kind != kg.Event && e.Kind != kg.Law {
			t.Errorf("kinds=EVENT,LAW: got %s of kind %s", e.ID, e.Kind)
		}
	}
	for _, r := range g.Relationships {
		if r.Type != "CAUSED" {
			t.Errorf("types=CAUSED: got %s", r.ID)
		}
	}

	asOf, _ := kg.ParseDate("2013-12-31")
	g = read("asOf=2013-12-31")
	for _, e := range g.Entities {
		if !e.Start.IsZero() && e.Start.First().After(asOf.First()) {
			t.Errorf("asOf 2013-12-31: %s begins %s", e.ID, e.Start)
		}
	}
	for _, r := range g.Relationships {
		if !r.Start.IsZero() && r.Start.First().After(asOf.First()) || !r.End.IsZero() && !r.End.First().After(asOf.First()) {
			t.Errorf("asOf 2013-12-31: %s holds %s to %s", r.ID, r.Start, r.End)
		}
	}
	if len(g.Entities) == 0 || len(g.Entities) == len(ds.Entities) {
		t.Errorf("asOf 2013-12-31 kept %d of %d entities", len(g.Entities), len(ds.Entities))
	}
}

func TestExportRefusesWhatItCannotServe(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	cfg := testConfig(t)
	cfg.exportMaxNodes = len(ds.Entities) - 1
	ts := httptest.NewServer(newHandler(s, cfg, newMetrics(), discardLog()))
	t.Cleanup(ts.Close)
	for _, c := range []struct {
		path string
		code int
		msg  string
	}{
		{"graph.json", 400, "more than"},
		{"graph.csv", 404, "entities.csv"},
		{"graph.json?kinds=EVENTS", 400, `unknown kind "EVENTS"`},
		{"graph.json?types=CAUSES", 400, `unknown relationship type "CAUSES"`},
		{"graph.json?depth=2", 400, "depth needs around"},
		{"graph.json?around=pla-unit-61398&depth=99", 400, "depth must be"},
		{"graph.json?asOf=2015-13", 400, "asOf"},
		{"graph.json?around=no-such-entity", 404, `no entity with id "no-such-entity"`},
		{"graph.json?limit=3", 400, `unknown parameter "limit"`},
	} {
		resp, b := get(t, ts.URL+"/export/"+c.path)
		var body struct{ Error string }
		_ = json.Unmarshal(b, &body)
		if resp.StatusCode != c.code || !strings.Contains(body.Error, c.msg) {
			t.Errorf("%s: %d %s; want %d with %q", c.path, resp.StatusCode, b, c.code, c.msg)
		}
	}
	// A selection within the budget is served.
	if resp, b := get(t, ts.URL+"/export/stix.json?around=pla-unit-61398"); resp.StatusCode != 200 {
		t.Errorf("a neighbourhood within the budget: %d %s", resp.StatusCode, b)
	}
}

// TestImportRoundTrip proves that the JSON export loses nothing: exported,
// imported into an empty database, and exported again, it is the same file.
func TestImportRoundTrip(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	ctx := context.Background()
	t.Cleanup(func() { // leave the seed for the tests that follow, whatever happened
		err := s.DeleteAll(ctx)
		if err == nil {
			err = s.Write(ctx, ds)
		}
		if err != nil {
			t.Errorf("restore the seed: %v", err)
		}
	})
	ts := serve(t, s)
	first := exportOK(t, ts, "graph.json")
	file := filepath.Join(t.TempDir(), "graph.json")
	if err := os.WriteFile(file, first, 0o644); err != nil {
		t.Fatal(err)
	}

	if err := importFile(ctx, s, file, false, discardLog()); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("import into the seeded graph without -replace: %v; want a refusal", err)
	}
	// Into a database with nothing in it, not even a log, the import
	// restores the file's log and versions too.
	if err := s.Erase(ctx); err != nil {
		t.Fatal(err)
	}
	if err := importFile(ctx, s, file, false, discardLog()); err != nil {
		t.Fatal(err)
	}
	if second := exportOK(t, ts, "graph.json"); !bytes.Equal(first, second) {
		t.Errorf("export → import → export changed the file; first difference near %q", diffAt(second, first))
	}
	// Into one with a log of its own (DeleteAll keeps it), the file's log is
	// left out: the import is one change of that log.
	if err := s.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Head(ctx)
	if err := importFile(ctx, s, file, false, discardLog()); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Head(ctx)
	if c, _, err := s.ChangeByID(ctx, "change-"+strconv.FormatInt(after, 10)); err != nil || after != before+1 || c.Origin != "import" {
		t.Errorf("import beside a log: head %d → %d, last change %+v (%v); want one change of origin import", before, after, c, err)
	}

	// A file that fails validation writes nothing, and says why.
	bad := bytes.Replace(first, []byte(`"quote":"fined with $975 million"`), []byte(`"quote":"fined with $9 billion"`), 1)
	if bytes.Equal(bad, first) {
		t.Fatal("the test's quote is not in the export")
	}
	if err := os.WriteFile(file, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	err := importFile(ctx, s, file, false, discardLog())
	if err == nil || !strings.Contains(err.Error(), `quote "fined with $9 billion" is not in that paragraph`) {
		t.Errorf("import of a misquote: %v", err)
	}
	if empty, _ := s.IsEmpty(ctx); !empty {
		t.Error("a refused import wrote to the graph")
	}
}
