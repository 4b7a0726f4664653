package store

import (
	"context"
	"fmt"
	"strings"

	"cyberkg/errs"
	"cyberkg/kg"
)

// A Level is one level of relationships to fetch from some entities: the
// first Limit of each entity's relationships that pass Filter, in the order
// RelationshipsOf gives them, and the levels Next to fetch from the
// entities at their ends.
type Level struct {
	Filter RelFilter
	Limit  int
	Next   []Level
}

// LevelPage is one entity's relationships at one level, as RelationshipsOf
// would return them for (ID, Filter, Limit).
type LevelPage struct {
	ID     string
	Filter RelFilter
	Limit  int
	Items  []kg.Relationship
}

// Nests reports whether LevelsOf takes f: only the conditions a level of a
// query's selection has (types, direction, asOf), not the analysts' filters.
func (f RelFilter) Nests() bool {
	return len(f.Confidences) == 0 && len(f.ClaimedBy) == 0 && len(f.Sources) == 0 && f.Stance == "" &&
		f.StartFrom.IsZero() && f.StartTo.IsZero() && f.Other == nil && f.heldAt.IsZero()
}

// LevelsOf fetches a tree of relationship levels from entities ids in one
// query, each level nested in the one above it, instead of one query per
// level: a nested page of three levels was three result sets decoded row by
// row where one nested answer does (BENCHMARKS.md, issue 23). Each entity
// is also an end of its own relationships, so the levels below a level are
// fetched from it too, as the loaders' level-by-level prefetch does. It
// returns every page fetched, and the entities at their far ends.
func (s *Store) LevelsOf(ctx context.Context, p Projection, ids []string, levels []Level) ([]LevelPage, []kg.Entity, error) {
	if len(ids) == 0 || len(levels) == 0 {
		return nil, nil, nil
	}
	q := &levelQuery{p: p, params: map[string]any{"ids": ids}}
	body, lists, root, err := q.scope(levels)
	if err != nil {
		return nil, nil, err
	}
	cypher := `UNWIND $ids AS id MATCH (n:Entity {id: id})` + body + `
		RETURN id, ` + lists
	recs, err := s.readOne(ctx, "store.LevelsOf", cypher, q.params)
	if err != nil {
		return nil, nil, err
	}
	var n levelCount
	for _, rec := range recs {
		n.add(root, rec.Values[1].([]any))
	}
	pages, ends := n.make()
	for _, rec := range recs {
		q.decode(rec.Values[0].(string), root, rec.Values[1].([]any), &pages, &ends)
	}
	return pages, ends, nil
}

// levelQuery builds LevelsOf's Cypher: each level gets parameters of its
// own (asOf0, limit0, ...), as levels may differ in both.
type levelQuery struct {
	p      Projection
	params map[string]any
	next   int
}

// scoped is one level as fetched from one entity's scope: its parameters'
// number and the levels fetched from its far ends.
type scoped struct {
	n      int
	filter RelFilter
	limit  int
	below  []scoped
}

// scope is the Cypher fetching levels, and the levels below them, from the
// entity bound to n: the subqueries and the list expression of their
// results, in the order of the scoped levels it returns.
func (q *levelQuery) scope(levels []Level) (body, lists string, out []scoped, err error) {
	var names []string
	for i, lv := range merged(levels) {
		if !lv.Filter.Nests() {
			return "", "", nil, errs.Invalidf("LevelsOf: a level's filter may hold only types, direction and asOf")
		}
		types, err := typeLabel(lv.Filter.Types)
		if err != nil {
			return "", "", nil, err
		}
		n := q.next
		q.next++
		q.params[fmt.Sprint("asOf", n)], q.params[fmt.Sprint("limit", n)] = dateParam(lv.Filter.AsOf), lv.Limit
		s := scoped{n: n, filter: lv.Filter, limit: lv.Limit}
		kids := "[]"
		var below string
		if len(lv.Next) > 0 {
			var kidBody, kidLists string
			kidBody, kidLists, s.below, err = q.scope(lv.Next)
			if err != nil {
				return "", "", nil, err
			}
			below = `
				CALL (m) { WITH m AS n` + kidBody + `
					RETURN ` + kidLists + ` AS kids }`
			kids = "kids"
		}
		cond := "true"
		if !lv.Filter.AsOf.IsZero() {
			cond = strings.ReplaceAll(inForce, "$asOf", fmt.Sprint("$asOf", n))
		}
		name := fmt.Sprint("level", i)
		body += `
			CALL (n) {
				MATCH ` + arrow(lv.Filter.Direction, "n", "r", "m", types) + ` WHERE ` + cond + `
				WITH r, m ORDER BY ` + relOrder(lv.Filter) + ` LIMIT ` + fmt.Sprint("$limit", n) + below + `
				RETURN collect([` + relRowFrom(q.p, "n") + `, ` + entityRow(q.p, "m") + `, ` + kids + `]) AS ` + name + `
			}`
		names = append(names, name)
		out = append(out, s)
	}
	return body, "[" + strings.Join(names, ", ") + "]", out, nil
}

// merged are the levels fetched from one entity: its own, and every level
// below them (it is an end of each of its relationships, at every level
// fetched from it), each (filter, limit) once, with the levels below every
// copy.
func merged(levels []Level) []Level {
	var out []Level
	at := map[string]int{}
	var add func(lv Level)
	add = func(lv Level) {
		k := fmt.Sprint(lv.Filter.Types, lv.Filter.Direction, lv.Filter.AsOf, lv.Limit)
		if i, ok := at[k]; ok {
			out[i].Next = append(out[i].Next, lv.Next...)
		} else {
			at[k] = len(out)
			out = append(out, Level{Filter: lv.Filter, Limit: lv.Limit, Next: append([]Level(nil), lv.Next...)})
		}
		for _, below := range lv.Next {
			add(below)
		}
	}
	for _, lv := range levels {
		add(lv)
	}
	return out
}

// levelCount is how many pages and far ends decode will read from some
// entities' lists: counted first, so that each slice is made once at its
// size rather than grown and copied (a nested page of a thousand pages
// spent a third of its allocations growing them).
type levelCount struct{ pages, ends int }

func (c *levelCount) add(levels []scoped, lists []any) {
	for i, lv := range levels {
		list := lists[i].([]any)
		c.pages++
		c.ends += len(list)
		if len(lv.below) > 0 {
			for _, item := range list {
				c.add(lv.below, item.([]any)[2].([]any))
			}
		}
	}
}

func (c levelCount) make() ([]LevelPage, []kg.Entity) {
	return make([]LevelPage, 0, c.pages), make([]kg.Entity, 0, c.ends)
}

// decode reads the lists fetched for entity id at levels.
func (q *levelQuery) decode(id string, levels []scoped, lists []any, pages *[]LevelPage, ends *[]kg.Entity) {
	for i, lv := range levels {
		list := lists[i].([]any)
		page := LevelPage{ID: id, Filter: lv.filter, Limit: lv.limit, Items: make([]kg.Relationship, 0, len(list))}
		for _, item := range list {
			triple := item.([]any)
			m := entityFromRow(triple[1].([]any))
			r := relationshipBetweenRow(triple[0].([]any), id, m)
			page.Items = append(page.Items, r)
			*ends = append(*ends, m)
			if len(lv.below) > 0 {
				q.decode(m.ID, lv.below, triple[2].([]any), pages, ends)
			}
		}
		*pages = append(*pages, page)
	}
}
