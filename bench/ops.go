package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/kg"
	"cyberkg/store"
)

// An op is one benchmarked operation: the same question put to each target
// in its own language, with the arguments sampled from the synthetic graph.
// Every form answers in the shape of our API's response data, so that
// results compare with reflect.DeepEqual after a JSON round trip.
type op struct {
	name string
	args []map[string]any
	// ours and peer are GraphQL documents over the arguments as variables;
	// peerFix rewrites the peer's data into our shape.
	ours, peer func(a map[string]any) string
	peerFix    func(data map[string]any, a map[string]any) any
	// floor is the best Cypher we know, returning our shape in column "data";
	// floorFix, if set, finishes it in Go (decoding evidence JSON).
	floor    func(a map[string]any) string
	floorFix func(data any) any
	// floorRun, if set, answers for the floor instead: Cypher run through
	// query, finished in Go (O3 ranks the store's full-text candidates in
	// Go, as the store does).
	floorRun func(ctx context.Context, query runCypher, a map[string]any) (any, error)
	// agree, if set, is the part of a (normalised) answer that all targets
	// must agree on, where several answers are right.
	agree func(data any) any
	// zipf: clients draw arguments Zipf-like instead of walking them.
	zipf bool
}

// runCypher runs one read query through the driver and returns its rows.
type runCypher func(cypher string, params map[string]any) ([]*neo4j.Record, error)

// sample draws k ordinary entities: uniformly over all of them, so mostly
// ones of small degree that sit a hop or two from hubs.
func sample(ds *kg.Dataset, rng *rand.Rand, k int) []kg.Entity {
	out := make([]kg.Entity, k)
	for i := range out {
		out[i] = ds.Entities[1+rng.IntN(len(ds.Entities)-1)]
	}
	return out
}

