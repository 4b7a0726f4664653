package store

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Stats counts what the graph holds.
type Stats struct {
	Entities, Relationships int
	ByKind, ByType          map[string]int
}

// Stats counts entities by kind and relationships by type, in one query.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	const cypher = `CALL { MATCH (n:Entity) WITH n.kind AS k, count(*) AS c RETURN collect([k, c]) AS kinds }
		CALL { MATCH ()-[r]->() WITH type(r) AS t, count(*) AS c RETURN collect([t, c]) AS types }
		RETURN kinds, types`
	st := Stats{ByKind: map[string]int{}, ByType: map[string]int{}}
	err := s.read(ctx, "store.Stats", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.Stats", cypher, nil)
		if err != nil || len(recs) == 0 {
			return err
		}
		for i, into := range []map[string]int{st.ByKind, st.ByType} {
			for _, pair := range recs[0].Values[i].([]any) {
				kv := pair.([]any)
				n := int(kv[1].(int64))
				into[kv[0].(string)] = n
				if i == 0 {
					st.Entities += n
				} else {
					st.Relationships += n
				}
			}
		}
		return nil
	})
	return st, err
}
