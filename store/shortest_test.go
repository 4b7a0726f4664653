package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// Shortest paths are as short as Neo4j's allShortestPaths finds, and real:
// each relationship joins the entities on either side of it, in the
// direction asked, and passes the filter. ALL_SHORTEST gives the same paths
// as allShortestPaths when they fit the limit, and limit of them otherwise.
// The brief's graph has ends both ordinary and of more than 50 neighbours.
func TestShortestPathsAreShortestAndReal(t *testing.T) {
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

	// What Neo4j's allShortestPaths finds: costly past any degree keeps
	// every pair away from the search.
	type query struct {
		filter  string
		maxHops int
		ends    [2]string
	}
	all := map[query][]store.Path{}
	restore := store.SetCostly(1 << 30)
	for name, f := range filters {
		for _, maxHops := range []int{1, 3, 5} {
			for _, p := range pairs {
				got, err := s.Paths(context.Background(), store.All, p[0], p[1], maxHops, f, store.AllShortest, 50)
				if err != nil {
					t.Fatal(err)
				}
				all[query{name, maxHops, p}] = got
			}
		}
	}
	restore()

	// With costly 0, every pair whose ends have at most 50 neighbours goes
	// through the search; with the default, the brief's small graph goes
	// to Neo4j's.
	found, several := 0, 0
	for _, costly := range []int{0, 60000} {
		restore := store.SetCostly(costly)
		for q, want := range all {
			f := filters[q.filter]
			for _, c := range []struct {
				mode  store.PathMode
				limit int
			}{{store.Shortest, 5}, {store.AllShortest, 50}, {store.AllShortest, 2}} {
				where := fmt.Sprintf("costly %d, %s, %s %d, %d hops, %s to %s", costly, c.mode, q.filter, c.limit, q.maxHops, q.ends[0], q.ends[1])
				got, err := s.Paths(context.Background(), store.All, q.ends[0], q.ends[1], q.maxHops, f, c.mode, c.limit)
				if err != nil {
					t.Fatal(err)
				}
				wantN := min(len(want), c.limit)
				if c.mode == store.Shortest {
					wantN = min(len(want), 1)
				}
				if len(got) != wantN || len(got) > 0 && len(got[0].Edges) != len(want[0].Edges) {
					t.Errorf("%s: lengths %v, allShortestPaths %v", where, lengths(got), lengths(want))
					continue
				}
				seen := map[string]bool{}
				for _, p := range got {
					checkPath(t, where, p, q.ends, f, rels)
					if len(p.Edges) != len(want[0].Edges) {
						t.Errorf("%s: a path of %d among paths of %d", where, len(p.Edges), len(want[0].Edges))
					}
					if k := edgeIDs(p); seen[k] {
						t.Errorf("%s: path %s twice", where, k)
					} else {
						seen[k] = true
					}
				}
				if c.mode == store.AllShortest && c.limit == 50 && len(want) < 50 {
					for _, p := range want {
						if !seen[edgeIDs(p)] {
							t.Errorf("%s: allShortestPaths found %s, not among %v", where, edgeIDs(p), keys(seen))
						}
					}
				}
				found += len(got)
				if len(got) > 1 {
					several++
				}
			}
		}
		restore()
	}
	if found < 4*len(pairs) || several < len(pairs)/4 {
		t.Errorf("%d paths found, %d times several: too few pairs are connected to test anything", found, several)
	}
}

func edgeIDs(p store.Path) string {
	var ids []string
	for _, e := range p.Edges {
		ids = append(ids, e.ID)
	}
	return strings.Join(ids, " ")
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
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
