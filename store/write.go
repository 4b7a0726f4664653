package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// batchSize is the rows one UNWIND statement carries.
const batchSize = 1000

// Write validates a dataset and merges it into the graph in one transaction
// that records it in the change log: all of it is written, or, on any
// error, nothing. Merging by id makes it idempotent: writing the same
// dataset twice leaves the same graph (and a second change).
func (s *Store) Write(ctx context.Context, ds *kg.Dataset) error {
	if err := validate("store.Write", ds); err != nil {
		return err
	}
	_, err := s.change(ctx, "store.Write", kg.ActorFromContext(ctx), loadReason(ds), OriginOf(ctx), func(tx neo4j.ManagedTransaction, p *pending) error {
		p.addLoad(ds)
		return s.writeDataset(ctx, tx, ds)
	})
	return err
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
	_, err := s.change(ctx, "store.Replace", kg.ActorFromContext(ctx), loadReason(ds), OriginOf(ctx), func(tx neo4j.ManagedTransaction, p *pending) error {
		deleteStale := []struct {
			cypher string
			keep   []string
		}{
			{`MATCH (a:Entity)-[r]->(b:Entity)
			  WHERE NOT type(r) + '|' + r.id + '|' + a.id + '|' + b.id IN $keep
			  WITH r, r.id AS id, type(r) AS type, [a.id, b.id] AS ends DELETE r RETURN id, type, ends`, relKeys},
			{`MATCH (n:Entity) WHERE NOT n.id IN $keep WITH n, n.id AS id DETACH DELETE n RETURN id, '', [id]`, entityIDs},
		}
		for _, d := range deleteStale {
			recs, err := s.query(ctx, tx, "store.Replace", d.cypher, map[string]any{"keep": d.keep})
			if err != nil {
				return err
			}
			for _, rec := range recs {
				it := kg.ChangeItem{Op: kg.OpRetract, Kind: kg.TargetEntity, Target: str(rec.Values[0]), Entities: strs(rec.Values[2])}
				if t := str(rec.Values[1]); t != "" {
					it.Kind, it.RelType = kg.TargetRelationship, kg.RelType(t)
				}
				p.add(it)
			}
		}
		p.addLoad(ds)
		return s.writeDataset(ctx, tx, ds)
	})
	return err
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
		rows[i] = EntityProps(e)
	}
	// SET n = row replaces every property, so a field removed from the
	// data is removed from the graph too.
	const mergeEntities = `UNWIND $rows AS row MERGE (n:Entity {id: row.id}) SET n = row, n.nameKey = toLower(row.name)`
	if err := s.batches(ctx, tx, mergeEntities, rows); err != nil {
		return err
	}
	if err := s.batches(ctx, tx, mergeSources, sourceRows(ds)); err != nil {
		return err
	}

	starts := EntityStarts(ds)
	byType := map[kg.RelType][]any{}
	for _, r := range ds.Relationships {
		byType[r.Type] = append(byType[r.Type], relationshipRow(r, starts))
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
			MERGE (a)-[r:%s {id: row.props.id}]->(b) SET r = row.props`, info.Type)
		if err := s.batches(ctx, tx, mergeRels, byType[info.Type]); err != nil {
			return err
		}
	}
	return nil
}

// relationshipRow is what the write statements take for one relationship:
// its ends' ids and its properties.
func relationshipRow(r kg.Relationship, starts map[string]kg.Date) map[string]any {
	return map[string]any{"from": r.From, "to": r.To, "props": RelationshipProps(r, starts)}
}

// RelationshipProps are the properties Load writes for a relationship
// (RelationshipProperties lists them): its own, and validFrom, the day from
// which it holds for asOf: its own start, or else the later of its ends'
// starts, since a relationship cannot hold before both its ends exist (an
// event cannot be answered before it happens). starts holds the dataset's
// entity starts (EntityStarts).
func RelationshipProps(r kg.Relationship, starts map[string]kg.Date) map[string]any {
	props := relationshipProps(r)
	from := r.Start
	if from.IsZero() {
		a, b := starts[r.From], starts[r.To]
		from = a
		if a.IsZero() || (!b.IsZero() && b.First().After(a.First())) {
			from = b
		}
	}
	if !from.IsZero() {
		props["validFrom"] = neo4j.DateOf(from.First())
	}
	return props
}

// EntityStarts are the starts of a dataset's entities that have one, by id.
func EntityStarts(ds *kg.Dataset) map[string]kg.Date {
	starts := make(map[string]kg.Date, len(ds.Entities))
	for _, e := range ds.Entities {
		if !e.Start.IsZero() {
			starts[e.ID] = e.Start
		}
	}
	return starts
}

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

// loadChunk is the rows one Load transaction carries: large enough that
// commits are rare, small enough to stay far below the transaction memory
// limit (db.memory.transaction.max).
var loadChunk = 20_000 // a var: tests make it small to load in many transactions

// Load writes a dataset into an empty graph, the fast way: it CREATEs
// instead of MERGEing, since there is nothing to merge with (a MERGE of a
// relationship walks the relationship chains of its ends, which for hubs is
// most of the cost). It refuses a graph that is not empty. A dataset of up
// to loadChunk items is one transaction. A larger one is written in
// transactions of loadChunk items, and if any fails the graph is emptied
// again, which is where it started: all of it is written, or none. Readers
// may see it half-written while it loads. `server seed` and `server import`
// use it whenever the graph is empty, and the benchmarks for their graphs.
func (s *Store) Load(ctx context.Context, ds *kg.Dataset) error { return s.load(ctx, ds, nil) }

// load is Load, restoring the history restore instead of recording a
// change when it is not nil (restore.go).
func (s *Store) load(ctx context.Context, ds *kg.Dataset, restore *kg.History) error {
	if err := validate("store.Load", ds); err != nil {
		return err
	}
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return errs.E("store.Load", errs.Invalid, errors.New("the graph is not empty"))
	}
	parts := loadParts(ds)
	run := func(part func() []loadStatement, record bool) error {
		stmts := part()
		return s.write(ctx, "store.Load", func(tx neo4j.ManagedTransaction) error {
			var p *pending
			if record && restore != nil { // the last restores the log the dataset carries
				for _, st := range stmts {
					if _, err := s.query(ctx, tx, "store.Load", st.cypher, map[string]any{"rows": st.rows}); err != nil {
						return err
					}
				}
				if _, err := s.query(ctx, tx, "store.Load", mergeSources, map[string]any{"rows": sourceRows(ds)}); err != nil {
					return err
				}
				if err := s.restoreHistory(ctx, tx, "store.Load", restore); err != nil {
					return err
				}
				return s.failAfterWrite("store.Load")
			}
			if record { // the last transaction records the load in the change log
				var err error
				if p, err = s.lockGraph(ctx, tx, "store.Load", kg.ActorFromContext(ctx), loadReason(ds), OriginOf(ctx)); err != nil {
					return err
				}
			}
			for _, st := range stmts {
				if _, err := s.query(ctx, tx, "store.Load", st.cypher, map[string]any{"rows": st.rows}); err != nil {
					return err
				}
			}
			if p == nil {
				return nil
			}
			if _, err := s.query(ctx, tx, "store.Load", mergeSources, map[string]any{"rows": sourceRows(ds)}); err != nil {
				return err
			}
			p.Items = loadItems(ds)
			if err := s.appendChange(ctx, tx, "store.Load", p); err != nil {
				return err
			}
			return s.failAfterWrite("store.Load")
		})
	}
	for i, part := range parts {
		if err := run(part, i == len(parts)-1); err != nil {
			if i == 0 { // rolled back: nothing was written
				return err
			}
			if derr := s.DeleteAll(context.WithoutCancel(ctx)); derr != nil {
				return errs.E("store.Load", errs.Internal, fmt.Errorf("%w; emptying the half-loaded graph failed too: %v", err, derr))
			}
			return err
		}
	}
	return nil
}

// loadParts splits a dataset into transactions of at most loadChunk items,
// made only when each runs (a million entities' rows at once would take
// gigabytes): entities first, as relationships look their ends up, then the
// relationships grouped by type, which the pattern must name.
func loadParts(ds *kg.Dataset) []func() []loadStatement {
	rels := slices.Clone(ds.Relationships)
	slices.SortStableFunc(rels, func(a, b kg.Relationship) int { return strings.Compare(string(a.Type), string(b.Type)) })
	n, m := len(ds.Entities), len(rels)
	starts := EntityStarts(ds)
	var parts []func() []loadStatement
	for lo := 0; lo < n+m; lo += loadChunk {
		hi := min(lo+loadChunk, n+m)
		parts = append(parts, func() []loadStatement {
			var out []loadStatement
			add := func(cypher string, row any) {
				if len(out) == 0 || out[len(out)-1].cypher != cypher || len(out[len(out)-1].rows) == loadBatch {
					out = append(out, loadStatement{cypher: cypher})
				}
				out[len(out)-1].rows = append(out[len(out)-1].rows, row)
			}
			for i := lo; i < hi; i++ {
				if i < n {
					add(createEntities, EntityProps(ds.Entities[i]))
					continue
				}
				r := rels[i-n]
				add(createRelationships[r.Type], relationshipRow(r, starts))
			}
			return out
		})
	}
	return parts
}

// maxLoggedItems bounds the items the change log records of one load: a
// million-entity import is recorded as one change without its items (its
// reason says what it held), not as a string of hundreds of megabytes.
const maxLoggedItems = 20_000

func loadReason(ds *kg.Dataset) string {
	return fmt.Sprintf("load %d entities and %d relationships", len(ds.Entities), len(ds.Relationships))
}

// addLoad records the items of a dataset merged into the graph, or, for
// one too large to list, the change without them.
func (p *pending) addLoad(ds *kg.Dataset) {
	items := loadItems(ds)
	p.unlisted = p.unlisted || items == nil
	for _, it := range items {
		it.Op = kg.OpUpdate
		p.add(it)
	}
}

// loadItems are the change log's items for a load into an empty graph.
func loadItems(ds *kg.Dataset) []kg.ChangeItem {
	if len(ds.Entities)+len(ds.Relationships) > maxLoggedItems {
		return nil
	}
	items := make([]kg.ChangeItem, 0, len(ds.Entities)+len(ds.Relationships))
	for _, e := range ds.Entities {
		items = append(items, kg.ChangeItem{Op: kg.OpCreate, Kind: kg.TargetEntity, Target: e.ID, Version: 1, Entities: []string{e.ID}})
	}
	for _, r := range ds.Relationships {
		items = append(items, kg.ChangeItem{Op: kg.OpCreate, Kind: kg.TargetRelationship, Target: r.ID, Version: 1, Entities: []string{r.From, r.To}, RelType: r.Type})
	}
	return items
}

// loadStatement is one UNWIND statement of a Load and its rows.
type loadStatement struct {
	cypher string
	rows   []any
}

// loadBatch is the rows one Load statement carries.
const loadBatch = 5_000

const createEntities = `UNWIND $rows AS row CREATE (n:Entity) SET n = row, n.nameKey = toLower(row.name)`

// createRelationships holds, per type of the closed vocabulary, the
// statement that creates relationships of that type.
var createRelationships = func() map[kg.RelType]string {
	m := map[kg.RelType]string{}
	for _, t := range kg.RelTypes {
		m[t.Type] = fmt.Sprintf(`UNWIND $rows AS row
			MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to})
			CREATE (a)-[r:%s]->(b) SET r = row.props`, t.Type)
	}
	return m
}()

// DeleteAll removes every entity, relationship, version and source, in batches so that a
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
		// and their history and sources: a graph loaded afresh starts its
		// versions afresh (the change log and Head go on, so a cache keyed
		// on Head never answers from before)
		`MATCH (n) WHERE n:Version OR n:Source CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS`,
	} {
		res, err := session.Run(ctx, stmt, nil)
		if err == nil {
			_, err = res.Consume(ctx)
		}
		if err != nil {
			return classify(ctx, "store.DeleteAll", err)
		}
	}
	return s.bump(ctx, "store.DeleteAll")
}
