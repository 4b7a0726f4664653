package store

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/kg"
)

// RelationshipPage returns relationships [offset, offset+limit) of entity id
// that pass f, in RelationshipsOf's order (start date, type, id), the
// entities at their far ends, and, with total, their number: one query.
func (s *Store) RelationshipPage(ctx context.Context, proj Projection, id string, f RelFilter, offset, limit int, total bool) (Page[kg.Relationship], []kg.Entity, error) {
	pattern, params, err := relParams(f)
	if err != nil {
		return Page[kg.Relationship]{}, nil, err
	}
	params["id"], params["skip"], params["limit"] = id, offset, limit
	count := `0 AS total`
	if total {
		count = `COUNT { MATCH ` + pattern + ` WHERE ` + relFilter(f) + ` } AS total`
	}
	cypher := `MATCH (n:Entity {id: $id})
		CALL (n) {
			MATCH ` + pattern + ` WHERE ` + relFilter(f) + `
			WITH r, m ORDER BY r.startFirst, type(r), r.id SKIP $skip LIMIT $limit
			RETURN collect([` + relProjection(proj) + `, ` + entityProjection(proj, "m") + `]) AS rels
		}
		RETURN ` + count + `, rels`
	var page Page[kg.Relationship]
	var ends []kg.Entity
	err = s.read(ctx, "store.RelationshipPage", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.RelationshipPage", cypher, params)
		if err != nil || len(recs) == 0 {
			return err
		}
		page.Total = int(recs[0].Values[0].(int64))
		for _, pair := range recs[0].Values[1].([]any) {
			p := pair.([]any)
			page.Items = append(page.Items, relationshipFrom(p[0].(map[string]any)))
			ends = append(ends, entityFrom(p[1].(map[string]any)))
		}
		return nil
	})
	return page, ends, err
}
