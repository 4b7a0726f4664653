package store

import (
	"context"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/kg"
)

// EntitiesByID returns the entities with the given ids, in one query. Ids
// that do not exist are absent from the map.
func (s *Store) EntitiesByID(ctx context.Context, p Projection, ids []string) (map[string]kg.Entity, error) {
	out := make(map[string]kg.Entity, len(ids))
	recs, err := s.readOne(ctx, "store.EntitiesByID",
		`UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN `+entityProjection(p, "n")+` AS n`, map[string]any{"ids": ids})
	for _, rec := range recs {
		e := entityFrom(rec.Values[0].(map[string]any))
		out[e.ID] = e
	}
	return out, err
}

// EntityFilter narrows Entities; zero fields do not filter.
type EntityFilter struct {
	Kinds        []kg.Kind
	NameContains string
	StartFrom    kg.Date
	StartTo      kg.Date  // inclusive: "2015" includes 2015-12
	RelatedTo    string   // one relationship away from this entity
	Involving    []string // these entities or one relationship away from any of them
	Dated        bool     // only entities with a start date

	// The analysts' conditions (filter.go).
	IDs        []string   // only these entities
	Some, None *RelFilter // with some relationship that passes, with none

	heldAt time.Time // EntityPageAt's record time: only entities held live then
}

// EntityOrder is a field to sort by and its direction.
type EntityOrder struct {
	Field string // NAME, START or ID
	Desc  bool
}

// Page is one page of a list and the size of the whole list.
type Page[T any] struct {
	Items []T
	Total int
}

// orderKeys maps an order field to the Cypher expression it sorts by. Only
// these strings are ever spliced into the query.
var orderKeys = map[string]string{
	"NAME":  "n.nameKey",    // toLower(n.name), stored and indexed (schema.go)
	"START": "n.startFirst", // ties: the coarser date first ("2015" before "2015-01")
	"ID":    "n.id",
}

// Entities returns one page of the entities that match f, and with total
// their number (else Page.Total is 0): counting reads every match, which a
// page alone does not need.
func (s *Store) Entities(ctx context.Context, p Projection, f EntityFilter, order EntityOrder, offset, limit int, total bool) (Page[kg.Entity], error) {
	page, _, _, err := s.EntitiesWithLevels(ctx, p, f, order, offset, limit, total, nil)
	return page, err
}

// EntitiesWithLevels is Entities with the relationship levels below the
// page's entities (as LevelsOf fetches them) in the same query: a nested
// page is one round trip, and its entities are not looked up again by id.
func (s *Store) EntitiesWithLevels(ctx context.Context, p Projection, f EntityFilter, order EntityOrder, offset, limit int, total bool, levels []Level) (Page[kg.Entity], []LevelPage, []kg.Entity, error) {
	source, where, params := entityQuery(f)
	key, ok := orderKeys[order.Field]
	if !ok {
		key = orderKeys["NAME"]
	}
	dir := "ASC"
	if order.Desc {
		dir = "DESC"
	}
	params["skip"], params["limit"] = offset, limit
	// Undated entities sort last whichever the direction; id breaks ties so
	// pages are stable. When every match has a start, that first key is
	// left out, so that the start index yields the order (a timeline then
	// reads only as far as its page instead of sorting every match).
	nullsLast := key + ` IS NULL, `
	if order.Field == "START" && f.hasStart() {
		nullsLast = ""
	}
	if key == orderKeys["NAME"] {
		// Every entity has a name. The range condition lets the nameKey
		// indexes give the order, and with one kind, sorting by the kind
		// first (a constant) lets the (kind, nameKey) index give it: a page
		// then reads its own rows instead of sorting every entity of the kind.
		nullsLast = ""
		where += ` AND n.nameKey >= ''`
		if len(f.Kinds) == 1 {
			nullsLast = `n.kind, `
		}
	}
	q := &levelQuery{p: p, params: params}
	body, lists, root, err := q.scope(levels)
	if err != nil {
		return Page[kg.Entity]{}, nil, nil, err
	}
	if len(levels) == 0 {
		lists = "[]"
	}
	pageOf := source + ` WHERE ` + where + `
		       WITH n ORDER BY ` + nullsLast + key + ` ` + dir + `, n.startLast DESC, n.id SKIP $skip LIMIT $limit` + body + `
		       RETURN collect([` + entityRow(p, "n") + `, ` + lists + `]) AS page`
	cypher := `CALL { ` + pageOf + ` } RETURN 0 AS total, page`
	if total {
		cypher = source + ` WHERE ` + where + ` WITH count(n) AS total
		CALL { ` + pageOf + ` }
		RETURN total, page`
	}
	var page Page[kg.Entity]
	recs, err := s.readOne(ctx, "store.Entities", cypher, params)
	if err != nil || len(recs) == 0 {
		return page, nil, nil, err
	}
	page.Total = int(recs[0].Values[0].(int64))
	rows := recs[0].Values[1].([]any)
	var n levelCount
	for _, v := range rows {
		n.add(root, v.([]any)[1].([]any))
	}
	pages, ends := n.make()
	page.Items = make([]kg.Entity, 0, len(rows))
	for _, v := range rows {
		pair := v.([]any)
		e := entityFromRow(pair[0].([]any))
		page.Items = append(page.Items, e)
		q.decode(e.ID, root, pair[1].([]any), &pages, &ends)
	}
	return page, pages, ends, nil
}

