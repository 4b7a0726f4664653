package main

import "testing"

// Reads leave facts and evidence out when a query selects them nowhere; an
// entity read that way is shared through the loaders with every other
// field, so a query that shows evidence anywhere must get it everywhere.
func TestEvidenceIsThereWheneverItIsSelected(t *testing.T) {
	var data struct {
		Neighborhood struct {
			Nodes []struct {
				ID       string
				Evidence []struct{ Quote string }
			}
			Edges []edge
		}
	}
	query(t, `{ neighborhood(id: "qualcomm-antitrust-fine") { nodes { id evidence { quote } } edges { `+edgeFields+` } } }`, &data)
	g := data.Neighborhood
	if len(g.Nodes) < 2 || len(g.Edges) == 0 {
		t.Fatalf("neighborhood of qualcomm-antitrust-fine: %+v", g)
	}
	checkEvidence(t, g.Edges)
	for _, n := range g.Nodes {
		if len(n.Evidence) == 0 || n.Evidence[0].Quote == "" {
			t.Errorf("node %s has no evidence", n.ID)
		}
	}

	// Selected only on the far end of a relationship, through a fragment.
	var nested struct {
		Entity struct {
			Relationships []struct {
				To struct{ Facts []struct{ Value string } }
			}
		}
	}
	query(t, `{ entity(id: "qualcomm-antitrust-investigation") { relationships(direction: OUTGOING) { ...far } } }
		fragment far on Relationship { to { facts { value } } }`, &nested)
	found := false
	for _, r := range nested.Entity.Relationships {
		for _, f := range r.To.Facts {
			found = found || f.Value == "$975 million"
		}
	}
	if !found {
		t.Errorf("the fine's fact is missing when selected through a fragment: %+v", nested)
	}
}

// A lone entity lookup has nothing to batch, so it does not wait out the
// loaders' batching window. (Speed is measured by make bench-compare; this
// only checks the round trips a lookup costs.)
func TestEntityLookupCostsOneQuery(t *testing.T) {
	var data struct{ Entity struct{ ID string } }
	if n := query(t, `{ entity(id: "qualcomm") { id } }`, &data); n != 1 || data.Entity.ID != "qualcomm" {
		t.Errorf("entity lookup: %d queries, got %+v", n, data)
	}
	ts := newTestServer(t)
	if status, resp := post(t, ts, `{ entity(id: "no-such-entity") { id } }`, nil); status != 200 || len(resp.Errors) == 0 {
		t.Errorf("unknown id: status %d, errors %+v", status, resp.Errors)
	}
}

// Reads return only the properties the operation selects, by field name,
// so a field selected only inside a type's fragment must still be read.
func TestFieldsInTypeFragmentsAreRead(t *testing.T) {
	var data struct {
		Paths []struct {
			Nodes []struct{ ID, Title string }
		}
	}
	query(t, `{ paths(from: "president-obama", to: "china") { nodes { id ... on Person { title } } } }`, &data)
	if len(data.Paths) == 0 || data.Paths[0].Nodes[0].Title != "President" {
		t.Errorf("Obama's title through an inline fragment: %+v", data.Paths)
	}
}
