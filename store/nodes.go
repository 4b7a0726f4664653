package store

import (
	"context"
	"strings"

	"cyberkg/kg"
)

// RelationshipsByID returns the relationships with the given ids, in one
// query. Ids are unique across types, but Neo4j indexes them per type
// (schema.go), so the lookup asks each type's index: one branch per type of
// the closed vocabulary. Ids that do not exist are absent from the map.
func (s *Store) RelationshipsByID(ctx context.Context, p Projection, ids []string) (map[string]kg.Relationship, error) {
	branches := make([]string, len(kg.RelTypes))
	for i, t := range kg.RelTypes {
		branches[i] = `MATCH ()-[r:` + string(t.Type) + ` {id: id}]->() RETURN r`
	}
	cypher := `UNWIND $ids AS id CALL (id) { ` + strings.Join(branches, " UNION ") + ` }
		RETURN ` + relProjection(p) + ` AS r`
	out := make(map[string]kg.Relationship, len(ids))
	recs, err := s.readOne(ctx, "store.RelationshipsByID", cypher, map[string]any{"ids": ids})
	for _, rec := range recs {
		r := relationshipFrom(rec.Values[0].(map[string]any))
		out[r.ID] = r
	}
	return out, err
}
