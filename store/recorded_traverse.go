package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"cyberkg/errs"
	"cyberkg/kg"
)

// The traversals at a record time, in Go over RelationshipsOfAt: one query
// per level, breadth first, with the limits, order and hop caps of their
// live Cypher (Expand, Paths). A live hub that has more than limit+1
// matching relationships gives those Neo4j reads first; here it gives the
// first by far end's id and relationship id, so the two differ only in
// which sample of a truncated hop they keep.

// adjacency is the relationships read so far at one record time, by
// entity, each with its far end, and the entities at those ends.
type adjacency struct {
	s    *Store
	p    Projection
	f    RelFilter
	t    time.Time
	rels map[string][]kg.Relationship
	ends map[string]kg.Entity
}

func (s *Store) adjacencyAt(p Projection, f RelFilter, t time.Time) *adjacency {
	return &adjacency{s: s, p: p, f: f, t: t, rels: map[string][]kg.Relationship{}, ends: map[string]kg.Entity{}}
}

// read fetches the relationships of the ids not read yet, in one query.
func (a *adjacency) read(ctx context.Context, ids []string) error {
	var todo []string
	for _, id := range ids {
		if _, ok := a.rels[id]; !ok {
			todo = append(todo, id)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	byID, ends, err := a.s.RelationshipsOfAt(ctx, a.p, todo, a.f, a.t)
	if err != nil {
		return err
	}
	for _, id := range todo {
		rs := byID[id]
		// Each once (a loop comes from both ends), by far end's id then id.
		rs = slices.CompactFunc(sortedBy(rs, id), func(x, y kg.Relationship) bool { return x.ID == y.ID && x.Type == y.Type })
		a.rels[id] = rs
	}
	for id, e := range ends {
		a.ends[id] = e
	}
	return nil
}

func sortedBy(rs []kg.Relationship, id string) []kg.Relationship {
	slices.SortFunc(rs, func(x, y kg.Relationship) int {
		return cmp.Or(cmp.Compare(otherEnd(x, id), otherEnd(y, id)), cmp.Compare(x.ID, y.ID), cmp.Compare(x.Type, y.Type))
	})
	return rs
}

// start is entity id at t, or a NotFound error as the live reads give.
func (s *Store) startAt(ctx context.Context, p Projection, op, id string, t time.Time) (kg.Entity, error) {
	found, err := s.EntitiesAt(ctx, p, []string{id}, t)
	if err != nil {
		return kg.Entity{}, err
	}
	e, ok := found[id]
	if !ok {
		return e, errs.E(op, errs.NotFound, fmt.Errorf("no entity with id %q", id))
	}
	return e, nil
}

// ExpandAt is Expand over the graph as it held it at record time t.
func (s *Store) ExpandAt(ctx context.Context, p Projection, id string, depth int, f RelFilter, limit int, t time.Time) (Subgraph, error) {
	if depth < 1 || depth > MaxExpandDepth {
		return Subgraph{}, errs.Invalidf("depth must be between 1 and %d, got %d", MaxExpandDepth, depth)
	}
	if err := f.CheckTraversal("recordedAt"); err != nil {
		return Subgraph{}, err
	}
	start, err := s.startAt(ctx, p, "store.Expand", id, t)
	if err != nil {
		return Subgraph{}, err
	}
	a := s.adjacencyAt(p, f, t)
	a.ends[id] = start
	nodes, frontier, in := []string{id}, []string{id}, map[string]bool{id: true}
	var rels []kg.Relationship
	cut := false
	for hop := 0; hop < depth && len(frontier) > 0; hop++ {
		if err := a.read(ctx, frontier); err != nil {
			return Subgraph{}, err
		}
		// Each frontier entity gives at most limit+1; the hop keeps the
		// first limit+1 of them all by far end's id, then id.
		type step struct {
			r kg.Relationship
			m string
		}
		var steps []step
		for _, n := range frontier {
			rs := a.rels[n]
			for _, r := range rs[:min(len(rs), limit+1)] {
				steps = append(steps, step{r, otherEnd(r, n)})
			}
		}
		slices.SortStableFunc(steps, func(x, y step) int { return cmp.Or(cmp.Compare(x.m, y.m), cmp.Compare(x.r.ID, y.r.ID)) })
		steps = slices.CompactFunc(steps, func(x, y step) bool { return x.m == y.m && x.r.ID == y.r.ID && x.r.Type == y.r.Type })
		if len(steps) > limit {
			cut, steps = true, steps[:limit+1]
		}
		frontier = nil
		for _, st := range steps {
			rels = append(rels, st.r)
			if !in[st.m] {
				in[st.m] = true
				nodes, frontier = append(nodes, st.m), append(frontier, st.m)
			}
		}
	}
	g := Subgraph{Truncated: cut || len(nodes) > limit}
	nodes = nodes[:min(len(nodes), limit)]
	kept := map[string]bool{}
	for _, n := range nodes {
		kept[n] = true
		g.Nodes = append(g.Nodes, a.ends[n])
	}
	seen := map[string]bool{}
	for _, r := range rels {
		key := string(r.Type) + " " + r.ID
		if kept[r.From] && kept[r.To] && !seen[key] {
			seen[key] = true
			g.Edges = append(g.Edges, r)
		}
	}
	slices.SortStableFunc(g.Edges, func(x, y kg.Relationship) int { return cmp.Compare(x.ID, y.ID) })
	return g, nil
}

// allPathsCap bounds the simple paths PathsAt enumerates for ALL: it keeps
// the first limit of the shortest in a stable order, so it must see every
// path of a length before it cuts.
const allPathsCap = 10000

// PathsAt is Paths over the graph as it held it at record time t: breadth
// first from from, one query per level. SHORTEST answers the first of the
// shortest paths in Paths' stable order.
func (s *Store) PathsAt(ctx context.Context, p Projection, from, to string, maxHops int, f RelFilter, mode PathMode, limit int, t time.Time) ([]Path, error) {
	if maxHops < 1 || maxHops > MaxExpandDepth || limit < 1 {
		return nil, errs.Invalidf("maxHops must be between 1 and %d and limit positive, got %d and %d", MaxExpandDepth, maxHops, limit)
	}
	if mode != Shortest && mode != AllShortest && mode != AllPaths {
		return nil, errs.Invalidf("unknown path mode %q", mode)
	}
	if f.Direction != Outgoing && f.Direction != Incoming {
		f.Direction = Both
	}
	ends, err := s.EntitiesAt(ctx, p, []string{from, to}, t)
	if err != nil {
		return nil, err
	}
	for _, id := range []string{from, to} {
		if _, ok := ends[id]; !ok {
			return nil, errs.E("store.Paths", errs.NotFound, fmt.Errorf("no entity with id %q", id))
		}
	}
	if from == to {
		return nil, nil
	}
	a := s.adjacencyAt(p, f, t)
	for id, e := range ends {
		a.ends[id] = e
	}
	// dist is each entity's hops from from, level by level, up to the
	// level that reaches to (or maxHops-1 for ALL, whose paths may wind).
	dist := map[string]int{from: 0}
	frontier := []string{from}
	reached := -1
	for d := 1; d <= maxHops && len(frontier) > 0; d++ {
		if err := a.read(ctx, frontier); err != nil {
			return nil, err
		}
		var next []string
		for _, n := range frontier {
			for _, r := range a.rels[n] {
				if m := otherEnd(r, n); !hasDist(dist, m) {
					dist[m] = d
					next = append(next, m)
				}
			}
		}
		frontier = next
		if hasDist(dist, to) && reached < 0 {
			reached = dist[to]
			if mode != AllPaths {
				break
			}
		}
		if mode == AllPaths && d < maxHops {
			continue
		}
	}
	if reached < 0 {
		return nil, nil
	}
	var paths []Path
	if mode == AllPaths {
		paths = a.simplePaths(ctx, from, to, maxHops, limit)
	} else {
		paths = a.shortestPaths(from, to, dist)
	}
	sortPaths(paths)
	if mode == Shortest {
		limit = 1
	}
	return paths[:min(limit, len(paths))], nil
}

func hasDist(dist map[string]int, id string) bool { _, ok := dist[id]; return ok }

// shortestPaths are every path from from to to along which dist rises by
// one each hop, one for each parallel relationship.
func (a *adjacency) shortestPaths(from, to string, dist map[string]int) []Path {
	var out []Path
	var walk func(n string, nodes []string, edges []kg.Relationship)
	walk = func(n string, nodes []string, edges []kg.Relationship) {
		if n == to {
			out = append(out, a.path(nodes, edges))
			return
		}
		if len(out) >= allPathsCap {
			return
		}
		for _, r := range a.rels[n] {
			m := otherEnd(r, n)
			if d, ok := dist[m]; ok && d == dist[n]+1 && (d < dist[to] || m == to) {
				walk(m, append(slices.Clip(nodes), m), append(slices.Clip(edges), r))
			}
		}
	}
	walk(from, []string{from}, nil)
	return out
}

// simplePaths are the simple paths from from to to of up to maxHops, of
// the shortest lengths until there are limit (each length whole).
func (a *adjacency) simplePaths(ctx context.Context, from, to string, maxHops, limit int) []Path {
	var out []Path
	for length := 1; length <= maxHops && len(out) < limit; length++ {
		var walk func(n string, nodes []string, edges []kg.Relationship)
		walk = func(n string, nodes []string, edges []kg.Relationship) {
			if len(out) >= allPathsCap {
				return
			}
			if len(edges) == length {
				if n == to {
					out = append(out, a.path(nodes, edges))
				}
				return
			}
			if n == to {
				return
			}
			for _, r := range a.rels[n] {
				if m := otherEnd(r, n); !slices.Contains(nodes, m) {
					walk(m, append(slices.Clip(nodes), m), append(slices.Clip(edges), r))
				}
			}
		}
		walk(from, []string{from}, nil)
	}
	return out
}

func (a *adjacency) path(nodes []string, edges []kg.Relationship) Path {
	p := Path{Edges: edges}
	for _, n := range nodes {
		p.Nodes = append(p.Nodes, a.ends[n])
	}
	return p
}

// StrongestPathsAt is StrongestPaths over the graph at record time t.
func (s *Store) StrongestPathsAt(ctx context.Context, p Projection, from, to string, maxHops int, f RelFilter, mode PathMode, limit int, w Weights, t time.Time) ([]Path, error) {
	if mode == Shortest {
		mode = AllShortest
	}
	paths, err := s.PathsAt(ctx, p, from, to, maxHops, f, mode, StrengthCandidates, t)
	if err != nil {
		return nil, err
	}
	return strongest(paths, w, limit), nil
}
