package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"cyberkg/errs"
)

// Shortest paths of at most four relationships (SHORTEST: one;
// ALL_SHORTEST: up to a limit), found from both ends' neighbours, because
// Neo4j's shortestPath and allShortestPaths do not weigh degrees: between
// two ordinary entities of the 1M graph they expanded hubs of 30,000 to
// 265,000 relationships. Here Go reads the neighbours x of one end and y of
// the other (few, for an ordinary entity), finds paths of one and two
// relationships among them, and asks Neo4j for relationships x–y (three)
// or an entity m with x–m–y (four): pairs of least degree first, each
// expanded from its end of lesser degree, and stopping once it has enough.
// Where shortestPath is cheap (costly), longer paths, and ends with more
// than endLimit neighbours still go to Neo4j's own search, in the same
// statement that reads the neighbours.

// costly is the number of relationships past which the search takes over
// from shortestPath: what shortestPath reads first after the ends'
// neighbours, the relationships of the side with fewer of them (it expands
// the side of fewer entities). Measured on the synthetic graphs: at 100k
// entities, where no hub passes 26,000 relationships, shortestPath took 2-3
// ms and the search's round trips cost more below about 60,000; at 1M the
// search halved p50 and p95 with 30,000 to 100,000.
var costly = 60000 // a variable for tests

// endLimit bounds the neighbours read into Go from each end, and so the
// pairs (at most endLimit²) sent back.
const endLimit = 50

// neighbour is an entity next to one end of the search, the relationships
// that reach it (several where parallel ones do), and its degree onward.
type neighbour struct {
	id     string   // element id
	rels   []string // element ids
	degree int64
}

// shortestPaths finds shortest paths from entity from to entity to of at
// most maxHops relationships that pass f: one for SHORTEST, up to limit for
// ALL_SHORTEST. handed is true when the search found none of four
// relationships or fewer and maxHops allows more: the caller must ask Neo4j.
// Which paths of one length it returns is the order it meets them in, the
// same every time while the graph is unchanged.
func (s *Store) shortestPaths(ctx context.Context, p Projection, from, to string, maxHops int, f RelFilter, mode PathMode, limit int) (paths []Path, handed bool, err error) {
	if mode == Shortest {
		limit = 1
	}
	back, ok := reversed[f.Direction]
	if !ok {
		f.Direction, back = Both, Both
	}
	_, params, err := relParams(f)
	if err != nil {
		return nil, false, err
	}
	types, _ := typeLabel(f.Types)
	q := pathQueries(f.Direction, back, types, relFilter(f))
	match, _ := pathMatch(mode, f, types, maxHops)
	ends := q.ends + `
		` + pathsBetween(p, "NOT search", match) + `
		RETURN elementId(a), elementId(b), ` + q.neighbours + `, search, paths`
	params["from"], params["to"], params["endLimit"], params["costly"], params["limit"] = from, to, endLimit, costly, limit
	// Parallel relationships in the middle of a path make more paths: one
	// is enough for SHORTEST.
	params["each"] = limit

	// Two to four statements, each its own auto-commit transaction: a
	// managed one would cost a round trip more (readOne) and gives them no
	// snapshot to share.
	err = s.readEach(ctx, "store.Paths", func(ctx context.Context, tx runner) error {
		paths, handed = nil, false
		recs, err := s.query(ctx, tx, "store.Paths", ends, params)
		if err != nil || len(recs) == 0 {
			return err
		}
		v := recs[0].Values
		for i, id := range []string{from, to} {
			if v[i] == nil {
				return errs.E("store.Paths", errs.NotFound, fmt.Errorf("no entity with id %q", id))
			}
		}
		if search, _ := v[4].(bool); !search {
			paths = pathsFrom(v[5])
			return nil
		}
		a, b := v[0].(string), v[1].(string)
		xs, ys := neighboursFrom(v[2]), neighboursFrom(v[3])
		xAt, yAt := map[string]neighbour{}, map[string]neighbour{}
		for _, x := range xs {
			xAt[x.id] = x
		}
		for _, y := range ys {
			yAt[y.id] = y
		}
		// found gathers the paths, up to limit.
		var found []elementPath
		// One relationship: b among a's neighbours.
		if x, ok := xAt[b]; ok {
			for _, r := range x.rels[:min(limit, len(x.rels))] {
				found = append(found, elementPath{[]string{a, b}, []string{r}})
			}
		}
		// More: a, x, the middle, y, b (x is y for two), one path for every
		// relationship a–x and y–b.
		add := func(x, y neighbour, middle elementPath) {
			nodes := append([]string{a, x.id}, middle.nodes...)
			if y.id != x.id {
				nodes = append(nodes, y.id)
			}
			nodes = append(nodes, b)
			for _, xr := range x.rels {
				for _, yr := range y.rels {
					if len(found) == limit {
						return
					}
					found = append(found, elementPath{nodes, append(append([]string{xr}, middle.rels...), yr)})
				}
			}
		}
		// Two: a neighbour of both.
		if len(found) == 0 && maxHops >= 2 {
			for _, x := range xs {
				if y, ok := yAt[x.id]; ok {
					add(x, y, elementPath{})
				}
			}
		}
		if len(found) == 0 && maxHops >= 3 {
			// Three or four.
			params["pairs"] = pairsByDegree(xs, ys)
			for _, step := range []struct {
				hops   int
				cypher string
			}{{3, q.three}, {4, q.four}} {
				if maxHops < step.hops || len(found) > 0 {
					break
				}
				recs, err := s.query(ctx, tx, "store.Paths", step.cypher, params)
				if err != nil {
					return err
				}
				// x, then the relationship or relationship, entity,
				// relationship between, then y.
				for _, rec := range recs {
					m := rec.Values
					var middle elementPath
					for i := 1; i < len(m)-1; i++ {
						if i%2 == 1 {
							middle.rels = append(middle.rels, m[i].(string))
						} else {
							middle.nodes = append(middle.nodes, m[i].(string))
						}
					}
					add(xAt[m[0].(string)], yAt[m[len(m)-1].(string)], middle)
				}
			}
		}
		if len(found) == 0 {
			handed = maxHops > 4
			return nil
		}
		paths, err = s.pathsOf(ctx, tx, p, found)
		return err
	})
	return paths, handed, err
}

