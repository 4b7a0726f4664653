package store

import (
	"context"

	"cyberkg/kg"
)

// RelationshipPage returns relationships [offset, offset+limit) of entity id
// that pass f, in RelationshipsOf's order (start date, type, id), the
// entities at their far ends, and, with total, their number: one query.
func (s *Store) RelationshipPage(ctx context.Context, proj Projection, id string, f RelFilter, offset, limit int, total bool) (Page[kg.Relationship], []kg.Entity, error) {
	pages, ends, err := s.RelationshipPages(ctx, proj, []string{id}, f, offset, limit, total)
	return pages[id], ends, err
}

// RelationshipPages is RelationshipPage of several entities at once, in one
// query: the same page (offset, limit) of each one's relationships passing
// f. An id no entity has gets an empty page.
func (s *Store) RelationshipPages(ctx context.Context, proj Projection, ids []string, f RelFilter, offset, limit int, total bool) (map[string]Page[kg.Relationship], []kg.Entity, error) {
	pattern, params, err := relParams(f)
	if err != nil {
		return nil, nil, err
	}
	params["ids"], params["skip"], params["limit"] = uniq(ids), offset, limit
	count := `0 AS total`
	if total {
		count = `COUNT { MATCH ` + pattern + ` WHERE ` + relFilter(f) + ` } AS total`
	}
	cypher := `UNWIND $ids AS id
		MATCH (n:Entity {id: id})
		CALL (n) {
			MATCH ` + pattern + ` WHERE ` + relFilter(f) + `
			WITH r, m ORDER BY ` + relOrder(f) + ` SKIP $skip LIMIT $limit
			RETURN collect([` + relRowFrom(proj, "n") + `, ` + entityRow(proj, "m") + `]) AS rels
		}
		RETURN id, ` + count + `, rels`
	pages := make(map[string]Page[kg.Relationship], len(ids))
	var ends []kg.Entity
	recs, err := s.readOne(ctx, "store.RelationshipPages", cypher, params)
	for _, rec := range recs {
		var page Page[kg.Relationship]
		id := rec.Values[0].(string)
		page.Total = int(rec.Values[1].(int64))
		for _, pair := range rec.Values[2].([]any) {
			p := pair.([]any)
			m := entityFromRow(p[1].([]any))
			page.Items = append(page.Items, relationshipBetweenRow(p[0].([]any), id, m))
			ends = append(ends, m)
		}
		pages[id] = page
	}
	return pages, ends, err
}
