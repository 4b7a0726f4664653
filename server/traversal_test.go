package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// query posts a GraphQL query and decodes its data into out, failing the test
// on any error. It returns the request's Cypher round trips.
func query(t *testing.T, q string, out any) int {
	t.Helper()
	ts := newTestServer(t)
	status, resp := post(t, ts, q, nil)
	if status != 200 || len(resp.Errors) > 0 {
		t.Fatalf("status %d, errors %+v", status, resp.Errors)
	}
	b, _ := json.Marshal(resp.Data)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	n, _ := resp.Extensions["cypherQueries"].(float64)
	return int(n)
}

type node struct{ ID, Name, Start string }

type edge struct {
	Type, Confidence string
	From, To         node
	Evidence         []struct{ Locator, Quote string }
}

type subgraph struct {
	Nodes     []node
	Edges     []edge
	Truncated bool
}

func (g subgraph) has(id string) bool {
	for _, n := range g.Nodes {
		if n.ID == id {
			return true
		}
	}
	return false
}

const edgeFields = `type confidence from { id } to { id } evidence { locator quote }`

// Every edge any traversal returns carries its confidence and evidence.
func checkEvidence(t *testing.T, edges []edge) {
	t.Helper()
	for _, e := range edges {
		if e.Confidence == "" || len(e.Evidence) == 0 || e.Evidence[0].Quote == "" || !strings.HasPrefix(e.Evidence[0].Locator, "¶") {
			t.Errorf("edge %s -%s-> %s lacks confidence or evidence: %+v", e.From.ID, e.Type, e.To.ID, e)
		}
	}
}

// The mission's example chain: the Snowden disclosures lead, hop by hop, to
// the procurement ban and to the falling sales of US firms in China.
func TestChainFromSnowdenReachesBansAndSalesDeclines(t *testing.T) {
	var data struct{ Chain subgraph }
	n := query(t, `{ chain(from: "snowden-revelations", maxHops: 4) { truncated nodes { id } edges { `+edgeFields+` } } }`, &data)
	g := data.Chain
	for _, id := range []string{"windows-8-procurement-ban", "china-tech-market-tightening",
		"ibm-china-sales-decline-2013", "hp-china-sales-decline-2013", "microsoft-china-sales-decline-2013", "cisco-china-sales-decline-2013"} {
		if !g.has(id) {
			t.Errorf("chain from snowden-revelations misses %s", id)
		}
	}
	for _, e := range g.Edges {
		if e.Type != "CAUSED" && e.Type != "CONTRIBUTED_TO" && e.Type != "PROMPTED" {
			t.Errorf("chain followed a non-causal %s edge", e.Type)
		}
	}
	checkEvidence(t, g.Edges)
	if n != 1 {
		t.Errorf("chain cost %d Cypher queries, want 1", n)
	}

	var up struct{ Chain subgraph }
	query(t, `{ chain(from: "ibm-china-sales-decline-2013", direction: UPSTREAM) { nodes { id } } }`, &up)
	if !up.Chain.has("snowden-revelations") {
		t.Errorf("upstream chain from the IBM decline misses the Snowden revelations: %+v", up.Chain.Nodes)
	}
}

func TestPathsBetweenJusticeDepartmentAndWestinghouse(t *testing.T) {
	for _, mode := range []string{"SHORTEST", "ALL_SHORTEST", "ALL"} {
		t.Run(mode, func(t *testing.T) {
			var data struct {
				Paths []struct {
					Length int
					Nodes  []node
					Edges  []edge
				}
			}
			query(t, fmt.Sprintf(`{ paths(from: "us-justice-department", to: "westinghouse", mode: %s, limit: 10) {
				length nodes { id } edges { %s } } }`, mode, edgeFields), &data)
			if len(data.Paths) == 0 {
				t.Fatal("no path")
			}
			if mode == "SHORTEST" && len(data.Paths) != 1 {
				t.Errorf("SHORTEST gave %d paths", len(data.Paths))
			}
			for i, p := range data.Paths {
				if p.Nodes[0].ID != "us-justice-department" || p.Nodes[len(p.Nodes)-1].ID != "westinghouse" {
					t.Errorf("path %d runs %s → %s", i, p.Nodes[0].ID, p.Nodes[len(p.Nodes)-1].ID)
				}
				if p.Length != len(p.Edges) || len(p.Nodes) != p.Length+1 || p.Length > 4 {
					t.Errorf("path %d: length %d, %d nodes, %d edges", i, p.Length, len(p.Nodes), len(p.Edges))
				}
				if i > 0 && p.Length < data.Paths[i-1].Length {
					t.Errorf("paths not shortest first: %d after %d", p.Length, data.Paths[i-1].Length)
				}
				if mode == "ALL_SHORTEST" && p.Length != data.Paths[0].Length {
					t.Errorf("ALL_SHORTEST gave lengths %d and %d", data.Paths[0].Length, p.Length)
				}
				seen := map[string]bool{}
				for _, n := range p.Nodes {
					if seen[n.ID] {
						t.Errorf("path %d visits %s twice", i, n.ID)
					}
					seen[n.ID] = true
				}
				checkEvidence(t, p.Edges)
			}
			if mode == "ALL" && len(data.Paths) < 2 {
				t.Errorf("ALL found only %d path", len(data.Paths))
			}
		})
	}
}

