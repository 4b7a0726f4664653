package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

type pathError struct {
	Message    string
	Path       []any
	Extensions map[string]any
}

// postPaths posts a query, decodes its data into data and returns its
// errors with their paths.
func postPaths(t *testing.T, q string, vars map[string]any, data any) []pathError {
	t.Helper()
	ts := newTestServer(t)
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	resp, err := http.Post(ts.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   json.RawMessage
		Errors []pathError
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if err := json.Unmarshal(out.Data, data); err != nil {
		t.Fatalf("data %s: %v", out.Data, err)
	}
	return out.Errors
}

// Relay refetches any object by its id: node(id:) gives an entity or a
// relationship in its own type, nodes(ids:) several in order, and an id
// there is none for is null with a NOT_FOUND error at its place, the others
// kept.
func TestNodeFindsEntitiesAndRelationshipsByID(t *testing.T) {
	const q = `query Refetch($rel: ID!) {
		firm: node(id: "cisco") { __typename id ... on Firm { name } }
		rel: node(id: $rel) { __typename id ... on Relationship { type from { id } to { id } } }
		none: node(id: "atlantis") { id }
		nodes(ids: ["qualcomm", "atlantis", $rel]) { __typename id }
	}`
	rel := "cisco-china-sales-decline-2013--affected--cisco"
	var data struct {
		Firm struct{ Typename, ID, Name string } `json:"firm"`
		Rel  struct {
			Typename string `json:"__typename"`
			ID, Type string
			From, To struct{ ID string }
		} `json:"rel"`
		None  *struct{ ID string } `json:"none"`
		Nodes []*struct {
			Typename string `json:"__typename"`
			ID       string
		}
	}
	errs := postPaths(t, q, map[string]any{"rel": rel}, &data)
	if data.Firm.ID != "cisco" || data.Firm.Name != "Cisco" {
		t.Errorf("node(cisco) = %+v", data.Firm)
	}
	if data.Rel.Typename != "Relationship" || data.Rel.ID != rel || data.Rel.Type != "AFFECTED" || data.Rel.To.ID != "cisco" {
		t.Errorf("node(%s) = %+v", rel, data.Rel)
	}
	if data.None != nil {
		t.Errorf("node(atlantis) = %+v, want null", data.None)
	}
	if len(data.Nodes) != 3 || data.Nodes[0] == nil || data.Nodes[0].Typename != "Firm" || data.Nodes[1] != nil ||
		data.Nodes[2] == nil || data.Nodes[2].ID != rel {
		t.Errorf("nodes = %+v", data.Nodes)
	}
	wantNotFound(t, errs, `["none"]`, `["nodes",1]`)
}

// wantNotFound checks that errs are exactly NOT_FOUND errors at paths.
func wantNotFound(t *testing.T, errs []pathError, paths ...string) {
	t.Helper()
	got := map[string]bool{}
	for _, e := range errs {
		p, _ := json.Marshal(e.Path)
		if e.Extensions["code"] != "NOT_FOUND" {
			t.Errorf("error at %s is %v (%s), want NOT_FOUND", p, e.Extensions["code"], e.Message)
		}
		got[string(p)] = true
	}
	for _, p := range paths {
		if !got[p] {
			t.Errorf("no NOT_FOUND error at %s; errors: %+v", p, errs)
		}
	}
	if len(errs) != len(paths) {
		t.Errorf("%d errors, want %d: %+v", len(errs), len(paths), errs)
	}
}

// An unknown id is null with a NOT_FOUND error at that field, on every root
// field about one object; the other fields of the request keep their data.
func TestUnknownIDsAreNullWithSiblingsKept(t *testing.T) {
	const q = `{
		entity(id: "atlantis") { id }
		node(id: "atlantis") { id }
		neighborhood(id: "atlantis") { truncated }
		chain(from: "atlantis") { truncated }
		paths(from: "china", to: "atlantis") { length }
		known: neighborhood(id: "cisco", depth: 1) { nodes { id } }
	}`
	var data struct {
		Entity, Node, Neighborhood, Chain *struct{}
		Paths                             []struct{ Length int }
		Known                             *struct{ Nodes []struct{ ID string } }
	}
	errs := postPaths(t, q, nil, &data)
	if data.Entity != nil || data.Node != nil || data.Neighborhood != nil || data.Chain != nil || data.Paths != nil {
		t.Errorf("unknown ids gave data: %+v", data)
	}
	if data.Known == nil || len(data.Known.Nodes) == 0 {
		t.Errorf("the known neighbourhood was lost: %+v", data.Known)
	}
	wantNotFound(t, errs, `["entity"]`, `["node"]`, `["neighborhood"]`, `["chain"]`, `["paths"]`)
}

// Every list argument has a maximum, and a longer list is refused before
// anything runs, with a message naming the argument.
func TestListArgumentsHaveAMaximum(t *testing.T) {
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = "cisco"
	}
	types := make([]string, 36)
	for i := range types {
		types[i] = "CAUSED"
	}
	ts := newTestServer(t)
	for _, tt := range []struct {
		query string
		vars  map[string]any
		want  string
	}{
		{`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, "Query.nodes(ids) takes at most 100 items, got 101"},
		{`query($ids: [ID!]) { timeline(involving: $ids) { totalCount } }`, map[string]any{"ids": ids}, "Query.timeline(involving) takes at most 100 items, got 101"},
		{`query($t: [RelationType!]) { entity(id: "cisco") { relationships(types: $t) { id } } }`, map[string]any{"t": types}, "Entity.relationships(types) takes at most 35 items, got 36"},
	} {
		status, resp := post(t, ts, tt.query, tt.vars)
		if status == 200 || len(resp.Errors) != 1 || resp.Errors[0].Message != tt.want || resp.Errors[0].Extensions["code"] != "LIST_TOO_LONG" {
			t.Errorf("%s: status %d, errors %+v; want %q", tt.query, status, resp.Errors, tt.want)
		}
	}
	if status, resp := post(t, ts, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids[:100]}); status != 200 || len(resp.Errors) != 0 {
		t.Errorf("100 ids: status %d, %+v", status, resp.Errors)
	}
}

// A change of the log is a Node too: node(id:) gives it back by the id the
// changes connection shows, and an id of a change's form the log does not
// hold is null with NOT_FOUND, never an entity's.
func TestNodeFindsChangesByID(t *testing.T) {
	var page struct {
		Changes struct{ Nodes []struct{ ID string } } `json:"changes"`
	}
	if errs := postPaths(t, `{ changes(first: 1) { nodes { id } } }`, nil, &page); len(errs) > 0 || len(page.Changes.Nodes) != 1 {
		t.Fatalf("changes: %+v %+v", page, errs)
	}
	id := page.Changes.Nodes[0].ID
	var data struct {
		Change *struct {
			Typename string `json:"__typename"`
			ID       string
			Seq      int
		} `json:"change"`
		Missing *struct{ ID string } `json:"missing"`
	}
	errs := postPaths(t, `query($id: ID!) {
		change: node(id: $id) { __typename id ... on Change { seq } }
		missing: node(id: "change-999999999") { id }
	}`, map[string]any{"id": id}, &data)
	if data.Change == nil || data.Change.Typename != "Change" || data.Change.ID != id || data.Change.Seq < 1 {
		t.Errorf("node(%s) = %+v", id, data.Change)
	}
	if data.Missing != nil || len(errs) != 1 || errs[0].Extensions["code"] != "NOT_FOUND" {
		t.Errorf("node(change-999999999) = %+v, errors %+v", data.Missing, errs)
	}
}

// A source is a Node with an id of its own, "source:<slug>", which no
// entity or relationship can have: node(id:) gives it, nodes(ids:) finds it
// beside its REPORT entity (whose id is the slug) in one request, and every
// argument that names a source takes either id.
func TestNodeFindsSourcesByTheirOwnID(t *testing.T) {
	const slug = "us-china-cybersecurity-brief"
	var data struct {
		Source *struct {
			Typename   string `json:"__typename"`
			ID, Slug   string
			Report     struct{ ID, Kind string }
			Paragraphs []string
		} `json:"source"`
		Both []struct {
			Typename string `json:"__typename"`
			ID       string
		} `json:"both"`
		BySlug, ByNode struct{ ID string }
		Missing        *struct{ ID string } `json:"missing"`
		Filtered       struct{ TotalCount int }
		BySlugCount    struct{ TotalCount int } `json:"bySlugCount"`
	}
	errs := postPaths(t, `{
		source: node(id: "source:`+slug+`") { __typename id ... on Source { slug report { id kind } paragraphs } }
		both: nodes(ids: ["source:`+slug+`", "`+slug+`"]) { __typename id }
		bySlug: source(id: "`+slug+`") { id }
		byNode: source(id: "source:`+slug+`") { id }
		missing: node(id: "source:atlantis") { id }
		filtered: relationships(where: {sources: ["source:`+slug+`"]}, first: 1) { totalCount }
		bySlugCount: relationships(where: {sources: ["`+slug+`"]}, first: 1) { totalCount }
	}`, nil, &data)
	s := data.Source
	if s == nil || s.Typename != "Source" || s.ID != "source:"+slug || s.Slug != slug || s.Report.ID != slug || s.Report.Kind != "REPORT" || len(s.Paragraphs) == 0 {
		t.Errorf("node(source:%s) = %+v", slug, s)
	}
	if len(data.Both) != 2 || data.Both[0].Typename != "Source" || data.Both[1].Typename != "Report" || data.Both[0].ID == data.Both[1].ID {
		t.Errorf("nodes(source and its report) = %+v", data.Both)
	}
	if data.BySlug.ID != "source:"+slug || data.ByNode.ID != data.BySlug.ID {
		t.Errorf("source(id:) by slug %q, by Node id %q", data.BySlug.ID, data.ByNode.ID)
	}
	if data.Filtered.TotalCount == 0 || data.Filtered.TotalCount != data.BySlugCount.TotalCount {
		t.Errorf("relationships quoting the source: %d by Node id, %d by slug", data.Filtered.TotalCount, data.BySlugCount.TotalCount)
	}
	wantNotFound(t, errs, `["missing"]`)
}