// pairsByDegree is every pair of neighbours x, y for the statements that
// look for a middle between them: least degree first, each to be expanded
// from its end of lesser degree (fromX).
func pairsByDegree(xs, ys []neighbour) []any {
	type pair struct{ x, y neighbour }
	var pairs []pair
	for _, x := range xs {
		for _, y := range ys {
			pairs = append(pairs, pair{x, y})
		}
	}
	slices.SortStableFunc(pairs, func(p, o pair) int {
		return cmp.Compare(min(p.x.degree, p.y.degree), min(o.x.degree, o.y.degree))
	})
	list := make([]any, len(pairs))
	for i, p := range pairs {
		list[i] = map[string]any{"x": p.x.id, "y": p.y.id, "fromX": p.x.degree <= p.y.degree}
	}
	return list
}

// elementPath is a path's entities and relationships as element ids.
type elementPath struct{ nodes, rels []string }

// reversed is the direction the search from the far end walks.
var reversed = map[Direction]Direction{Outgoing: Incoming, Incoming: Outgoing, Both: Both}

// pathCypher is the search's statements: ends chooses it or shortestPath,
// neighbours reads the ends' neighbours for it, three and four look for
// the middle of a path of that length.
type pathCypher struct{ ends, neighbours, three, four string }

// pathQueries are shortestPath's statements for paths in direction d (back
// from the far end) through relationships of types that meet cond on r.
func pathQueries(d, back Direction, types, cond string) pathCypher {
	hop := func(from, rel, to string) string { return arrow(d, from, rel, to, types) }
	holds := func(rel string) string { return `all(r IN [` + rel + `] WHERE ` + cond + `)` }
	// The neighbours n of an end along d, as what of each: at most
	// $endLimit + 1, enough to tell whether there are more.
	side := func(end string, d Direction, what string) string {
		return `CASE WHEN ` + end + ` IS NULL THEN [] ELSE COLLECT { MATCH ` + arrow(d, end, "r", "n:Entity", types) + ` WHERE ` + cond + `
			RETURN ` + what + ` LIMIT $endLimit + 1 } END`
	}
	// n's degree onward, along the same direction.
	degree := func(d Direction) string { return `COUNT { ` + arrow(d, "n", "", "", types) + ` }` }
	neighbours := func(d Direction) string { return `[elementId(n), elementId(r), ` + degree(d) + `]` }
	// Both ends are bound before the pattern between them (CALL imports
	// them), so that Neo4j checks a pair with Expand(Into), which reads the
	// end of lesser degree, rather than expanding one end and filtering.
	pairs := `UNWIND $pairs AS pair
		MATCH (x) WHERE elementId(x) = pair.x
		MATCH (y) WHERE elementId(y) = pair.y`
	return pathCypher{
		// Degrees first, to choose between the search and shortestPath;
		// element ids, which cost more to send, only for the search.
		ends: `OPTIONAL MATCH (a:Entity {id: $from}) OPTIONAL MATCH (b:Entity {id: $to})
			WITH a, b, ` + side("a", d, degree(d)) + ` AS xs, ` + side("b", back, degree(back)) + ` AS ys
			WITH a, b, a <> b AND size(xs) <= $endLimit AND size(ys) <= $endLimit AND CASE
				WHEN size(xs) < size(ys) THEN reduce(n = 0, x IN xs | n + x)
				WHEN size(ys) < size(xs) THEN reduce(n = 0, y IN ys | n + y)
				ELSE reduce(n = 0, x IN xs + ys | n + x) / 2 END > $costly AS search`,
		neighbours: `CASE WHEN search THEN ` + side("a", d, neighbours(d)) + ` END, CASE WHEN search THEN ` + side("b", back, neighbours(back)) + ` END`,
		three: pairs + `
		CALL (x, y) { MATCH ` + hop("x", "r", "y") + ` WHERE ` + cond + ` RETURN r LIMIT $each }
		RETURN pair.x, elementId(r), pair.y LIMIT $limit`,
		// From whichever of x and y has the lesser degree.
		four: pairs + `
		CALL (x, y, pair) {
			WITH * WHERE pair.fromX
			MATCH ` + hop("x", "r1", "m:Entity") + ` WHERE ` + holds("r1") + `
			CALL (m, y) { MATCH ` + hop("m", "r", "y") + ` WHERE ` + cond + ` RETURN r AS r2 LIMIT $each }
			RETURN r1, m, r2
		UNION ALL
			WITH * WHERE NOT pair.fromX
			MATCH ` + hop("m:Entity", "r2", "y") + ` WHERE ` + holds("r2") + `
			CALL (x, m) { MATCH ` + hop("x", "r", "m") + ` WHERE ` + cond + ` RETURN r AS r1 LIMIT $each }
			RETURN r1, m, r2
		}
		RETURN pair.x, elementId(r1), elementId(m), elementId(r2), pair.y LIMIT $limit`,
	}
}