func TestTimelineOf2015InOrder(t *testing.T) {
	var data struct {
		Timeline struct {
			TotalCount int
			Nodes      []node
		}
	}
	query(t, `{ timeline(from: "2015", to: "2015", first: 100) { totalCount nodes { id start } } }`, &data)
	nodes := data.Timeline.Nodes
	if len(nodes) != data.Timeline.TotalCount || len(nodes) < 10 {
		t.Fatalf("%d nodes of %d", len(nodes), data.Timeline.TotalCount)
	}
	ids := map[string]bool{}
	for i, n := range nodes {
		ids[n.ID] = true
		if !strings.HasPrefix(n.Start, "2015") {
			t.Errorf("%s starts %s, outside 2015", n.ID, n.Start)
		}
		// Dates of any precision sort by their first day, the coarser first on a tie.
		if i > 0 && padded(n.Start) < padded(nodes[i-1].Start) {
			t.Errorf("%s (%s) after %s (%s)", n.ID, n.Start, nodes[i-1].ID, nodes[i-1].Start)
		}
	}
	for _, id := range []string{"qualcomm-antitrust-fine", "us-china-cyber-agreement-2015", "banking-regulations-suspension-2015", "opm-breach-2015"} {
		if !ids[id] {
			t.Errorf("2015 timeline misses %s", id)
		}
	}

	var involving struct {
		Timeline struct{ Nodes []node }
	}
	query(t, `{ timeline(involving: ["qualcomm"], first: 100) { nodes { id start } } }`, &involving)
	got := map[string]bool{}
	for _, n := range involving.Timeline.Nodes {
		got[n.ID] = true
	}
	if !got["qualcomm-antitrust-fine"] || got["opm-breach-2015"] {
		t.Errorf("timeline involving qualcomm = %v", involving.Timeline.Nodes)
	}
}

// padded makes dates of any precision compare by their first day: "2015" →
// "2015-00-00", which sorts before "2015-01".
func padded(d string) string { return (d + "-00-00")[:10] }

// A relationship holds from its start until its end: China took part in the
// working group from 2013 until it suspended its participation in 2014.
func TestAsOf(t *testing.T) {
	for _, tt := range []struct {
		asOf string
		want bool
	}{{"2013-06", true}, {"2013", true}, {"2014-06", false}, {"2016", false}} {
		var data struct {
			Entity       struct{ Relationships []struct{ ID string } }
			Neighborhood subgraph
		}
		query(t, `{ entity(id: "china") { relationships(types: [PARTICIPATED_IN], asOf: "`+tt.asOf+`") { id } }
			neighborhood(id: "us-china-cybersecurity-working-group", types: [PARTICIPATED_IN], asOf: "`+tt.asOf+`") { nodes { id } } }`, &data)
		got := false
		for _, r := range data.Entity.Relationships {
			got = got || r.ID == "china--participated-in--us-china-cybersecurity-working-group"
		}
		if got != tt.want || data.Neighborhood.has("china") != tt.want {
			t.Errorf("asOf %s: in force %v (neighborhood %v), want %v", tt.asOf, got, data.Neighborhood.has("china"), tt.want)
		}
	}
}

