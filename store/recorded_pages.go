package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// The entities and relationships pages at record time t (recorded.go has
// the model). A page at t is the live targets that held then — read by the
// live page's own Cypher with heldLive added, ordered and cut by Neo4j at
// offset+limit — merged with the superseded versions that held then,
// decoded and filtered in Go and put in the same order. The page's items
// are the first offset+limit of that merge: no live target past them can
// come before them. So a page at t costs the live page's query (read to
// its end rather than from its start) and one scan of the (:Version)
// nodes of that kind that hold then.

// EntityPageAt is Entities at record time t: f's conditions on entities'
// relationships (relatedTo, involving) are read at t too; relationshipsSome
// and relationshipsNone are refused.
func (s *Store) EntityPageAt(ctx context.Context, p Projection, f EntityFilter, order EntityOrder, t time.Time, offset, limit int, total bool) (Page[kg.Entity], error) {
	f, empty, err := s.idsAt(ctx, f, t)
	if err != nil || empty {
		return Page[kg.Entity]{Items: []kg.Entity{}}, err
	}
	live := f
	live.heldAt = t
	page, err := s.Entities(ctx, p.withEntity("name", "start"), live, order, 0, offset+limit, total)
	if err != nil {
		return page, err
	}
	old, err := s.supersededEntities(ctx, f, t)
	if err != nil {
		return page, err
	}
	cmp := entityOrder(order)
	slices.SortFunc(old, cmp)
	page.Items = cut(merge(page.Items, old, cmp), offset, limit)
	if total {
		page.Total += len(old)
	}
	return page, nil
}

// supersededEntities are the superseded versions of entities held at t
// that pass f (its relationship conditions already turned into ids).
func (s *Store) supersededEntities(ctx context.Context, f EntityFilter, t time.Time) ([]kg.Entity, error) {
	var old []kg.Entity
	err := s.read(ctx, "store.EntitiesAt", func(tx neo4j.ManagedTransaction) error {
		old = old[:0]
		var kinds any // nil, not an empty list, for every kind
		if len(f.Kinds) > 0 {
			kinds = kindStrings(f.Kinds)
		}
		recs, err := s.query(ctx, tx, "store.EntitiesAt", `MATCH (v:Version) WHERE v.kind = 'ENTITY' AND `+heldSuperseded+`
			  AND ($kinds IS NULL OR v.entityKind IN $kinds)
			RETURN v.state`, map[string]any{"t": t.UTC(), "kinds": kinds})
		for _, rec := range recs {
			if e, ok := entityState(str(rec.Values[0])); ok && f.keepsOwn(e) {
				old = append(old, e)
			}
		}
		return err
	})
	return old, err
}

// idsAt turns f's relatedTo and involving into the ids they admit at
// record time t (and, with ids, their intersection): empty is true when
// none passes.
func (s *Store) idsAt(ctx context.Context, f EntityFilter, t time.Time) (EntityFilter, bool, error) {
	if f.Some != nil || f.None != nil {
		return f, false, errs.Invalidf("recordedAt: where.relationshipsSome and relationshipsNone are not read at a past record time")
	}
	near := func(ids []string, self bool) ([]string, error) {
		byID, _, err := s.RelationshipsOfAt(ctx, All, ids, RelFilter{}, t)
		var out []string
		for _, id := range ids {
			if self {
				out = append(out, id)
			}
			for _, r := range byID[id] {
				out = append(out, otherEnd(r, id))
			}
		}
		return out, err
	}
	restrict := func(ids []string) {
		if len(f.IDs) == 0 {
			f.IDs = distinct(ids)
			return
		}
		f.IDs = slices.DeleteFunc(slices.Clone(f.IDs), func(id string) bool { return !slices.Contains(ids, id) })
	}
	for _, q := range []struct {
		ids  []string
		self bool
	}{{f.Involving, true}, {idList(f.RelatedTo), false}} {
		if len(q.ids) == 0 {
			continue
		}
		ids, err := near(q.ids, q.self)
		if err != nil {
			return f, false, err
		}
		restrict(ids)
		if len(f.IDs) == 0 {
			return f, true, nil
		}
	}
	f.Involving, f.RelatedTo = nil, ""
	return f, false, nil
}

