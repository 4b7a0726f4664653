package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cyberkg/errs"
	"cyberkg/kg"
)

// Direction of relationships relative to an entity.
type Direction string

const (
	Outgoing Direction = "OUTGOING"
	Incoming Direction = "INCOMING"
	Both     Direction = "BOTH"
)

// RelFilter narrows the relationships of an entity; zero fields do not filter.
type RelFilter struct {
	Types       []kg.RelType
	Direction   Direction
	AsOf        kg.Date
	Confidences []kg.Confidence // keep only these levels, e.g. to leave out POSSIBLE

	// The analysts' conditions (filter.go).
	ClaimedBy          []string      // asserted by one of these entities
	Sources            []string      // evidence quoting one of these REPORTs
	Stance             kg.Stance     // some evidence of this stance; "" for any
	StartFrom, StartTo kg.Date       // its own start within these (StartTo inclusive)
	Other              *EntityFilter // the entity at the far end passes this

	heldAt time.Time // RelationshipPageAt's record time: only relationships held live then
}

// arrows maps a direction to a relationship pattern from %[1]s to %[3]s
// named %[2]s, with %[4]s for its types (and length); only these are
// spliced.
var arrows = map[Direction]string{
	Outgoing: `(%[1]s)-[%[2]s%[4]s]->(%[3]s)`,
	Incoming: `(%[1]s)<-[%[2]s%[4]s]-(%[3]s)`,
	Both:     `(%[1]s)-[%[2]s%[4]s]-(%[3]s)`,
}

// arrow is the pattern in direction d (BOTH for any other) from node from
// to node to through relationship rel of types.
func arrow(d Direction, from, rel, to, types string) string {
	a, ok := arrows[d]
	if !ok {
		a = arrows[Both]
	}
	return fmt.Sprintf(a, from, rel, to, types)
}

// inForce is true when relationship r holds on $asOf (or $asOf is null):
// it began on or before that day (validFrom, set by Write) and had not
// ended by it. A relationship with no known beginning counts as in force.
const inForce = `($asOf IS NULL OR ((r.validFrom IS NULL OR r.validFrom <= $asOf) AND (r.endFirst IS NULL OR r.endFirst > $asOf)))`

// relParams returns f's pattern and parameters. Types are spliced into the
// pattern (`-[r:CAUSED|PROMPTED]-`) rather than tested with type(r) IN
// $types: Neo4j then reads only the relationships of those types from a
// node's relationship chains, which on hubs measured 3 times faster.
func relParams(f RelFilter) (string, map[string]any, error) {
	types, err := typeLabel(f.Types)
	if err != nil {
		return "", nil, err
	}
	var confidences []string
	for _, c := range f.Confidences {
		confidences = append(confidences, string(c))
	}
	params := map[string]any{"asOf": dateParam(f.AsOf), "confidences": confidences}
	_, more, err := f.analystConds()
	if err != nil {
		return "", nil, err
	}
	for k, v := range more {
		params[k] = v
	}
	return arrow(f.Direction, "n:Entity", "r", "m", types), params, nil
}

// relOrder is the ORDER BY of an entity's relationships that pass f: start
// date (undated last), type, id. With one type, every candidate has it, and
// it is left out of the sort: Neo4j reads a relationship's type for every
// candidate the sort sees, before the LIMIT keeps a few, and on O2's nested
// page that read was a tenth of the statement's database hits.
func relOrder(f RelFilter) string {
	if len(f.Types) == 1 {
		return "r.startFirst, r.id"
	}
	return "r.startFirst, type(r), r.id"
}

// typeLabel is ":A|B" for types, checked against the vocabulary, or "".
func typeLabel(types []kg.RelType) (string, error) {
	if len(types) == 0 {
		return "", nil
	}
	ts := make([]string, len(types))
	for i, t := range types {
		info, ok := kg.LookupRelType(string(t))
		if !ok {
			return "", errs.Invalidf("unknown relationship type %q", t)
		}
		ts[i] = string(info.Type)
	}
	return ":" + strings.Join(ts, "|"), nil
}