func ops(ds *kg.Dataset, k int) []op {
	rng := rand.New(rand.NewPCG(42, 42))
	var list []op
	perEntity := func(name string) []map[string]any {
		var as []map[string]any
		for _, e := range sample(ds, rng, k) {
			as = append(as, map[string]any{"id": e.ID})
		}
		return as
	}
	same := func(q string) func(map[string]any) string { return func(map[string]any) string { return q } }

	// O1: one entity by id, scalar fields.
	list = append(list, op{
		name: "O1-entity",
		args: perEntity("O1"),
		ours: same(`query($id: ID!) { entity(id: $id) { id kind name start description } }`),
		peer: same(`query($id: ID!) { entities(where: {id: {eq: $id}}) { id kind name start description } }`),
		peerFix: func(d, _ map[string]any) any {
			return map[string]any{"entity": first(d["entities"])}
		},
		floor: same(`MATCH (n:Entity {id: $id}) RETURN {entity: n{.id, .kind, .name, .start, .description}} AS data`),
	})

	// O2: 100 entities of a kind by name, each with its first 10 outgoing
	// relationships of one type and their far ends' first 10 (3 levels).
	var o2 []map[string]any
	for i := 0; i < k; i++ {
		o2 = append(o2, map[string]any{
			"kind": string(kg.Kinds[rng.IntN(len(kg.Kinds))].Kind),
			"type": string(kg.RelTypes[rng.IntN(len(kg.RelTypes))].Type),
		})
	}
	list = append(list, op{
		name: "O2-nested",
		args: o2,
		ours: same(`query($kind: EntityKind!, $type: RelationType!) { entities(kinds: [$kind], first: 100) { nodes { id name
			relationships(types: [$type], direction: OUTGOING, first: 10) { id to { id name
				relationships(types: [$type], direction: OUTGOING, first: 10) { id to { id } } } } } } }`),
		peer: func(a map[string]any) string {
			f := "out_" + a["type"].(string) + "Connection"
			return `query($kind: String!) { entities(where: {kind: {eq: $kind}}, sort: [{name: ASC}, {startLast: DESC}, {id: ASC}], limit: 100) { id name
				` + f + `(first: 10, sort: [{edge: {startFirst: ASC}}, {edge: {id: ASC}}]) { edges { properties { id } node { id name
					` + f + `(first: 10, sort: [{edge: {startFirst: ASC}}, {edge: {id: ASC}}]) { edges { properties { id } node { id } } } } } } } }`
		},
		peerFix: func(d, a map[string]any) any {
			f := "out_" + a["type"].(string) + "Connection"
			var conv func(v any) []any
			conv = func(v any) []any {
				rels := []any{}
				for _, e := range asList(asMap(v)["edges"]) {
					node := asMap(asMap(e)["node"])
					to := map[string]any{"id": node["id"]}
					if _, ok := node["name"]; ok {
						to["name"] = node["name"]
					}
					if nested, ok := node[f]; ok {
						to["relationships"] = conv(nested)
					}
					rels = append(rels, map[string]any{"id": asMap(asMap(e)["properties"])["id"], "to": to})
				}
				return rels
			}
			nodes := []any{}
			for _, n := range asList(d["entities"]) {
				m := asMap(n)
				nodes = append(nodes, map[string]any{"id": m["id"], "name": m["name"], "relationships": conv(m[f])})
			}
			return map[string]any{"entities": map[string]any{"nodes": nodes}}
		},
		floor: func(a map[string]any) string {
			t := relType(a["type"])
			return `MATCH (n:Entity) WHERE n.kind = $kind AND n.nameKey >= ''
			WITH n ORDER BY n.kind, n.nameKey, n.startLast DESC, n.id LIMIT 100
			CALL (n) {
				OPTIONAL CALL (n) {
					MATCH (n)-[r:` + t + `]->(m) WITH r, m ORDER BY r.startFirst, r.id LIMIT 10
					CALL (m) {
						OPTIONAL CALL (m) {
							MATCH (m)-[r2:` + t + `]->(o) WITH r2, o ORDER BY r2.startFirst, r2.id LIMIT 10
							RETURN {id: r2.id, to: {id: o.id}} AS r2m
						}
						RETURN collect(r2m) AS rels2
					}
					RETURN {id: r.id, to: {id: m.id, name: m.name, relationships: rels2}} AS rm
				}
				RETURN collect(rm) AS rels
			}
			RETURN {entities: {nodes: collect({id: n.id, name: n.name, relationships: rels})}} AS data`
		},
	})

	// O3: full-text search, top 10, for a name with a letter dropped. The
	// store fetches candidates with Cypher and ranks them in Go (words
	// matched, fuzzily too, before the full-text score): the floor runs the
	// store's candidate Cypher and ranking, the peer an @cypher field with
	// that Cypher and a resolver ranking as the store does (server.js). The
	// peer is sent the candidate query's parameters as the bench computes
	// them, as it has no port of the Lucene query's construction.
	var o3 []map[string]any
	for _, e := range sample(ds, rng, k) {
		w := strings.Fields(e.Name)[0]
		if len(w) > 4 {
			w = w[:len(w)-2] + w[len(w)-1:]
		}
		_, params, err := store.SearchCandidates(store.All, w, nil, 10)
		if err != nil {
			panic(fmt.Sprintf("O3 argument %q: %v", w, err))
		}
		a := map[string]any{"text": w}
		maps.Copy(a, params)
		o3 = append(o3, a)
	}
	// The properties the O3 query reads, as our server's plan projects
	// them: the floor reads what our server reads.
	o3Reads := store.Project([]string{"name"}, nil)
	list = append(list, op{
		name: "O3-search",
		args: o3,
		ours: same(`query($text: String!) { search(text: $text, first: 10) { score entity { id name kind } } }`),
		peer: same(`query($text: String!, $index: String!, $query: String!, $kinds: [String!], $needles: [String!], $candidates: Int!) {
			search(text: $text, first: 10, index: $index, query: $query, kinds: $kinds, needles: $needles, candidates: $candidates) { score entity { id name kind } } }`),
		peerFix: func(d, _ map[string]any) any { return map[string]any{"search": d["search"]} },
		floorRun: func(ctx context.Context, query runCypher, a map[string]any) (any, error) {
			text := a["text"].(string)
			cypher, params, err := store.SearchCandidates(o3Reads, text, nil, 10)
			if err != nil {
				return nil, err
			}
			recs, err := query(cypher, params)
			if err != nil {
				return nil, err
			}
			candidates := make([]map[string]any, len(recs))
			for i, rec := range recs {
				candidates[i], _ = rec.Values[0].(map[string]any)
			}
			hits := []any{}
			for _, h := range store.RankCandidates(text, candidates, 10) {
				hits = append(hits, map[string]any{"score": h.Score,
					"entity": map[string]any{"id": h.Entity.ID, "name": h.Entity.Name, "kind": string(h.Entity.Kind)}})
			}
			return map[string]any{"search": hits}, nil
		},
	})

	// O4: 2-hop neighbourhood, limit 200, of ordinary entities.
	list = append(list, op{
		name:    "O4-neighborhood",
		args:    perEntity("O4"),
		ours:    same(`query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 200) { truncated nodes { id name kind } edges { id type from { id } to { id } } } }`),
		peer:    same(`query($id: ID!) { neighborhood(id: $id) { truncated nodes { id name kind } edges { id type from { id } to { id } } } }`),
		peerFix: func(d, _ map[string]any) any { return map[string]any{"neighborhood": d["neighborhood"]} },
		floor:   same(`CALL () {` + expandCypher("(n)-[r]-(m)", 2) + `} RETURN {neighborhood: {truncated: truncated, nodes: [n IN kept | n{.id, .name, .kind}], edges: edges}} AS data`),
	})

	// O5: one shortest path of at most 4 hops between two ordinary entities.
	var o5 []map[string]any
	for i := 0; i < k; i++ {
		es := sample(ds, rng, 2)
		o5 = append(o5, map[string]any{"from": es[0].ID, "to": es[1].ID})
	}
	list = append(list, op{
		name:    "O5-path",
		args:    o5,
		ours:    same(`query($from: ID!, $to: ID!) { paths(from: $from, to: $to, maxHops: 4) { length nodes { id } edges { id type } } }`),
		peer:    same(`query($from: ID!, $to: ID!) { paths(from: $from, to: $to) { length nodes { id } edges { id type } } }`),
		peerFix: func(d, _ map[string]any) any { return map[string]any{"paths": d["paths"]} },
		// Paths of one length are equally right: ours need not be the one
		// shortestPath meets first. The store's tests check that ours is a
		// real path of the length allShortestPaths finds.
		agree: pathEnds,
		floor: same(`MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
			OPTIONAL MATCH p = shortestPath((a)-[*1..4]-(b))
			RETURN {paths: CASE WHEN p IS NULL THEN [] ELSE [{length: length(p), nodes: [n IN nodes(p) | {id: n.id}], edges: [r IN relationships(p) | {id: r.id, type: type(r)}]}] END} AS data`),
	})

	// chain: the causal consequences of an ordinary entity, 4 hops.
	causal := typeAlternation(kg.CausalTypes())
	list = append(list, op{
		name:    "chain",
		args:    perEntity("chain"),
		ours:    same(`query($id: ID!) { chain(from: $id, maxHops: 4) { truncated nodes { id name } edges { id type from { id } to { id } } } }`),
		peer:    same(`query($id: ID!) { chain(id: $id) { truncated nodes { id name } edges { id type from { id } to { id } } } }`),
		peerFix: func(d, _ map[string]any) any { return map[string]any{"chain": d["chain"]} },
		floor:   same(`CALL () {` + expandCypher("(n)-[r:"+causal+"]->(m)", 4) + `} RETURN {chain: {truncated: truncated, nodes: [n IN kept | n{.id, .name}], edges: edges}} AS data`),
	})

	// timeline: one year's dated entities, first 50 and the total.
	var tl []map[string]any
	for i := 0; i < k; i++ {
		y := 1990 + rng.IntN(35)
		tl = append(tl, map[string]any{"from": fmt.Sprint(y), "to": fmt.Sprint(y),
			"fromDay": fmt.Sprintf("%d-01-01", y), "toDay": fmt.Sprintf("%d-12-31", y)})
	}
	list = append(list, op{
		name: "timeline",
		args: tl,
		ours: same(`query($from: Date, $to: Date) { timeline(from: $from, to: $to, first: 50) { totalCount nodes { id name start } } }`),
		peer: same(`query($fromDay: Date!, $toDay: Date!) {
			entities(where: {startFirst: {gte: $fromDay, lte: $toDay}}, sort: [{startFirst: ASC}, {startLast: DESC}, {id: ASC}], limit: 50) { id name start }
			entitiesConnection(where: {startFirst: {gte: $fromDay, lte: $toDay}}) { aggregate { count { nodes } } } }`),
		peerFix: func(d, _ map[string]any) any {
			count := asMap(asMap(asMap(d["entitiesConnection"])["aggregate"])["count"])["nodes"]
			return map[string]any{"timeline": map[string]any{"totalCount": count, "nodes": d["entities"]}}
		},
		floor: same(`MATCH (n:Entity) WHERE n.startFirst >= date($fromDay) AND n.startFirst <= date($toDay)
			WITH count(n) AS total
			CALL () { MATCH (n:Entity) WHERE n.startFirst >= date($fromDay) AND n.startFirst <= date($toDay)
			          WITH n ORDER BY n.startFirst, n.startLast DESC, n.id LIMIT 50 RETURN collect(n{.id, .name, .start}) AS page }
			RETURN {timeline: {totalCount: total, nodes: page}} AS data`),
	})

	// nested: one entity with its evidence and its first 20 relationships,
	// each with evidence and both ends.
	list = append(list, op{
		name: "nested-evidence",
		args: perEntity("nested"),
		ours: same(`query($id: ID!) { entity(id: $id) { id name evidence { locator quote }
			relationships(first: 20) { id type confidence evidence { locator quote } from { id name } to { id name } } } }`),
		peer: same(`query($id: ID!) { entities(where: {id: {eq: $id}}) { id name evidence
			rels(first: 20) { id type confidence evidence from { id name } to { id name } } } }`),
		peerFix: func(d, _ map[string]any) any {
			e := asMap(first(d["entities"]))
			if e == nil {
				return map[string]any{"entity": nil}
			}
			rels := []any{}
			for _, r := range asList(e["rels"]) {
				m := asMap(r)
				m["evidence"] = locate(m["evidence"])
				rels = append(rels, m)
			}
			return map[string]any{"entity": map[string]any{"id": e["id"], "name": e["name"], "evidence": locate(e["evidence"]), "relationships": rels}}
		},
		floor: same(`MATCH (n:Entity {id: $id})
			CALL (n) {
				MATCH (n)-[r]-(m) WITH r ORDER BY r.startFirst, type(r), r.id LIMIT 20
				WITH r, startNode(r) AS a, endNode(r) AS b
				RETURN collect({id: r.id, type: type(r), confidence: r.confidence, evidence: r.evidence, from: {id: a.id, name: a.name}, to: {id: b.id, name: b.name}}) AS rels
			}
			RETURN {entity: {id: n.id, name: n.name, evidence: n.evidence, relationships: rels}} AS data`),
		floorFix: func(d any) any {
			e := asMap(asMap(d)["entity"])
			if e == nil {
				return d
			}
			e["evidence"] = locate(e["evidence"])
			for _, r := range asList(e["relationships"]) {
				asMap(r)["evidence"] = locate(asMap(r)["evidence"])
			}
			return d
		},
	})
	return list
}

