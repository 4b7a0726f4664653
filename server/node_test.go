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

func TestNodesRefusesTooManyIDs(t *testing.T) {
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = "cisco"
	}
	ts := newTestServer(t)
	_, resp := post(t, ts, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
	if len(resp.Errors) != 1 || resp.Errors[0].Message != "ids takes at most 100 items, got 101" {
		t.Fatalf("errors = %+v", resp.Errors)
	}
}
