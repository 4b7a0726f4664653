package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/export"
	"cyberkg/kg"
)

// ExportFilter selects what an export holds; zero fields select everything.
// Entities are those of Kinds, begun on or before AsOf, within Depth hops of
// Around (walking relationships that pass Types and AsOf); relationships
// are those of Types in force on AsOf whose two ends are both selected.
type ExportFilter struct {
	Around string
	Depth  int
	AsOf   kg.Date
	Kinds  []kg.Kind
	Types  []kg.RelType
}

// ExportSelection is a filter resolved against the graph, sized before a
// byte of the export is written, so that a too-large one can be refused.
type ExportSelection struct {
	filter ExportFilter
	ids    []string // the neighbourhood of Around, sorted; nil for the whole graph
	// Entities is what the selection costs: the entities reached by the walk
	// from Around (before Kinds narrows them), or the entities matching Kinds
	// and AsOf in the whole graph. When the walk stops at the budget, it is
	// max+1 and means "more than max".
	Entities int
}

// The records an export streams are the export package's own (export.Node,
// export.Edge, export.Ref): the formats read them as the store fills them.

// fullRelProjection is every field of relationship r: exports are lossless,
// whatever an API caller selected.
var fullRelProjection = relProjection(All)

// exportRelFilter keeps a relationship of one of $types (any, if null) in
// force on $asOf (any day, if null). Types are a parameter here, not spliced
// into the pattern as traversals do: an export reads every relationship of
// the selection once, so there are no hubs to skip.
const exportRelFilter = `($types IS NULL OR type(r) IN $types) AND ` + inForce

// hostile is the Cypher for export.Node.Hostile of the node variable v; v
// is always a constant of this file, never user input.
func hostile(v string) string {
	return fmt.Sprintf(`(EXISTS { (%[1]s)-[:TARGETED]->() } OR EXISTS { (%[1]s)<-[:ATTRIBUTED_TO]-() })`, v)
}

func ref(v string) string {
	return fmt.Sprintf(`[%[1]s.id, %[1]s.kind, %[1]s.name, %[2]s, %[1]s.start IS NOT NULL]`, v, hostile(v))
}

// entityWhere keeps the entities of $kinds begun on or before $asOf.
func entityWhere(v string) string {
	return fmt.Sprintf(`($kinds IS NULL OR %[1]s.kind IN $kinds) AND ($asOf IS NULL OR %[1]s.startFirst IS NULL OR %[1]s.startFirst <= $asOf)`, v)
}

func exportParams(f ExportFilter, ids []string) map[string]any {
	var kinds, types any
	if len(f.Kinds) > 0 {
		ks := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			ks[i] = string(k)
		}
		kinds = ks
	}
	if len(f.Types) > 0 {
		ts := make([]string, len(f.Types))
		for i, t := range f.Types {
			ts[i] = string(t)
		}
		types = ts
	}
	return map[string]any{"kinds": kinds, "types": types, "asOf": dateParam(f.AsOf), "ids": ids}
}

