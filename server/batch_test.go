package main

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"testing"
)

// A list's entities each asking for their relationshipsConnection and
// degree cost one store query per level and set of arguments, not one per
// entity, and each entity still gets its own page: the batched answers are
// what asking for each entity alone gives.
func TestConnectionsOfAListCostOneQueryPerLevel(t *testing.T) {
	type conn struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID string
				To struct {
					ID    string
					Inner struct {
						Edges []struct{ Node struct{ ID string } }
					} `json:"inner"`
				}
			}
		}
	}
	type item struct {
		ID   string
		Five conn `json:"five"`
		Two  conn `json:"two"`
	}
	var bare struct {
		Entities struct{ Nodes []struct{ ID string } }
	}
	base := query(t, `{ entities(kinds: [FIRM, AGENCY, EVENT], first: 40) { nodes { id } } }`, &bare)
	var data struct {
		Entities struct{ Nodes []item }
	}
	n := query(t, `{ entities(kinds: [FIRM, AGENCY, EVENT], first: 40) { nodes { id
		five: relationshipsConnection(first: 5) { totalCount edges { node { id to { id inner: relationshipsConnection(first: 1) { edges { node { id } } } } } } }
		two: relationshipsConnection(first: 2, after: "`+encodeTestCursor(0)+`", where: {stance: SUPPORTS}) { edges { node { id } } }
	} } }`, &data)
	if len(data.Entities.Nodes) < 20 {
		t.Fatalf("only %d entities: the test needs a long list", len(data.Entities.Nodes))
	}
	// Three levels and sets of arguments: five, two, and inner on the ends
	// of five's edges.
	if n-base != 3 {
		t.Errorf("%d entities' connections took %d queries, want 3 (one per level and set of arguments)", len(data.Entities.Nodes), n-base)
	}
	// Degrees (which cost 1000 each in the cost model: fewer of them).
	var degrees struct {
		Entities struct {
			Nodes []struct {
				ID     string
				Degree struct{ Total int }
			}
		}
	}
	baseDegrees := query(t, `{ entities(kinds: [FIRM, AGENCY, EVENT], first: 40) { nodes { id } } }`, &bare)
	if n := query(t, `{ entities(kinds: [FIRM, AGENCY, EVENT], first: 40) { nodes { id degree { total } } } }`, &degrees); n-baseDegrees != 1 {
		t.Errorf("%d entities' degrees took %d queries, want 1", len(degrees.Entities.Nodes), n-baseDegrees)
	}
	for i, e := range degrees.Entities.Nodes {
		if i < len(data.Entities.Nodes) && e.ID == data.Entities.Nodes[i].ID && e.Degree.Total != data.Entities.Nodes[i].Five.TotalCount {
			t.Errorf("%s: degree %d, connection's totalCount %d", e.ID, e.Degree.Total, data.Entities.Nodes[i].Five.TotalCount)
		}
	}
	for _, e := range data.Entities.Nodes[:3] {
		var alone struct{ Entity item }
		query(t, fmt.Sprintf(`{ entity(id: %q) { id
			five: relationshipsConnection(first: 5) { totalCount edges { node { id to { id inner: relationshipsConnection(first: 1) { edges { node { id } } } } } } }
			two: relationshipsConnection(first: 2, after: %q, where: {stance: SUPPORTS}) { edges { node { id } } } } }`, e.ID, encodeTestCursor(0)), &alone)
		if got, want := fmt.Sprintf("%+v", e), fmt.Sprintf("%+v", alone.Entity); got != want {
			t.Errorf("%s in a list:\n %s\nalone:\n %s", e.ID, got, want)
		}
	}
}

// encodeTestCursor is the cursor of the item at offset, as graph's pages
// write it (an opaque string to clients).
func encodeTestCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}
