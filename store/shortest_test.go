package store_test

import (
	"context"
	"fmt"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// A shortest path has the length Neo4j's allShortestPaths finds, and is a
// real path: each relationship joins the entities on either side of it, in
// the direction asked, and passes the filter. The brief's graph has ends
// both ordinary and of more than 50 neighbours.
func TestShortestPathIsShortestAndReal(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	degree := map[string]int{}
	for _, r := range ds.Relationships {
		degree[r.From]++
		degree[r.To]++
	}
	var hub string
	for id, d := range degree {
		if d > 50 && (hub == "" || id < hub) {
			hub = id
		}
	}
	if hub == "" {
		t.Fatal("the seed has no entity of more than 50 relationships: the hand-over goes untested")
	}
	// Every 17th entity against every 31st, and the hub against some.
	var pairs [][2]string
	for i := 0; i < len(ds.Entities); i += 17 {
		for j := 3; j < len(ds.Entities); j += 31 {
			pairs = append(pairs, [2]string{ds.Entities[i].ID, ds.Entities[j].ID})
		}
		pairs = append(pairs, [2]string{hub, ds.Entities[i].ID})
	}
	asOf, _ := kg.ParseDate("2014-06-01")
	filters := map[string]store.RelFilter{
		"any":       {},
		"outgoing":  {Direction: store.Outgoing},
		"incoming":  {Direction: store.Incoming},
		"causal":    {Types: kg.CausalTypes(), Direction: store.Outgoing},
		"asOf":      {AsOf: asOf},
		"confirmed": {Confidences: []kg.Confidence{kg.Confirmed}},
	}
	rels := map[string]kg.Relationship{}
	for _, r := range ds.Relationships {
		rels[r.ID] = r
	}
	found := 0
	// With costly 0, every pair whose ends have at most 50 neighbours goes
	// through the search; with the default, the brief's small graph goes
	// to shortestPath.
	for _, costly := range []int{0, 10000} {
		restore := store.SetCostly(costly)
		found += shortestPaths(t, s, pairs, filters, rels)
		restore()
	}
	if found < 2*len(pairs) {
		t.Errorf("only %d paths found: too few pairs are connected to test anything", found)
	}
}

func shortestPaths(t *testing.T, s *store.Store, pairs [][2]string, filters map[string]store.RelFilter, rels map[string]kg.Relationship) (found int) {
	ctx := context.Background()
	for name, f := range filters {
		for _, maxHops := range []int{1, 3, 5} {
			for _, p := range pairs {
				got, err := s.Paths(ctx, p[0], p[1], maxHops, f, store.Shortest, 5)
				if err != nil {
					t.Fatal(err)
				}
				want, err := s.Paths(ctx, p[0], p[1], maxHops, f, store.AllShortest, 1)
				if err != nil {
					t.Fatal(err)
				}
				where := fmt.Sprintf("%s, %d hops, %s to %s", name, maxHops, p[0], p[1])
				if len(got) != len(want) || len(got) > 0 && len(got[0].Edges) != len(want[0].Edges) {
					t.Errorf("%s: shortest %v, allShortestPaths %v", where, lengths(got), lengths(want))
					continue
				}
				if len(got) == 0 {
					continue
				}
				found++
				checkPath(t, where, got[0], p, f, rels)
			}
		}
	}
	return found
}

func lengths(ps []store.Path) []int {
	var out []int
	for _, p := range ps {
		out = append(out, len(p.Edges))
	}
	return out
}

func checkPath(t *testing.T, where string, p store.Path, ends [2]string, f store.RelFilter, rels map[string]kg.Relationship) {
	t.Helper()
	if len(p.Nodes) != len(p.Edges)+1 || p.Nodes[0].ID != ends[0] || p.Nodes[len(p.Nodes)-1].ID != ends[1] {
		t.Errorf("%s: path %v does not run from one end to the other", where, p)
		return
	}
	for i, e := range p.Edges {
		r, ok := rels[e.ID]
		if !ok || e.From != r.From || e.To != r.To || e.Type != r.Type {
			t.Errorf("%s: edge %d %+v is not the seed's %+v", where, i, e, r)
			continue
		}
		a, b := p.Nodes[i].ID, p.Nodes[i+1].ID
		forward, backward := r.From == a && r.To == b, r.From == b && r.To == a
		switch {
		case f.Direction == store.Outgoing && !forward,
			f.Direction == store.Incoming && !backward,
			!forward && !backward:
			t.Errorf("%s: edge %d %s–%s does not join %s and %s as asked", where, i, r.From, r.To, a, b)
		}
		if len(f.Types) > 0 && !contains(f.Types, r.Type) {
			t.Errorf("%s: edge %d has type %s", where, i, r.Type)
		}
		if len(f.Confidences) > 0 && !contains(f.Confidences, r.Confidence) {
			t.Errorf("%s: edge %d is %s", where, i, r.Confidence)
		}
	}
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