// SelectExport resolves f and counts its entities, stopping early once the
// count passes max: a neighbourhood walk never reads more than max+1
// entities' ids, whatever the graph's size.
func (s *Store) SelectExport(ctx context.Context, f ExportFilter, max int) (*ExportSelection, error) {
	sel := &ExportSelection{filter: f}
	if f.Around == "" {
		err := s.read(ctx, "store.SelectExport", func(tx neo4j.ManagedTransaction) error {
			recs, err := s.query(ctx, tx, "store.SelectExport",
				`MATCH (n:Entity) WHERE `+entityWhere("n")+` RETURN count(n)`, exportParams(f, nil))
			if err == nil {
				sel.Entities = int(recs[0].Values[0].(int64))
			}
			return err
		})
		return sel, err
	}
	if f.Depth < 1 || f.Depth > MaxExpandDepth {
		return nil, errs.Invalidf("depth must be between 1 and %d, got %d", MaxExpandDepth, f.Depth)
	}
	// Breadth first, one query per hop, each expanding only the previous
	// hop's new entities.
	seen := map[string]bool{}
	err := s.read(ctx, "store.SelectExport", func(tx neo4j.ManagedTransaction) error {
		clear(seen)
		recs, err := s.query(ctx, tx, "store.SelectExport", `MATCH (n:Entity {id: $id}) RETURN n.id`, map[string]any{"id": f.Around})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return errs.E("store.SelectExport", errs.NotFound, fmt.Errorf("no entity with id %q", f.Around))
		}
		seen[f.Around] = true
		frontier := []string{f.Around}
		params := exportParams(f, nil)
		for hop := 0; hop < f.Depth && len(frontier) > 0 && len(seen) <= max; hop++ {
			params["frontier"] = frontier
			recs, err := s.query(ctx, tx, "store.SelectExport", `UNWIND $frontier AS id
				MATCH (n:Entity {id: id})-[r]-(m:Entity) WHERE `+exportRelFilter+`
				WITH DISTINCT m.id AS id WHERE NOT id IN $frontier
				RETURN id`, params)
			if err != nil {
				return err
			}
			frontier = frontier[:0:0]
			for _, rec := range recs {
				id := rec.Values[0].(string)
				if !seen[id] {
					seen[id] = true
					frontier = append(frontier, id)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sel.Entities = min(len(seen), max+1)
	sel.ids = make([]string, 0, len(seen))
	for id := range seen {
		sel.ids = append(sel.ids, id)
	}
	slices.Sort(sel.ids)
	return sel, nil
}

// ExportSinks take what an export streams, record by record; a nil one
// skips its query. Change and Version take the change log and every
// recorded version, and only an export of the whole graph fills them.
type ExportSinks struct {
	Entity       func(export.Node) error
	Relationship func(export.Edge) error
	Change       func(kg.Change) error
	Version      func(kg.VersionRecord) error
}

// StreamExport reads the selection's entities (by id), then its
// relationships (by their from entity's id, then their own id), then, for
// the whole graph, the change log (by seq) and the versions (by target and
// version), calling the sinks record by record as Neo4j sends them: the
// server holds one record at a time, whatever the selection's size. It runs
// in one read transaction, so the log and the graph agree, with timeout
// rather than the store's per-query one, since a large export takes as
// long as the client takes to read it. A sink's error stops it.
func (s *Store) StreamExport(ctx context.Context, sel *ExportSelection, timeout time.Duration, sinks ExportSinks) error {
	const op = "store.StreamExport"
	entity, rel := sinks.Entity, sinks.Relationship
	params := exportParams(sel.filter, sel.ids)
	nodes := `MATCH (n:Entity) WHERE ` + entityWhere("n")
	if sel.ids != nil {
		nodes = `UNWIND $ids AS id MATCH (n:Entity {id: id}) WHERE ` + entityWhere("n")
	}
	entities := nodes + ` WITH n ORDER BY n.id
		RETURN n{.*} AS n, ` + hostile("n") + ` AS hostile,
			CASE WHEN n.kind = 'REPORT' THEN [(n)--(m:Entity) | ` + ref("m") + `] ELSE [] END AS neighbours`
	ends := `m.id IN $ids AND `
	if sel.ids == nil {
		ends = ``
	}
	relationships := nodes + ` WITH n ORDER BY n.id
		CALL (n) {
			MATCH (n)-[r]->(m:Entity) WHERE ` + ends + entityWhere("m") + ` AND ` + exportRelFilter + `
			RETURN r, m ORDER BY r.id
		}
		RETURN ` + fullRelProjection + ` AS r, ` + ref("n") + ` AS a, ` + ref("m") + ` AS b`

	session := s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead, DatabaseName: s.db})
	defer session.Close(ctx)
	// An explicit transaction, not a managed one: a managed one would be
	// retried, and what was streamed cannot be taken back.
	tx, err := session.BeginTransaction(ctx, neo4j.WithTxTimeout(timeout))
	if err != nil {
		return classify(ctx, op, err)
	}
	defer tx.Close(ctx)
	stream := func(cypher string, each func(*neo4j.Record) error) error {
		start := time.Now()
		res, err := tx.Run(ctx, cypher, params)
		if err == nil {
			for res.Next(ctx) {
				if err = each(res.Record()); err != nil {
					return err // the caller's own error: the client has gone, say
				}
			}
			err = res.Err()
		}
		s.observe(op, time.Since(start), err)
		return classify(ctx, op, err)
	}
	if entity != nil {
		err = stream(entities, func(rec *neo4j.Record) error {
			e := export.Node{Entity: entityFrom(rec.Values[0].(map[string]any)), Hostile: rec.Values[1].(bool)}
			for _, v := range rec.Values[2].([]any) {
				e.Neighbours = append(e.Neighbours, refFrom(v))
			}
			slices.SortFunc(e.Neighbours, func(a, b export.Ref) int { return strings.Compare(a.ID, b.ID) })
			e.Neighbours = slices.CompactFunc(e.Neighbours, func(a, b export.Ref) bool { return a.ID == b.ID })
			return entity(e)
		})
		if err != nil {
			return err
		}
	}
	if rel != nil {
		err = stream(relationships, func(rec *neo4j.Record) error {
			return rel(export.Edge{
				Relationship: relationshipFrom(rec.Values[0].(map[string]any)),
				FromRef:      refFrom(rec.Values[1]),
				ToRef:        refFrom(rec.Values[2]),
			})
		})
		if err != nil {
			return err
		}
	}
	whole := sel.ids == nil && sel.filter.AsOf.IsZero() && len(sel.filter.Kinds) == 0 && len(sel.filter.Types) == 0
	if !whole {
		return nil
	}
	if sinks.Change != nil {
		err = stream(`MATCH (c:Change) RETURN c{.*} ORDER BY c.seq`, func(rec *neo4j.Record) error {
			c, err := changeFrom(rec.Values[0].(map[string]any))
			if err != nil {
				return errs.E(op, errs.Internal, err)
			}
			return sinks.Change(c)
		})
		if err != nil {
			return err
		}
	}
	if sinks.Version == nil {
		return nil
	}
	return stream(`MATCH (v:Version) RETURN v{.*} ORDER BY v.target, v.version`, func(rec *neo4j.Record) error {
		v, err := versionRecordFrom(rec.Values[0].(map[string]any))
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		return sinks.Version(v)
	})
}

func refFrom(v any) export.Ref {
	l := v.([]any)
	return export.Ref{ID: str(l[0]), Kind: kg.Kind(str(l[1])), Name: str(l[2]), Hostile: l[3].(bool), Dated: l[4].(bool)}
}
