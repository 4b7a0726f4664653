package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// ApplyDataset writes a whole dataset — the seed, an import — as one change
// of the log: its diff against the graph, not a wipe. Into an empty graph it
// is a Load; into a database with no log either, a dataset that carries
// its history (an export's) restores it instead, and adds no change. With owned, it changes only what origin contributed: a target
// whose current version another origin wrote (a curator's edit or
// retraction, an entity a curator added) is left as it is.
func (s *Store) ApplyDataset(ctx context.Context, ds *kg.Dataset, origin string, owned bool) (kg.Change, error) {
	const op = "store.ApplyDataset"
	actor := kg.ActorFromContext(ctx)
	if err := authorize(op, actor, kg.RoleAdmin); err != nil {
		return kg.Change{}, err
	}
	if err := validate(op, ds); err != nil {
		return kg.Change{}, err
	}
	ctx = WithOrigin(ctx, origin)
	var restore *kg.History
	if ds.History != nil && len(ds.History.Changes) > 0 {
		// A log restores only into a database with none of its own (restore.go).
		blank, err := s.blank(ctx)
		if err != nil {
			return kg.Change{}, err
		}
		if blank {
			restore = ds.History
		}
	}
	empty, err := s.neverWritten(ctx)
	if err != nil {
		return kg.Change{}, err
	}
	if empty {
		if err := s.load(ctx, ds, restore); err != nil {
			return kg.Change{}, err
		}
		head, err := s.Head(ctx)
		if err != nil {
			return kg.Change{}, err
		}
		c, _, err := s.ChangeByID(ctx, changeID(head))
		return c, err
	}
	return s.change(ctx, op, actor, loadReason(ds), origin, func(tx neo4j.ManagedTransaction, p *pending) error {
		return s.applyDiff(ctx, tx, op, p, ds, origin, owned)
	})
}

// neverWritten is true for a graph with no entities and no history: the
// fast path of a load fits it.
func (s *Store) neverWritten(ctx context.Context) (bool, error) {
	var empty bool
	err := s.read(ctx, "store.ApplyDataset", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.ApplyDataset", `RETURN NOT EXISTS { (:Entity) } AND NOT EXISTS { (:Version) }`, nil)
		if err == nil && len(recs) == 1 {
			empty, _ = recs[0].Values[0].(bool)
		}
		return err
	})
	return empty, err
}

func (s *Store) applyDiff(ctx context.Context, tx neo4j.ManagedTransaction, op string, p *pending, ds *kg.Dataset, origin string, owned bool) error {
	mine := func(o any) bool { return !owned || o == nil || o == origin || o == "load" }

	liveE := map[string]current{}
	ownE := map[string]bool{}
	recs, err := s.query(ctx, tx, op, `MATCH (n:Entity)
		RETURN n{.*} AS n, EXISTS { (:Version {target: n.id}) } AS versioned`, nil)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		n := rec.Values[0].(map[string]any)
		e := entityFrom(n)
		liveE[e.ID] = current{kind: kg.TargetEntity, version: versionOf(n), live: true, entity: e, legacy: rec.Values[1] != true}
		ownE[e.ID] = mine(n["origin"])
	}
	liveR := map[string]current{}
	ownR := map[string]bool{}
	recs, err = s.query(ctx, tx, op, `MATCH (a:Entity)-[r]->(b:Entity)
		RETURN r{.*, type: type(r), from: a.id, to: b.id} AS r, EXISTS { (:Version {target: r.id}) } AS versioned`, nil)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		m := rec.Values[0].(map[string]any)
		r := relationshipFrom(m)
		liveR[r.ID] = current{kind: kg.TargetRelationship, version: versionOf(m), live: true, rel: r, legacy: rec.Values[1] != true}
		ownR[r.ID] = mine(m["origin"])
	}
	// Targets retracted now: by whom decides whether the dataset may bring
	// them back.
	retracted := map[string]current{}
	ownRetraction := map[string]bool{}
	recs, err = s.query(ctx, tx, op, `MATCH (v:Version) WHERE v.to IS NULL AND v.retracted
		RETURN v.target, v.kind, v.version, v.state, v.origin`, nil)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		c := current{kind: kg.TargetKind(str(rec.Values[1])), version: int(num(rec.Values[2])), retracted: true}
		var st versionState
		if err := json.Unmarshal([]byte(str(rec.Values[3])), &st); err != nil {
			return errs.E(op, errs.Internal, fmt.Errorf("version of %s: %w", str(rec.Values[0]), err))
		}
		if st.Entity != nil {
			c.entity = *st.Entity
		}
		if st.Relationship != nil {
			c.rel = *st.Relationship
		}
		retracted[str(rec.Values[0])] = c
		ownRetraction[str(rec.Values[0])] = mine(rec.Values[4])
	}

	wantE := map[string]bool{}
	for _, e := range ds.Entities {
		wantE[e.ID] = true
	}
	wantR := map[string]bool{}
	for _, r := range ds.Relationships {
		wantR[r.ID] = true
	}
	// 1. Relationships the dataset no longer holds.
	for id, c := range liveR {
		if !wantR[id] && ownR[id] {
			if _, err := s.putRelationship(ctx, tx, op, p, c, nil, nil, kg.OpRetract, nil); err != nil {
				return err
			}
			delete(liveR, id)
		}
	}
	// 2. Entities, new or changed.
	for _, e := range ds.Entities {
		e := e
		if c, ok := liveE[e.ID]; ok {
			if !ownE[e.ID] {
				continue
			}
			if fields := entityFieldsChanged(c.entity, e); len(fields) > 0 {
				if _, err := s.putEntity(ctx, tx, op, p, c, &e, kg.OpUpdate, fields); err != nil {
					return err
				}
			}
			continue
		}
		c, was := retracted[e.ID]
		if was && !ownRetraction[e.ID] {
			continue // a curator retracted it: that stands
		}
		if !was {
			c = current{}
		}
		if _, err := s.putEntity(ctx, tx, op, p, c, &e, kg.OpCreate, nil); err != nil {
			return err
		}
		liveE[e.ID] = current{kind: kg.TargetEntity, live: true, entity: e}
	}
	// 3. Relationships, new or changed, between entities that are live.
	for _, r := range ds.Relationships {
		r := r
		if _, ok := liveE[r.From]; !ok {
			continue
		}
		if _, ok := liveE[r.To]; !ok {
			continue
		}
		if c, ok := liveR[r.ID]; ok {
			if !ownR[r.ID] {
				continue
			}
			if fields := relFieldsChanged(c.rel, r); len(fields) > 0 {
				if _, err := s.putRelationship(ctx, tx, op, p, c, &r, nil, kg.OpUpdate, fields); err != nil {
					return err
				}
			}
			continue
		}
		c, was := retracted[r.ID]
		if was && !ownRetraction[r.ID] {
			continue
		}
		if !was {
			c = current{}
		}
		if _, err := s.putRelationship(ctx, tx, op, p, c, &r, nil, kg.OpCreate, nil); err != nil {
			return err
		}
	}
	// 4. Entities the dataset no longer holds, with what is left of their
	// relationships.
	for id, c := range liveE {
		if !wantE[id] && ownE[id] {
			if _, err := s.retract(ctx, tx, op, p, c, kg.OpRetract); err != nil {
				return err
			}
		}
	}
	_, err = s.query(ctx, tx, op, mergeSources, map[string]any{"rows": sourceRows(ds)})
	return err
}
