package store

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// The graph's version is the node (:GraphState {key: 'graph'})'s version
// property, which every committed write increments inside its own
// transaction (kg.ChangeLog's Head; the change log, when it lands, owns the
// increment and this file's bumpVersion goes). Every server reads the same
// node, so a version read after a write's acknowledgement is that write's
// or later, on any server: the response cache keys on it.

// Head is the graph's version, 0 before any write. It is not counted among
// the request's Cypher queries (QueryCount), being the cache's own check.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var v int64
	err := s.read(ctx, "store.Head", func(tx neo4j.ManagedTransaction) error {
		start := time.Now()
		res, err := tx.Run(ctx, `OPTIONAL MATCH (g:GraphState {key: 'graph'}) RETURN coalesce(g.version, 0)`, nil)
		if err == nil {
			var rec *neo4j.Record
			if rec, err = res.Single(ctx); err == nil {
				v, _ = rec.Values[0].(int64)
			}
		}
		s.observe("store.Head", time.Since(start), err)
		return err
	})
	return v, err
}

// bumpVersion increments the graph's version inside a write's transaction.
func bumpVersion(ctx context.Context, tx neo4j.ManagedTransaction) error {
	_, err := tx.Run(ctx, `MERGE (g:GraphState {key: 'graph'}) SET g.version = coalesce(g.version, 0) + 1`, nil)
	return err
}

// bump increments the version in a transaction of its own, after writes
// that commit in several (Load, DeleteAll).
func (s *Store) bump(ctx context.Context, op string) error {
	return s.write(ctx, op, func(tx neo4j.ManagedTransaction) error { return bumpVersion(ctx, tx) })
}