// expandCypher is the breadth-first expansion our Expand runs (the nearest
// first, then by id; a hop keeps at most limit+1 relationships, and each
// entity of its frontier gives at most limit+1, the first Neo4j reads),
// binding kept, edges and truncated, for the floor and the peer's @cypher
// fields.
func expandCypher(pattern string, depth int) string {
	hop := `
	CALL (frontier) {
		UNWIND frontier AS n
		CALL (n) { MATCH ` + pattern + ` RETURN r, m LIMIT 201 }
		WITH DISTINCT r, m ORDER BY m.id, r.id LIMIT 201
		RETURN collect(r) AS hopRels, collect(DISTINCT m) AS reached, count(*) > 200 AS hopCut
	}
	WITH rels + hopRels AS rels, cut OR hopCut AS cut, nodes, [m IN reached WHERE NOT m IN nodes] AS fresh
	WITH rels, cut, nodes + fresh AS nodes, fresh AS frontier`
	return `MATCH (start:Entity {id: $id})
	WITH [start] AS nodes, [start] AS frontier, [] AS rels, false AS cut` + strings.Repeat(hop, depth) + `
	WITH nodes[0..200] AS kept, cut OR size(nodes) > 200 AS truncated, rels
	CALL (kept, rels) {
		UNWIND rels AS r
		WITH DISTINCT r WHERE startNode(r) IN kept AND endNode(r) IN kept
		WITH r ORDER BY r.id
		RETURN collect({id: r.id, type: type(r), from: {id: startNode(r).id}, to: {id: endNode(r).id}}) AS edges
	}
	RETURN kept, edges, truncated`
}