// neighboursFrom reads an end's neighbours from [id, rel, degree] lists,
// each entity once with every relationship that reaches it, in the order
// read.
func neighboursFrom(v any) []neighbour {
	list, _ := v.([]any)
	var out []neighbour
	at := map[string]int{}
	for _, x := range list {
		t := x.([]any)
		id, rel := t[0].(string), t[1].(string)
		if i, ok := at[id]; ok {
			out[i].rels = append(out[i].rels, rel)
			continue
		}
		at[id] = len(out)
		out = append(out, neighbour{id: id, rels: []string{rel}, degree: t[2].(int64)})
	}
	return out
}

// pathsOf reads the entities and relationships of paths from their element
// ids, in one statement.
func (s *Store) pathsOf(ctx context.Context, tx runner, p Projection, paths []elementPath) ([]Path, error) {
	var nodes, rels []string
	for _, p := range paths {
		nodes, rels = append(nodes, p.nodes...), append(rels, p.rels...)
	}
	recs, err := s.query(ctx, tx, "store.Paths", `
		CALL () { UNWIND $nodes AS id MATCH (n) WHERE elementId(n) = id RETURN collect([id, `+entityRow(p, "n")+`]) AS nodes }
		CALL () { UNWIND $rels AS id MATCH ()-[r]->() WHERE elementId(r) = id RETURN collect([id, `+relRow(p)+`]) AS edges }
		RETURN nodes, edges`, map[string]any{"nodes": distinct(nodes), "rels": distinct(rels)})
	if err != nil || len(recs) != 1 {
		return nil, err
	}
	byID := map[string]any{}
	for _, col := range recs[0].Values {
		for _, pair := range col.([]any) {
			kv := pair.([]any)
			byID[kv[0].(string)] = kv[1]
		}
	}
	out := make([]Path, len(paths))
	for i, p := range paths {
		ns, rs := make([]any, len(p.nodes)), make([]any, len(p.rels))
		for j, id := range p.nodes {
			ns[j] = byID[id]
		}
		for j, id := range p.rels {
			rs[j] = byID[id]
		}
		out[i] = Path{Nodes: entitiesFrom(ns), Edges: relationshipsFrom(rs)}
	}
	return out, nil
}

// distinct is ids without repeats, in any order.
func distinct(ids []string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}
