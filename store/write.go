package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// batchSize is the rows one UNWIND statement carries.
const batchSize = 1000

// Write validates a dataset and merges it into the graph in one transaction:
// all of it is written, or, on any error, nothing. Merging by id makes it
// idempotent: writing the same dataset twice leaves the same graph.
func (s *Store) Write(ctx context.Context, ds *kg.Dataset) error {
	if err := validate("store.Write", ds); err != nil {
		return err
	}
	return s.write(ctx, "store.Write", func(tx neo4j.ManagedTransaction) error {
		return s.writeDataset(ctx, tx, ds)
	})
}

// Replace makes the graph equal to a dataset in one transaction: what the
// dataset holds is merged, and every entity and relationship it no longer
// holds is deleted. It validates first, so an invalid dataset, or any failure
// on the way, leaves the graph as it was.
func (s *Store) Replace(ctx context.Context, ds *kg.Dataset) error {
	if err := validate("store.Replace", ds); err != nil {
		return err
	}
	entityIDs := make([]string, len(ds.Entities))
	for i, e := range ds.Entities {
		entityIDs[i] = e.ID
	}
	// A relationship is kept only with the same id, type and ends: one whose
	// ends changed is deleted first, or the merge would make a second one
	// with its id.
	relKeys := make([]string, len(ds.Relationships))
	for i, r := range ds.Relationships {
		relKeys[i] = relKey(string(r.Type), r.ID, r.From, r.To)
	}
	return s.write(ctx, "store.Replace", func(tx neo4j.ManagedTransaction) error {
		deleteStale := []struct {
			cypher string
			keep   []string
		}{
			{`MATCH (a:Entity)-[r]->(b:Entity)
			  WHERE NOT type(r) + '|' + r.id + '|' + a.id + '|' + b.id IN $keep DELETE r`, relKeys},
			{`MATCH (n:Entity) WHERE NOT n.id IN $keep DETACH DELETE n`, entityIDs},
		}
		for _, d := range deleteStale {
			if _, err := s.query(ctx, tx, "store.Replace", d.cypher, map[string]any{"keep": d.keep}); err != nil {
				return err
			}
		}
		return s.writeDataset(ctx, tx, ds)
	})
}

func relKey(typ, id, from, to string) string { return typ + "|" + id + "|" + from + "|" + to }

func validate(op string, ds *kg.Dataset) error {
	if probs := ds.Validate(); len(probs) > 0 {
		return errs.E(op, errs.Invalid, fmt.Errorf("%d problems, first: %w", len(probs), probs[0]))
	}
	return nil
}

func (s *Store) writeDataset(ctx context.Context, tx neo4j.ManagedTransaction, ds *kg.Dataset) error {
	rows := make([]any, len(ds.Entities))
	for i, e := range ds.Entities {
		rows[i] = entityProps(e)
	}
	// SET n = row replaces every property, so a field removed from the
	// data is removed from the graph too.
	const mergeEntities = `UNWIND $rows AS row MERGE (n:Entity {id: row.id}) SET n = row`
	if err := s.batches(ctx, tx, mergeEntities, rows); err != nil {
		return err
	}

	byType := map[kg.RelType][]any{}
	for _, r := range ds.Relationships {
		byType[r.Type] = append(byType[r.Type], map[string]any{"from": r.From, "to": r.To, "props": relationshipProps(r)})
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, string(t))
	}
	sort.Strings(types)
	for _, t := range types {
		info, ok := kg.LookupRelType(t)
		if !ok { // Validate has already refused it; never splice an unknown type
			return errs.E("store.Write", errs.Invalid, fmt.Errorf("unknown relationship type %q", t))
		}
		mergeRels := fmt.Sprintf(`UNWIND $rows AS row
			MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to})
			MERGE (a)-[r:%s {id: row.props.id}]->(b) SET r = row.props
			SET r.validFrom = coalesce(r.startFirst, `+laterStart+`)`, info.Type)
		if err := s.batches(ctx, tx, mergeRels, byType[info.Type]); err != nil {
			return err
		}
	}
	return nil
}

// laterStart is the later of the two entities' starts: a relationship with
// no start of its own cannot hold before both its ends exist (an event
// cannot be answered before it happens).
const laterStart = `CASE WHEN a.startFirst IS NULL THEN b.startFirst
	WHEN b.startFirst IS NULL OR a.startFirst >= b.startFirst THEN a.startFirst
	ELSE b.startFirst END`

func (s *Store) batches(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, rows []any) error {
	for lo := 0; lo < len(rows); lo += batchSize {
		hi := min(lo+batchSize, len(rows))
		if _, err := s.query(ctx, tx, "store.Write", cypher, map[string]any{"rows": rows[lo:hi]}); err != nil {
			return err
		}
	}
	return nil
}

// IsEmpty reports whether the graph has no entities yet.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var empty bool
	err := s.read(ctx, "store.IsEmpty", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.IsEmpty", `MATCH (n:Entity) RETURN count(n) = 0 AS empty LIMIT 1`, nil)
		if err == nil && len(recs) == 1 {
			empty, _ = recs[0].Values[0].(bool)
		}
		return err
	})
	return empty, err
}

// WriteBulk writes a dataset too large for one transaction (a generated
// benchmark graph) in transactions of chunk items: entities first, then
// relationships. It validates the whole dataset first, but unlike Write it is
// not atomic: a failure part-way leaves part of it written. Never use it for
// what users send.
func (s *Store) WriteBulk(ctx context.Context, ds *kg.Dataset, chunk int) error {
	if err := validate("store.WriteBulk", ds); err != nil {
		return err
	}
	var parts []*kg.Dataset
	for lo := 0; lo < len(ds.Entities); lo += chunk {
		parts = append(parts, &kg.Dataset{Entities: ds.Entities[lo:min(lo+chunk, len(ds.Entities))]})
	}
	for lo := 0; lo < len(ds.Relationships); lo += chunk {
		parts = append(parts, &kg.Dataset{Relationships: ds.Relationships[lo:min(lo+chunk, len(ds.Relationships))]})
	}
	for _, part := range parts {
		err := s.write(ctx, "store.WriteBulk", func(tx neo4j.ManagedTransaction) error {
			return s.writeDataset(ctx, tx, part)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteAll removes every entity and relationship, in batches so that a
// large graph does not exceed one transaction's memory. Tests and the
// synthetic benchmark graph use it; the API never does.
func (s *Store) DeleteAll(ctx context.Context) error {
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite, DatabaseName: s.db})
	defer session.Close(ctx)
	// CALL … IN TRANSACTIONS commits as it goes, so it must run outside an
	// explicit transaction.
	for _, stmt := range []string{
		`MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS`,
		`MATCH (n:Entity) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS`,
	} {
		res, err := session.Run(ctx, stmt, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			return classify("store.DeleteAll", err)
		}
	}
	return nil
}