func idList(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// entityOrder is Entities' ORDER BY in Go: the key (undated last, either
// way), then the later end of the start first (Cypher's DESC puts a missing
// one first), then id.
func entityOrder(o EntityOrder) func(a, b kg.Entity) int {
	dir := 1
	if o.Desc {
		dir = -1
	}
	key := func(a, b kg.Entity) int {
		switch o.Field {
		case "START":
			if a.Start.IsZero() || b.Start.IsZero() {
				return boolCmp(a.Start.IsZero(), b.Start.IsZero())
			}
			return dir * a.Start.First().Compare(b.Start.First())
		case "ID":
			return dir * strings.Compare(a.ID, b.ID)
		default:
			return dir * strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		}
	}
	return func(a, b kg.Entity) int {
		if c := key(a, b); c != 0 {
			return c
		}
		switch {
		case a.Start.IsZero() || b.Start.IsZero():
			if c := boolCmp(b.Start.IsZero(), a.Start.IsZero()); c != 0 {
				return c
			}
		default:
			if c := b.Start.Last().Compare(a.Start.Last()); c != 0 {
				return c
			}
		}
		return strings.Compare(a.ID, b.ID)
	}
}

// boolCmp orders false before true.
func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// merge merges two lists sorted by cmp, keeping a's own order: a is
// Neo4j's, which cmp restates.
func merge[T any](a, b []T, cmp func(x, y T) int) []T {
	out := make([]T, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if cmp(b[0], a[0]) < 0 {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

func cut[T any](items []T, offset, limit int) []T {
	if offset >= len(items) {
		return []T{}
	}
	return items[offset:min(len(items), offset+limit)]
}

// RelationshipPageAt is Relationships at record time t: ordered by id,
// with their total.
func (s *Store) RelationshipPageAt(ctx context.Context, p Projection, f RelFilter, t time.Time, offset, limit int) (Page[kg.Relationship], error) {
	live := f
	live.heldAt = t
	page, err := s.Relationships(ctx, p, live, 0, offset+limit)
	if err != nil {
		return page, err
	}
	old, err := s.supersededRelationships(ctx, f, t)
	if err != nil {
		return page, err
	}
	byID := func(a, b kg.Relationship) int { return strings.Compare(a.ID, b.ID) }
	slices.SortFunc(old, byID)
	page.Items = cut(merge(page.Items, old, byID), offset, limit)
	page.Total += len(old)
	return page, nil
}

// supersededRelationships are the superseded versions of relationships
// held at t that pass f (which has no direction or other).
func (s *Store) supersededRelationships(ctx context.Context, f RelFilter, t time.Time) ([]kg.Relationship, error) {
	var old []kg.Relationship
	err := s.read(ctx, "store.RelationshipsAt", func(tx neo4j.ManagedTransaction) error {
		old = old[:0]
		recs, err := s.query(ctx, tx, "store.RelationshipsAt", `MATCH (v:Version) WHERE v.kind = 'RELATIONSHIP' AND `+heldSuperseded+`
			RETURN v.state`, map[string]any{"t": t.UTC()})
		for _, rec := range recs {
			if r, ok := relationshipState(str(rec.Values[0])); ok {
				old = append(old, r)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var ends map[string]kg.Entity
	if !f.AsOf.IsZero() && len(old) > 0 { // a start taken from the ends
		var ids []string
		for _, r := range old {
			ids = append(ids, r.From, r.To)
		}
		if ends, err = s.EntitiesAt(ctx, All, ids, t); err != nil {
			return nil, err
		}
	}
	return slices.DeleteFunc(old, func(r kg.Relationship) bool { return !f.keepsAt(r, "", ends) }), nil
}

// RelationshipsByIDAt is RelationshipsByID at record time t: those of ids
// the graph held then, as it held them.
func (s *Store) RelationshipsByIDAt(ctx context.Context, p Projection, ids []string, t time.Time) (map[string]kg.Relationship, error) {
	out := make(map[string]kg.Relationship, len(ids))
	branches := make([]string, len(kg.RelTypes))
	for i, rt := range kg.RelTypes {
		branches[i] = `MATCH ()-[r:` + string(rt.Type) + ` {id: id}]->() WHERE ` + heldLive("r") + ` RETURN r, null AS state`
	}
	cypher := `UNWIND $ids AS id CALL (id) { ` + strings.Join(branches, " UNION ") + `
			UNION
			MATCH (v:Version {target: id}) WHERE v.kind = 'RELATIONSHIP' AND ` + heldSuperseded + `
			RETURN null AS r, v.state AS state
		}
		RETURN CASE WHEN r IS NULL THEN null ELSE ` + relProjection(p) + ` END AS r, state`
	err := s.read(ctx, "store.RelationshipsByIDAt", func(tx neo4j.ManagedTransaction) error {
		clear(out)
		recs, err := s.query(ctx, tx, "store.RelationshipsByIDAt", cypher, map[string]any{"ids": distinct(ids), "t": t.UTC()})
		for _, rec := range recs {
			if m, ok := rec.Values[0].(map[string]any); ok {
				r := relationshipFrom(m)
				out[r.ID] = r
			} else if r, ok := relationshipState(str(rec.Values[1])); ok {
				out[r.ID] = r
			}
		}
		return err
	})
	return out, err
}