func TestNeighborhood(t *testing.T) {
	var data struct{ Neighborhood subgraph }
	n := query(t, `{ neighborhood(id: "qualcomm", depth: 2) { truncated nodes { id } edges { `+edgeFields+` } } }`, &data)
	g := data.Neighborhood
	if g.Nodes[0].ID != "qualcomm" || !g.has("qualcomm-antitrust-fine") || !g.has("chinese-antitrust-regulators") || g.Truncated {
		t.Errorf("neighborhood of qualcomm: %d nodes, truncated %v", len(g.Nodes), g.Truncated)
	}
	for _, e := range g.Edges {
		if !g.has(e.From.ID) || !g.has(e.To.ID) {
			t.Errorf("edge %s→%s leaves the subgraph", e.From.ID, e.To.ID)
		}
	}
	checkEvidence(t, g.Edges)
	if n != 1 {
		t.Errorf("neighborhood cost %d Cypher queries, want 1", n)
	}

	var cut struct{ Neighborhood subgraph }
	query(t, `{ neighborhood(id: "china", depth: 2, limit: 5) { truncated nodes { id } } }`, &cut)
	if !cut.Neighborhood.Truncated || len(cut.Neighborhood.Nodes) != 5 {
		t.Errorf("limit 5: %d nodes, truncated %v", len(cut.Neighborhood.Nodes), cut.Neighborhood.Truncated)
	}

	var few struct {
		Entity struct{ Relationships []struct{ ID string } }
	}
	query(t, `{ entity(id: "china") { relationships(first: 2) { id } } }`, &few)
	if len(few.Entity.Relationships) != 2 {
		t.Errorf("relationships(first: 2) gave %d", len(few.Entity.Relationships))
	}

	var typed struct{ Neighborhood subgraph }
	query(t, `{ neighborhood(id: "qualcomm", types: [FINED], direction: INCOMING) { nodes { id } edges { type } } }`, &typed)
	if len(typed.Neighborhood.Nodes) != 2 || len(typed.Neighborhood.Edges) != 1 || typed.Neighborhood.Edges[0].Type != "FINED" {
		t.Errorf("incoming FINED of qualcomm = %+v", typed.Neighborhood)
	}
}

// A nested query costs the same number of round trips whatever the page
// size: one, the page with every level of relationships below it
// (store.EntitiesWithLevels nests them in one query).
func TestNestedQueriesCostBoundedRoundTrips(t *testing.T) {
	costs := map[int]int{}
	for _, first := range []int{1, 10, 100} {
		var data struct {
			Entities struct {
				Nodes []struct {
					Relationships []struct {
						To struct{ Relationships []struct{ ID string } }
					}
				}
			}
		}
		costs[first] = query(t, fmt.Sprintf(`{ entities(first: %d) { nodes { relationships(first: 10) { to { relationships(first: 10) { id } } } } } }`, first), &data)
		if len(data.Entities.Nodes) != first {
			t.Fatalf("first %d gave %d", first, len(data.Entities.Nodes))
		}
	}
	for first, n := range costs {
		if n != 1 {
			t.Errorf("first %d cost %d Cypher queries, want 1 (the page with its relationships and their ends' relationships)", first, n)
		}
	}
}

// An entity looked up by id with its relationships, the commonest question
// an embedded view asks, is one round trip, and gives what the separate
// lookups give; each further level of relationships is one more.
func TestEntityWithItsRelationshipsIsOneRoundTrip(t *testing.T) {
	type rel struct {
		ID, Type, Confidence string
		From, To             struct{ ID, Name string }
		Evidence             []struct{ Locator, Quote string }
	}
	const fields = `id type confidence from { id name } to { id name } evidence { locator quote }`
	for _, args := range []string{`first: 5`, `first: 50`, `first: 3, direction: OUTGOING`, `types: [CAUSED, PROMPTED], asOf: "2015-06"`} {
		var one, apart struct {
			Entity struct {
				Name          string
				Relationships []rel
				Other         []rel
			}
		}
		n := query(t, `{ entity(id: "snowden-revelations") { name relationships(`+args+`) { `+fields+` } } }`, &one)
		if n != 1 {
			t.Errorf("entity with relationships(%s) cost %d Cypher queries, want 1", args, n)
		}
		// Two relationships fields take the separate lookups.
		query(t, `{ entity(id: "snowden-revelations") { name relationships(`+args+`) { `+fields+` } other: relationships(first: 1) { `+fields+` } } }`, &apart)
		if one.Entity.Name == "" || len(one.Entity.Relationships) == 0 {
			t.Fatalf("relationships(%s): %+v", args, one.Entity)
		}
		if !reflect.DeepEqual(one.Entity.Relationships, apart.Entity.Relationships) || one.Entity.Name != apart.Entity.Name {
			t.Errorf("relationships(%s) in one query differ from the separate lookups:\n%+v\n%+v", args, one.Entity, apart.Entity)
		}
	}
	var nested struct {
		Entity struct {
			Relationships []struct {
				To struct{ Relationships []struct{ ID string } }
			}
		}
	}
	if n := query(t, `{ entity(id: "snowden-revelations") { relationships(first: 10) { to { relationships(first: 10) { id } } } } }`, &nested); n != 2 {
		t.Errorf("two levels of relationships cost %d Cypher queries, want 2", n)
	}
	status, resp := post(t, newTestServer(t), `{ entity(id: "atlantis") { id relationships { id } } }`, nil)
	if status != 200 || len(resp.Errors) != 1 || !strings.Contains(resp.Errors[0].Message, `no entity with id "atlantis"`) {
		t.Errorf("unknown id: status %d, errors %+v", status, resp.Errors)
	}
}

