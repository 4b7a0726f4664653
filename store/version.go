package store

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// The graph's version is the node (:GraphState {key: 'graph'})'s version
// property: the change log's head (changes.go), which every recorded write
// increments inside its own transaction. DeleteAll, which only tests and the
// benchmarks' synthetic graphs use, records no change but still moves the
// version (a gap in the log's sequence), so that a response cache keyed on
// it never answers from the graph it emptied.

// bump increments the version in a transaction of its own.
func (s *Store) bump(ctx context.Context, op string) error {
	return s.write(ctx, op, func(tx neo4j.ManagedTransaction) error {
		_, err := tx.Run(ctx, `MERGE (g:GraphState {key: 'graph'}) SET g.version = coalesce(g.version, 0) + 1`, nil)
		return err
	})
}