// relType checks a sampled type against the vocabulary before it is spliced.
func relType(v any) string {
	info, ok := kg.LookupRelType(fmt.Sprint(v))
	if !ok {
		panic(fmt.Sprintf("not a relationship type: %v", v))
	}
	return string(info.Type)
}

func typeAlternation(ts []kg.RelType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = relType(t)
	}
	return strings.Join(s, "|")
}

// locate turns stored evidence JSON into our API's {locator, quote}.
func locate(v any) []any {
	var in []struct {
		Paragraph int    `json:"paragraph"`
		Quote     string `json:"quote"`
	}
	s, _ := v.(string)
	_ = json.Unmarshal([]byte(s), &in)
	out := []any{}
	for _, e := range in {
		out = append(out, map[string]any{"locator": fmt.Sprintf("¶%d", e.Paragraph), "quote": e.Quote})
	}
	return out
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asList(v any) []any         { l, _ := v.([]any); return l }

func first(v any) any {
	if l := asList(v); len(l) > 0 {
		return l[0]
	}
	return nil
}

// pathEnds reduces an O5 answer to each path's length and end entities.
func pathEnds(data any) any {
	var out []any
	m, _ := data.(map[string]any)
	paths, _ := m["paths"].([]any)
	for _, p := range paths {
		nodes, _ := p.(map[string]any)["nodes"].([]any)
		if len(nodes) == 0 {
			out = append(out, p)
			continue
		}
		out = append(out, []any{p.(map[string]any)["length"], len(nodes), nodes[0], nodes[len(nodes)-1]})
	}
	return out
}