// The relationships page fetches the ends it shows in one query, whatever
// the page size, and every relationship comes with both of them.
func TestRelationshipsPageFetchesItsEndsAtOnce(t *testing.T) {
	for _, first := range []int{5, 100} {
		var data struct {
			Relationships struct {
				Nodes []struct {
					ID       string
					From, To struct{ ID, Name string }
				}
				Edges []struct {
					Node struct{ To struct{ Name string } }
				}
			}
		}
		n := query(t, fmt.Sprintf(`{ relationships(first: %d) { nodes { id from { id name } to { id name } } edges { node { to { name } } } } }`, first), &data)
		if n != 2 {
			t.Errorf("first %d: %d Cypher queries, want 2 (the page, its ends)", first, n)
		}
		if len(data.Relationships.Nodes) != first || len(data.Relationships.Edges) != first {
			t.Fatalf("first %d: %d nodes, %d edges", first, len(data.Relationships.Nodes), len(data.Relationships.Edges))
		}
		for i, r := range data.Relationships.Nodes {
			if r.From.ID == "" || r.From.Name == "" || r.To.ID == "" || r.To.Name == "" || data.Relationships.Edges[i].Node.To.Name != r.To.Name {
				t.Errorf("relationship %s without its ends: %+v", r.ID, r)
			}
		}
	}
}

// Each argument's documented maximum is enforced with an error naming it,
// before any Cypher runs that the bad argument would shape.
func TestLimitsAreEnforced(t *testing.T) {
	ts := newTestServer(t)
	tests := []struct {
		query, msg string
		cypher     float64 // queries that run before the refusal (loading the entity itself)
	}{
		{`{ neighborhood(id: "china", depth: 4) { truncated } }`, "depth must be between 1 and 3, got 4", 0},
		{`{ neighborhood(id: "china", limit: 0) { truncated } }`, "limit must be between 1 and 1000, got 0", 0},
		{`{ paths(from: "china", to: "apple", maxHops: 7) { length } }`, "maxHops must be between 1 and 6, got 7", 0},
		{`{ paths(from: "china", to: "apple", limit: 51) { length } }`, "limit must be between 1 and 50, got 51", 0},
		{`{ chain(from: "china", maxHops: 9) { truncated } }`, "maxHops must be between 1 and 8, got 9", 0},
		{`{ timeline(first: 101) { totalCount } }`, "first must be between 0 and 100, got 101", 0},
		{`{ search(text: "apple", first: 0) { score } }`, "first must be between 1 and 100, got 0", 0},
		{`{ entity(id: "china") { relationships(first: 1001) { id } } }`, "first must be between 0 and 1000, got 1001", 1},
		{`{ paths(from: "china", to: "atlantis") { length } }`, `no entity with id "atlantis"`, 1},
		{`{ neighborhood(id: "atlantis") { truncated } }`, `no entity with id "atlantis"`, 1},
	}
	for _, tt := range tests {
		_, resp := post(t, ts, tt.query, nil)
		if len(resp.Errors) != 1 || resp.Errors[0].Message != tt.msg {
			t.Errorf("%s:\n got %+v\nwant %q", tt.query, resp.Errors, tt.msg)
		}
		if n := resp.Extensions["cypherQueries"]; n != tt.cypher {
			t.Errorf("%s ran %v Cypher queries, want %v", tt.query, n, tt.cypher)
		}
	}
}