// RelationshipsOf returns the first limit relationships of each given entity
// that pass f, ordered by start date, type and id, with the
// entities at their other ends (so that callers need not look those up): all
// in one query.
func (s *Store) RelationshipsOf(ctx context.Context, p Projection, ids []string, f RelFilter, limit int) (map[string][]kg.Relationship, []kg.Entity, error) {
	pattern, params, err := relParams(f)
	if err != nil {
		return nil, nil, err
	}
	params["ids"], params["limit"] = ids, limit
	// The subquery's ORDER BY … LIMIT keeps only the top rows per entity, so
	// a hub's thousands of relationships are never all collected; ordering
	// by relationship properties alone spares reading every neighbour (it
	// halved the time on the benchmark graph).
	cypher := `UNWIND $ids AS id
		CALL (id) {
			MATCH ` + pattern + ` WHERE n.id = id AND ` + relFilter(f) + `
			WITH n, r, m ORDER BY ` + relOrder(f) + ` LIMIT $limit
			RETURN n, r, m
		}
		RETURN id, ` + relRowFrom(p, "n") + ` AS r, ` + entityRow(p, "m") + ` AS m`
	out := make(map[string][]kg.Relationship, len(ids))
	var ends []kg.Entity
	recs, err := s.readOne(ctx, "store.RelationshipsOf", cypher, params)
	for _, rec := range recs {
		id := rec.Values[0].(string)
		m := entityFromRow(rec.Values[2].([]any))
		out[id] = append(out[id], relationshipBetweenRow(rec.Values[1].([]any), id, m))
		ends = append(ends, m)
	}
	return out, ends, err
}

// EntityWithRelationships returns one entity with what RelationshipsOf
// would return for it, in one query instead of two: a root field that
// selects an entity and its relationships, the commonest question, costs
// one round trip. found is false when there is no entity with that id.
func (s *Store) EntityWithRelationships(ctx context.Context, p Projection, id string, f RelFilter, limit int) (e kg.Entity, rels []kg.Relationship, ends []kg.Entity, found bool, err error) {
	pattern, params, err := relParams(f)
	if err != nil {
		return e, nil, nil, false, err
	}
	params["id"], params["limit"] = id, limit
	cypher := `MATCH (n:Entity {id: $id})
		CALL (n) {
			MATCH ` + pattern + ` WHERE ` + relFilter(f) + `
			WITH r, m ORDER BY ` + relOrder(f) + ` LIMIT $limit
			RETURN collect([` + relRowFrom(p, "n") + `, ` + entityRow(p, "m") + `]) AS rels
		}
		RETURN ` + entityRow(p, "n") + ` AS n, rels`
	recs, err := s.readOne(ctx, "store.EntityWithRelationships", cypher, params)
	if err != nil || len(recs) == 0 {
		return e, nil, nil, false, err
	}
	e = entityFromRow(recs[0].Values[0].([]any))
	for _, pair := range recs[0].Values[1].([]any) {
		p := pair.([]any)
		m := entityFromRow(p[1].([]any))
		rels = append(rels, relationshipBetweenRow(p[0].([]any), e.ID, m))
		ends = append(ends, m)
	}
	return e, rels, ends, true, nil
}

// Relationships returns one page of all relationships that pass f (by id),
// with their total. f's Direction and Other need an entity to be relative to
// and are refused.
func (s *Store) Relationships(ctx context.Context, p Projection, f RelFilter, offset, limit int) (Page[kg.Relationship], error) {
	if f.Other != nil || (f.Direction != "" && f.Direction != Both) {
		return Page[kg.Relationship]{}, errs.Invalidf("where: direction and other need an entity to be relative to; give them on an entity's relationshipsConnection")
	}
	label, params, cond, err := rootRelFilter(f)
	if err != nil {
		return Page[kg.Relationship]{}, err
	}
	params["skip"], params["limit"] = offset, limit
	cypher := `MATCH ()-[r` + label + `]->() WHERE ` + cond + ` WITH count(r) AS total
		CALL { MATCH ()-[r` + label + `]->() WHERE ` + cond + `
		       WITH r ORDER BY r.id SKIP $skip LIMIT $limit
		       RETURN collect(` + relProjection(p) + `) AS page }
		RETURN total, page`
	var page Page[kg.Relationship]
	recs, err := s.readOne(ctx, "store.Relationships", cypher, params)
	if err != nil || len(recs) == 0 {
		return page, err
	}
	page.Total = int(recs[0].Values[0].(int64))
	for _, v := range recs[0].Values[1].([]any) {
		page.Items = append(page.Items, relationshipFrom(v.(map[string]any)))
	}
	return page, nil
}

// rootRelFilter is f's type label, parameters and condition on r for a
// pattern of every relationship ()-[r]->().
func rootRelFilter(f RelFilter) (label string, params map[string]any, cond string, err error) {
	if label, err = typeLabel(f.Types); err != nil {
		return
	}
	if _, params, err = relParams(f); err != nil {
		return
	}
	cond = relFilter(f)
	if !f.heldAt.IsZero() {
		cond += ` AND ` + heldLive("r")
		params["t"] = f.heldAt.UTC()
	}
	return label, params, cond, nil
}
