package store

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// Record-time reads: what the graph held at record time t. At t exactly one
// state of each target holds, from one of two places: the live node or
// relationship, when its current version was recorded at or before t
// (recordedFrom <= t, or none: loaded before record time began), or else
// a superseded (:Version) with from <= t < to. A current version is never
// read from its (:Version): the live graph holds the same state, and the
// live Cypher conditions then apply to it exactly as the live reads apply
// them, so that a read at now answers what the live read does. Only
// superseded versions, which a live read never sees, are decoded from their
// JSON and filtered in Go (keepsAt). Each primitive is one query for a set
// of ids, so a traversal at t costs one query per level, as a live one
// costs one statement in all.

// heldLive is the condition on a live node or relationship x that its
// state held at $t.
func heldLive(x string) string {
	return `(` + x + `.recordedFrom IS NULL OR ` + x + `.recordedFrom <= $t)`
}

// heldSuperseded is the condition on a (:Version) v that it was superseded
// after $t and recorded at or before it (a load's archived state has no from).
const heldSuperseded = `v.to IS NOT NULL AND v.to > $t AND (v.from IS NULL OR v.from <= $t) AND NOT v.retracted`

// EntitiesAt are the entities of ids as the graph held them at record time
// t, by id; an id it did not hold then is absent.
func (s *Store) EntitiesAt(ctx context.Context, p Projection, ids []string, t time.Time) (map[string]kg.Entity, error) {
	out := make(map[string]kg.Entity, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	cypher := `UNWIND $ids AS id
		OPTIONAL MATCH (n:Entity {id: id}) WHERE ` + heldLive("n") + `
		CALL (id, n) {
			MATCH (v:Version {target: id}) WHERE n IS NULL AND v.kind = 'ENTITY' AND v.to IS NOT NULL AND v.to > $t AND (v.from IS NULL OR v.from <= $t)
			RETURN v.state AS state, v.retracted AS retracted ORDER BY v.version DESC LIMIT 1
			UNION ALL
			RETURN null AS state, null AS retracted
		}
		WITH id, n, collect(CASE WHEN state IS NOT NULL THEN [state, retracted] END) AS vs
		RETURN id, CASE WHEN n IS NULL THEN null ELSE ` + entityProjection(p, "n") + ` END AS n, vs`
	err := s.read(ctx, "store.EntitiesAt", func(tx neo4j.ManagedTransaction) error {
		clear(out)
		recs, err := s.query(ctx, tx, "store.EntitiesAt", cypher, map[string]any{"ids": distinct(ids), "t": t.UTC()})
		for _, rec := range recs {
			id := rec.Values[0].(string)
			if n, ok := rec.Values[1].(map[string]any); ok {
				out[id] = entityFrom(n)
				continue
			}
			for _, v := range rec.Values[2].([]any) {
				pair := v.([]any)
				if pair[1] == true {
					continue // retracted then
				}
				if e, ok := entityState(str(pair[0])); ok {
					out[id] = e
				}
			}
		}
		return err
	})
	return out, err
}

func entityState(state string) (kg.Entity, bool) {
	var st versionState
	if json.Unmarshal([]byte(state), &st) != nil || st.Entity == nil {
		return kg.Entity{}, false
	}
	return *st.Entity, true
}

func relationshipState(state string) (kg.Relationship, bool) {
	var st versionState
	if json.Unmarshal([]byte(state), &st) != nil || st.Relationship == nil {
		return kg.Relationship{}, false
	}
	return *st.Relationship, true
}

// RelationshipsOfAt are the relationships of each of ids as the graph held
// them at record time t that pass f (Other included, tested on the far end
// as it was at t), by id, in no particular order; ends are the entities at
// their far ends as they were at t. One query, and a second when superseded
// versions need their ends' states.
func (s *Store) RelationshipsOfAt(ctx context.Context, p Projection, ids []string, f RelFilter, t time.Time) (map[string][]kg.Relationship, map[string]kg.Entity, error) {
	out := map[string][]kg.Relationship{}
	if len(ids) == 0 {
		return out, map[string]kg.Entity{}, nil
	}
	if f.Other != nil && f.Other.relatesOwn() {
		return nil, nil, errs.Invalidf("recordedAt: where.other may not test the far end's own relationships at a past record time")
	}
	live := f
	live.Other = nil // tested on the far end at t, below
	pattern, params, err := relParams(live)
	if err != nil {
		return nil, nil, err
	}
	params["ids"], params["t"] = distinct(ids), t.UTC()
	// The superseded versions by either end (each end is indexed).
	cypher := `CALL () {
			UNWIND $ids AS id
			MATCH ` + pattern + ` WHERE n.id = id AND ` + heldLive("r") + ` AND ` + relFilter(live) + `
			RETURN id, ` + relProjection(p.withRelationship("start")) + ` AS r, null AS state
			UNION ALL
			UNWIND $ids AS id
			MATCH (v:Version {fromEnd: id}) WHERE ` + heldSuperseded + `
			RETURN id, null AS r, v.state AS state
			UNION ALL
			UNWIND $ids AS id
			MATCH (v:Version {toEnd: id}) WHERE ` + heldSuperseded + `
			RETURN id, null AS r, v.state AS state
		}
		RETURN id, r, state`
	type versioned struct {
		id string
		r  kg.Relationship
	}
	var old []versioned
	err = s.read(ctx, "store.RelationshipsOfAt", func(tx neo4j.ManagedTransaction) error {
		clear(out)
		old = old[:0]
		recs, err := s.query(ctx, tx, "store.RelationshipsOfAt", cypher, params)
		for _, rec := range recs {
			id := rec.Values[0].(string)
			if m, ok := rec.Values[1].(map[string]any); ok {
				out[id] = append(out[id], relationshipFrom(m))
			} else if r, ok := relationshipState(str(rec.Values[2])); ok {
				if r.From == r.To && r.From == id && slices.ContainsFunc(old, func(o versioned) bool { return o.id == id && o.r.ID == r.ID }) {
					continue // a loop, found by both ends
				}
				old = append(old, versioned{id, r})
			}
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	// The far ends at t: for superseded versions' validFrom (which a
	// relationship without a start takes from its ends) and for Other.
	var far []string
	for id, rs := range out {
		for _, r := range rs {
			far = append(far, otherEnd(r, id))
		}
	}
	for _, o := range old {
		far = append(far, o.r.From, o.r.To)
	}
	ends, err := s.EntitiesAt(ctx, All, far, t)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range old {
		if f.keepsAt(o.r, o.id, ends) {
			out[o.id] = append(out[o.id], o.r)
		}
	}
	if f.Other != nil {
		for id, rs := range out {
			out[id] = slices.DeleteFunc(rs, func(r kg.Relationship) bool {
				e, ok := ends[otherEnd(r, id)]
				return !ok || !f.Other.keepsOwn(e)
			})
		}
	}
	return out, ends, nil
}

func otherEnd(r kg.Relationship, id string) string {
	if r.From == id {
		return r.To
	}
	return r.From
}

// keepsAt is relFilter and the analysts' conditions on a superseded
// version of a relationship of entity id, in Go, over the properties the
// write service would have given it (RelationshipProps; validFrom from its
// ends at t). Other is tested by the caller on every relationship.
func (f RelFilter) keepsAt(r kg.Relationship, id string, ends map[string]kg.Entity) bool {
	if len(f.Types) > 0 && !slices.Contains(f.Types, r.Type) {
		return false
	}
	switch f.Direction {
	case Outgoing:
		if r.From != id {
			return false
		}
	case Incoming:
		if r.To != id {
			return false
		}
	}
	if len(f.Confidences) > 0 && !slices.Contains(f.Confidences, r.Confidence) {
		return false
	}
	if !f.AsOf.IsZero() {
		day := f.AsOf.First()
		from := r.Start
		if from.IsZero() {
			a, b := ends[r.From].Start, ends[r.To].Start
			from = a
			if a.IsZero() || (!b.IsZero() && b.First().After(a.First())) {
				from = b
			}
		}
		if !from.IsZero() && from.First().After(day) {
			return false
		}
		if !r.End.IsZero() && !r.End.First().After(day) {
			return false
		}
	}
	if len(f.ClaimedBy) > 0 && !slices.ContainsFunc(r.ClaimedBy, func(x string) bool { return slices.Contains(f.ClaimedBy, x) }) {
		return false
	}
	if len(f.Sources) > 0 && !slices.ContainsFunc(sources(r.Evidence, r.Facts), func(x string) bool { return slices.Contains(f.Sources, x) }) {
		return false
	}
	if !f.StartFrom.IsZero() && (r.Start.IsZero() || r.Start.First().Before(f.StartFrom.First())) {
		return false
	}
	if !f.StartTo.IsZero() && (r.Start.IsZero() || r.Start.First().After(f.StartTo.Last())) {
		return false
	}
	return true
}

// keepsOwn is the conditions of f on an entity's own properties, in Go,
// as entity (filter.go) writes them in Cypher. Conditions on its
// relationships (relatedTo, involving, relationshipsSome/None) are not
// tested here: the record-time reads that take them refuse them nested.
func (f EntityFilter) keepsOwn(e kg.Entity) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind) {
		return false
	}
	if f.NameContains != "" {
		needle := strings.ToLower(f.NameContains)
		if !strings.Contains(strings.ToLower(e.Name), needle) && !slices.ContainsFunc(e.Aliases, func(a string) bool { return strings.Contains(strings.ToLower(a), needle) }) {
			return false
		}
	}
	if !f.StartFrom.IsZero() && (e.Start.IsZero() || e.Start.First().Before(f.StartFrom.First())) {
		return false
	}
	if !f.StartTo.IsZero() && (e.Start.IsZero() || e.Start.First().After(f.StartTo.Last())) {
		return false
	}
	if f.Dated && e.Start.IsZero() {
		return false
	}
	if len(f.IDs) > 0 && !slices.Contains(f.IDs, e.ID) {
		return false
	}
	return true
}

// relatesOwn is true when f has conditions on an entity's relationships,
// which keepsOwn does not test.
func (f EntityFilter) relatesOwn() bool {
	return f.RelatedTo != "" || len(f.Involving) > 0 || f.Some != nil || f.None != nil
}

// withRelationship is p with the relationship properties named too: those
// the record-time reads order by, which Cypher orders by in the live reads.
func (p Projection) withRelationship(names ...string) Projection {
	if !p.limited {
		return p
	}
	q := Projection{limited: true, entity: p.entity, relationship: maps.Clone(p.relationship)}
	for _, f := range names {
		q.relationship[f] = true
	}
	return q
}
