package main

import (
	"slices"
	"testing"
)

type relPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       string
	}
	Edges []struct {
		Cursor string
		Node   struct{ ID string }
	}
}

func (p relPage) ids() []string {
	out := make([]string, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = e.Node.ID
	}
	return out
}

const pageFields = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }`

// An entity's relationships as a Relay connection: pages forwards and
// backwards meet, and the count is the deprecated list's length.
func TestRelationshipsConnectionPagesBothWays(t *testing.T) {
	var data struct {
		Entity struct {
			Relationships []struct{ ID string }
			All, First    relPage
			Last          relPage
		}
	}
	query(t, `{ entity(id: "china") {
		relationships(first: 1000) { id }
		all: relationshipsConnection(first: 100) { `+pageFields+` }
		first: relationshipsConnection(first: 5) { `+pageFields+` }
		last: relationshipsConnection(last: 5) { `+pageFields+` }
	} }`, &data)
	e := data.Entity
	if e.All.TotalCount != len(e.Relationships) || e.All.TotalCount < 20 {
		t.Fatalf("totalCount %d, the list has %d", e.All.TotalCount, len(e.Relationships))
	}
	var old []string
	for _, r := range e.Relationships[:min(100, len(e.Relationships))] {
		old = append(old, r.ID)
	}
	if !slices.Equal(e.All.ids(), old) {
		t.Errorf("the connection's order differs from the list's")
	}
	all := e.All.ids()
	if !slices.Equal(e.First.ids(), all[:5]) || !e.First.PageInfo.HasNextPage || e.First.PageInfo.HasPreviousPage {
		t.Errorf("first 5: %v %+v", e.First.ids(), e.First.PageInfo)
	}
	if !slices.Equal(e.Last.ids(), all[len(all)-5:]) || e.Last.PageInfo.HasNextPage || !e.Last.PageInfo.HasPreviousPage {
		t.Errorf("last 5: %v %+v, want %v", e.Last.ids(), e.Last.PageInfo, all[len(all)-5:])
	}

	// Backwards from the last page's start cursor: the five before it.
	var back struct {
		Entity struct{ RelationshipsConnection relPage }
	}
	query(t, `{ entity(id: "china") { relationshipsConnection(last: 5, before: "`+e.Last.PageInfo.StartCursor+`") { `+pageFields+` } } }`, &back)
	if got := back.Entity.RelationshipsConnection.ids(); !slices.Equal(got, all[len(all)-10:len(all)-5]) {
		t.Errorf("last 5 before the last page: %v, want %v", got, all[len(all)-10:len(all)-5])
	}
}

// Search as a connection: the same hits as the deprecated list, paged.
func TestSearchConnectionPages(t *testing.T) {
	var data struct {
		Search []struct{ Entity struct{ ID string } }
		Page1  struct {
			TotalCount int
			PageInfo   struct{ EndCursor string }
			Edges      []struct {
				Score float64
				Node  struct{ ID string }
			}
		}
	}
	query(t, `{ search(text: "china cyber", first: 6) { entity { id } }
		page1: searchConnection(text: "china cyber", first: 3) { totalCount pageInfo { endCursor } edges { score node { id } } } }`, &data)
	if len(data.Page1.Edges) != 3 || data.Page1.TotalCount < 6 {
		t.Fatalf("page 1: %+v", data.Page1)
	}
	var page2 struct {
		SearchConnection struct{ Nodes []struct{ ID string } }
	}
	query(t, `{ searchConnection(text: "china cyber", first: 3, after: "`+data.Page1.PageInfo.EndCursor+`") { nodes { id } } }`, &page2)
	var got, want []string
	for _, e := range data.Page1.Edges {
		got = append(got, e.Node.ID)
	}
	for _, n := range page2.SearchConnection.Nodes {
		got = append(got, n.ID)
	}
	for _, h := range data.Search {
		want = append(want, h.Entity.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("two pages of 3: %v, the list of 6: %v", got, want)
	}
}

// The new names (maxHops, first, where) ask what the deprecated ones did.
func TestRenamedArgumentsAgree(t *testing.T) {
	var data struct {
		OldN, NewN struct{ Nodes []struct{ ID string } }
		OldT, NewT struct{ TotalCount int }
	}
	query(t, `{
		oldN: neighborhood(id: "cisco", depth: 2, limit: 30) { nodes { id } }
		newN: neighborhood(id: "cisco", maxHops: 2, first: 30) { nodes { id } }
		oldT: timeline(from: "2014", to: "2015", involving: ["china"]) { totalCount }
		newT: timeline(where: {startFrom: "2014", startTo: "2015", involving: ["china"]}) { totalCount }
	}`, &data)
	if len(data.NewN.Nodes) < 10 || !slices.Equal(ids(data.OldN.Nodes), ids(data.NewN.Nodes)) {
		t.Errorf("neighborhood: depth/limit %v, maxHops/first %v", ids(data.OldN.Nodes), ids(data.NewN.Nodes))
	}
	if data.OldT.TotalCount == 0 || data.OldT.TotalCount != data.NewT.TotalCount {
		t.Errorf("timeline: from/to/involving %d, where %d", data.OldT.TotalCount, data.NewT.TotalCount)
	}
}
