package graph

import (
	"testing"

	"github.com/vektah/gqlparser/v2"

	"cyberkg/graph/generated"
)

func costOf(t *testing.T, query string, vars map[string]any) int {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", query, errs)
	}
	return Cost(doc.Operations[0], vars)
}

// The cost is the most nodes a query can return, multiplied through nesting
// by each list's first (or its default), with a floor for each root field.
func TestCostCountsWhatListsCanReturn(t *testing.T) {
	tests := []struct {
		name, query string
		want        int
	}{
		{"one entity", `{ entity(id: "china") { id name } }`, RootCost},
		{"its relationships, default first", `{ entity(id: "china") { relationships { id } } }`, 1 + 100},
		{"first counts, whatever the selection", `{ entity(id: "china") { relationships(first: 1000) { id } } }`, 1 + 1000},
		{"nesting multiplies", `{ entity(id: "china") { relationships(first: 10) { to { relationships(first: 10) { id } } } } }`,
			1 + 10*(1+1+10)},
		{"a connection's nodes", `{ entities(first: 100) { nodes { id } } }`, 1 + 100},
		{"totalCount costs what it counts", `{ relationships(first: 0) { totalCount } }`, 1 + TotalCountCost},
		{"root floor", `{ stats { entities } }`, RootCost},
		{"two roots add", `{ a: entity(id: "a") { id } b: entity(id: "b") { id } }`, 2 * RootCost},
		{"paths: hops+1 nodes and hops edges each", `{ paths(from: "a", to: "b", maxHops: 2, limit: 30) { nodes { id } edges { id } } }`,
			30 * (1 + 1 + 3 + 2)},
		{"neighborhood: limit nodes and edges", `{ neighborhood(id: "a", limit: 50) { nodes { id } edges { id } } }`, 1 + 50 + 50},
		{"fragments count where they are spread", `{ entity(id: "a") { ...R } } fragment R on Entity { relationships(first: 700) { id } }`, 1 + 700},
		{"variables are read", `query($n: Int) { entity(id: "a") { relationships(first: $n) { id } } }`, 1 + 300},
		{"a value over the maximum costs the maximum", `{ entities(first: 100000) { nodes { id } } }`, 1 + 100},
		{"introspection is free", `{ __schema { types { name } } }`, 0},
		{"relationshipsConnection: first", `{ entity(id: "a") { relationshipsConnection(first: 100) { nodes { id } } } }`, 1 + 1 + 100},
		{"relationshipsConnection: last, as first", `{ entity(id: "a") { relationshipsConnection(last: 100) { edges { node { id } } } } }`,
			1 + 1 + 100*2},
		{"relationshipsConnection nests", `{ entities(first: 10) { nodes { relationshipsConnection(first: 10) { totalCount nodes { id } } } } }`,
			1 + 10*(1+1+TotalCountCost+10)},
		{"searchConnection: first", `{ searchConnection(text: "x", first: 100) { nodes { id } } }`, 1 + 100},
		{"the new names count as the old", `{ neighborhood(id: "a", first: 50) { nodes { id } edges { id } } }`, 1 + 50 + 50},
		{"the old name wins", `{ neighborhood(id: "a", first: 50, limit: 200) { nodes { id } } }`, 1 + 200},
		{"nodes: one per id", `{ nodes(ids: ["a", "b", "c"]) { id } }`, RootCost},
		{"nodes: many ids", `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Firm { relationshipsConnection(first: 100) { nodes { id } } } } }`,
			2 * (1 + 1 + 100)},
		{"counts count what they read", `{ relationshipCounts(groupBy: TYPE) { key count } }`, TotalCountCost + groups},
		{"degree", `{ entity(id: "a") { degree { total byType { count } } } }`, 1 + TotalCountCost + smallList},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := costOf(t, tt.query, map[string]any{"n": int64(300), "ids": []any{"a", "b"}}); got != tt.want {
				t.Errorf("cost = %d, want %d", got, tt.want)
			}
		})
	}
}

// The attacks of issue 7 cost far more than any budget, and the pages it
// must keep allowing cost far less.
func TestCostOfIssueQueries(t *testing.T) {
	attack := `{entity(id:"china"){relationships(first:1000){to{relationships(first:1000){to{relationships(first:1000){to{relationships(first:1000){id}}}}}}}}}`
	if c := costOf(t, attack, nil); c < 1_000_000_000_000 {
		t.Errorf("four levels of first:1000 cost %d", c)
	}
	realistic := `{ entities(first: 100) { nodes { id name relationships(first: 10) { type to { id name relationships(first: 10) { type to { id name } } } } } } }`
	o2 := `{ entities(kinds: [STATE], orderBy: {field: NAME}, first: 100) { nodes { id name
	  relationships(types: [ATTRIBUTED_TO], direction: OUTGOING, first: 10) { id type to { id name
	    relationships(first: 10) { id type from { id } to { id name } } } } } } }`
	t.Logf("realistic page: %d, O2: %d", costOf(t, realistic, nil), costOf(t, o2, nil))
}
