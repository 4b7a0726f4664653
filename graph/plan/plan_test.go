package plan_test

import (
	"reflect"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/vektah/gqlparser/v2"

	"cyberkg/graph/generated"
	. "cyberkg/graph/plan"
	"cyberkg/kg"
	"cyberkg/store"
)

func planOf(t *testing.T, query string, vars map[string]any) (*Plan, *ast.OperationDefinition) {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", query, errs)
	}
	return New(schema, doc.Operations[0], vars), doc.Operations[0]
}

func costOf(t *testing.T, query string, vars map[string]any) int {
	p, _ := planOf(t, query, vars)
	return p.Cost
}

// The plan reads of entities and relationships the properties the
// operation's fields show on them, by type, through fragments too.
func TestReadsAreWhatTheOperationShows(t *testing.T) {
	p, _ := planOf(t, `{ search(text: "x") { score entity { id name ...L } }
	  relationships { nodes { type confidence from { description } } } }
	  fragment L on Law { status }`, nil)
	want := store.Project([]string{"id", "name", "status", "description"}, []string{"type", "confidence", "from"})
	if !reflect.DeepEqual(p.Reads, want) {
		t.Errorf("reads = %+v, want %+v", p.Reads, want)
	}
}

// Relationship levels are found on the entities a root returns, wherever
// they sit below it, and below each level on its ends, with the level's
// filter and limit.
func TestLevelsFollowTheEntitiesOfARoot(t *testing.T) {
	p, op := planOf(t, `{ neighborhood(id: "a") { nodes { relationships(first: 7, direction: OUTGOING) { to {
	  relationships(types: [CAUSED], first: 3) { id } } } } edges { from { id } } } }`, nil)
	levels := p.Levels(op.SelectionSet[0].(*ast.Field))
	if len(levels) != 1 || levels[0].Limit != 7 || levels[0].Filter.Direction != store.Outgoing {
		t.Fatalf("levels = %+v", levels)
	}
	next := levels[0].Next
	if len(next) != 1 || next[0].Limit != 3 || len(next[0].Filter.Types) != 1 || next[0].Filter.Types[0] != kg.RelType("CAUSED") {
		t.Fatalf("next = %+v", next)
	}
	// The loaders fetch every level in one query, which takes only these filters.
	for _, lv := range append(levels, next...) {
		if !lv.Filter.Nests() {
			t.Errorf("a level store.LevelsOf does not take: %+v", lv.Filter)
		}
	}
}

func TestDepthLeavesIntrospectionOut(t *testing.T) {
	p, _ := planOf(t, `{ entity(id: "a") { relationships { to { id } } } __schema { types { fields { type { name } } } } }`, nil)
	if p.Depth != 4 {
		t.Errorf("depth = %d, want 4", p.Depth)
	}
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
		{"paths: at most hops+1 nodes and edges each", `{ paths(from: "a", to: "b", maxHops: 2, limit: 30) { nodes { id } edges { id } } }`,
			30 * (1 + 3 + 3)},
		{"chain: limit nodes and edges, whatever the hops", `{ chain(from: "a", maxHops: 8, limit: 50) { nodes { id } edges { id } } }`, 1 + 50 + 50},
		{"an unsized list of objects counts five", `{ entity(id: "a") { evidence { quote } } }`, RootCost},
		{"an unsized list nested counts five each", `{ entity(id: "a") { relationships(first: 100) { claimedBy { id } } } }`, 1 + 100*(1+5)},
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
		{"counts count what they read", `{ relationshipCounts(groupBy: TYPE) { key count } }`, TotalCountCost + UnsizedList},
		{"degree", `{ entity(id: "a") { degree { total byType { count } } } }`, 1 + TotalCountCost + 1 + UnsizedList},
		// recordedAt's @cost (schema.graphqls): 1000 where it is given.
		{"a record time reads more", `{ entities(first: 100, recordedAt: "2020-01-01T00:00:00Z") { nodes { id } } }`, 1000 + 1 + 100},
		{"a record time left null is the live read", `query($u: Time) { entities(first: 100, recordedAt: $u) { nodes { id } } }`, 1 + 100},
		{"a record time in a variable", `query($n: Int, $t: Time) { chain(from: "a", first: $n, recordedAt: $t) { nodes { id } } }`,
			1000 + 1 + 300},
		{"record times multiply as lists do", `{ entities(first: 10) { nodes { ... on Firm { relationshipsConnection(first: 5, recordedAt: "2020-01-01T00:00:00Z") { nodes { id } } } } } }`,
			1 + 10*(1+1000+1+5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := costOf(t, tt.query, map[string]any{"n": int64(300), "ids": []any{"a", "b"}, "t": "2020-01-01T00:00:00Z"}); got != tt.want {
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

// The walk that sizes lists checks list arguments too: one too many items
// is named with its place and maximum, inside input objects as well, and
// the maximum itself passes.
func TestTooLong(t *testing.T) {
	ids := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = "e"
		}
		return out
	}
	for _, tt := range []struct {
		query string
		vars  map[string]any
		want  *TooLong
	}{
		{`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids(100)}, nil},
		{`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids(101)}, &TooLong{"Query.nodes(ids)", 100, 101}},
		{`query($ids: [ID!]) { timeline(where: {involving: $ids}) { totalCount } }`, map[string]any{"ids": ids(101)}, &TooLong{"EntityFilter.involving", 100, 101}},
	} {
		p, _ := planOf(t, tt.query, tt.vars)
		if !reflect.DeepEqual(p.TooLong, tt.want) {
			t.Errorf("%s with %d ids: TooLong %+v, want %+v", tt.query, len(tt.vars["ids"].([]any)), p.TooLong, tt.want)
		}
	}
}