// entityQuery returns the clause that yields candidate entities n and the
// condition they must meet. Filters by relationship start from the named
// entities and walk one hop, rather than test every entity of the graph.
func entityQuery(f EntityFilter) (source, where string, params map[string]any) {
	conds := []string{"true"}
	params = map[string]any{}
	source = `MATCH (n:Entity)`
	switch {
	case len(f.Involving) > 0:
		source = `MATCH (x:Entity) WHERE x.id IN $involving
			CALL (x) { MATCH (x)--(y:Entity) RETURN y AS n UNION RETURN x AS n }
			WITH DISTINCT n`
		params["involving"] = f.Involving
	case f.RelatedTo != "":
		source = `MATCH (:Entity {id: $relatedTo})--(y:Entity) WITH DISTINCT y AS n`
		params["relatedTo"] = f.RelatedTo
	}
	switch len(f.Kinds) {
	case 0:
	case 1: // equality lets the (kind, nameKey) index give a kind's page in name order
		conds = append(conds, "n.kind = $kind")
		params["kind"] = string(f.Kinds[0])
	default:
		conds = append(conds, "n.kind IN $kinds")
		params["kinds"] = kindStrings(f.Kinds)
	}
	if f.NameContains != "" {
		conds = append(conds, "(toLower(n.name) CONTAINS $name OR any(a IN n.aliases WHERE toLower(a) CONTAINS $name))")
		params["name"] = strings.ToLower(f.NameContains)
	}
	if !f.StartFrom.IsZero() {
		conds = append(conds, "n.startFirst >= $startFrom")
		params["startFrom"] = dateParam(f.StartFrom)
	}
	if !f.StartTo.IsZero() {
		conds = append(conds, "n.startFirst <= $startTo")
		params["startTo"] = neo4j.DateOf(f.StartTo.Last())
	}
	if f.RelatedTo != "" && len(f.Involving) > 0 {
		conds = append(conds, "EXISTS { (n)--(:Entity {id: $relatedTo}) }")
		params["relatedTo"] = f.RelatedTo
	}
	if f.Dated && f.StartFrom.IsZero() && f.StartTo.IsZero() { // a bound already implies it
		conds = append(conds, "n.startFirst IS NOT NULL")
	}
	if !f.heldAt.IsZero() {
		conds = append(conds, heldLive("n"))
		params["t"] = f.heldAt.UTC()
	}
	c := newConds("ef")
	conds = append(conds, c.entityAnalyst(f, "n")...)
	for k, v := range c.params {
		params[k] = v
	}
	return source, strings.Join(conds, " AND "), params
}

// hasStart is true when every entity that passes f has a start date.
func (f EntityFilter) hasStart() bool {
	return f.Dated || !f.StartFrom.IsZero() || !f.StartTo.IsZero()
}

func kindStrings(ks []kg.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
