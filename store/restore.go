package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// A graph's record-time past travels with its export (kg.History): the
// change log and every (:Version). An import into a database that holds
// nothing — no entity, no version, no change — restores it as it was:
// the same changes (ids, seqs, times, actors, reasons, items), the same
// versions, Head at the last seq, and each live target's version
// bookkeeping, so that history, the changes connection and recordedAt
// reads answer after the import as they did before the export. Such an
// import adds no change of its own: the log it restores is the graph's.
// Into a database with a log of its own, the file's log would interleave
// with another past, so ApplyDataset leaves it out and writes the data as
// one change set of that log.

// versionRecordFrom reads a (:Version) node whole, its state included.
func versionRecordFrom(v map[string]any) (kg.VersionRecord, error) {
	out := kg.VersionRecord{Version: versionFrom(v), Ends: strs(v["ends"]), RelType: kg.RelType(str(v["relType"])), Origin: str(v["origin"])}
	var st versionState
	if err := json.Unmarshal([]byte(str(v["state"])), &st); err != nil {
		return out, fmt.Errorf("version %s: %w", str(v["key"]), err)
	}
	out.Entity, out.Relationship = st.Entity, st.Relationship
	return out, nil
}

// versionRow is a kg.VersionRecord as a (:Version) node's properties.
func versionRow(v kg.VersionRecord) (map[string]any, error) {
	b, err := json.Marshal(versionState{Entity: v.Entity, Relationship: v.Relationship})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"key": fmt.Sprintf("%s@%d", v.Target, v.Version.Version), "target": v.Target, "kind": string(v.Kind), "version": v.Version.Version,
		"from": timeOrNil(v.RecordedAt), "to": timeOrNil(v.Superseded), "changeId": v.ChangeID,
		"actorId": v.Actor.ID, "actorName": v.Actor.Name, "actorRole": roleText(v.Actor.Role),
		"reason": v.Reason, "op": string(v.Op), "fields": nonNil(v.Fields), "retracted": v.Retracted, "state": string(b),
		"ends": nonNil(v.Ends), "relType": string(v.RelType), "origin": v.Origin,
	}, nil
}

// roleText is a role as the log stores it: "" for no role (a load's
// versions), which ParseRole reads back as anonymous.
func roleText(r kg.Role) string {
	if r == kg.RoleAnonymous {
		return ""
	}
	return r.String()
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// blank is true for a database that holds nothing, not even a change log:
// what a log can be restored into.
func (s *Store) blank(ctx context.Context) (bool, error) {
	var empty bool
	err := s.read(ctx, "store.ApplyDataset", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.ApplyDataset", `RETURN NOT EXISTS { (:Entity) } AND NOT EXISTS { (:Version) }
			AND NOT EXISTS { (:Change) } AND NOT EXISTS { MATCH (g:GraphState) WHERE g.version > 0 }`, nil)
		if err == nil && len(recs) == 1 {
			empty, _ = recs[0].Values[0].(bool)
		}
		return err
	})
	return empty, err
}

// restoreHistory writes a history into the last transaction of a Load: the
// versions, the changes, Head, and the bookkeeping of the live targets and
// sources that the versions and changes say.
func (s *Store) restoreHistory(ctx context.Context, tx neo4j.ManagedTransaction, op string, h *kg.History) error {
	versions := make([]any, 0, len(h.Versions))
	current := map[kg.TargetKind][]any{}
	byType := map[kg.RelType][]any{}
	for _, v := range h.Versions {
		row, err := versionRow(v)
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		versions = append(versions, row)
		if v.Superseded.IsZero() && !v.Retracted && !v.RecordedAt.IsZero() {
			bk := map[string]any{"id": v.Target, "version": v.Version.Version, "at": v.RecordedAt, "change": v.ChangeID, "origin": v.Origin}
			if v.Kind == kg.TargetRelationship && v.Relationship != nil {
				byType[v.Relationship.Type] = append(byType[v.Relationship.Type], bk)
			} else {
				current[v.Kind] = append(current[v.Kind], bk)
			}
		}
	}
	if err := s.batches(ctx, tx, `UNWIND $rows AS v CREATE (x:Version) SET x = v`, versions); err != nil {
		return err
	}
	changes := make([]any, 0, len(h.Changes))
	var head int64
	var sources []any
	for _, c := range h.Changes {
		row, err := changeRow(c)
		if err != nil {
			return errs.E(op, errs.Internal, err)
		}
		changes = append(changes, row)
		head = max(head, c.Seq)
		for _, it := range c.Items {
			if it.Kind == kg.TargetSource && it.Op == kg.OpCreate {
				sources = append(sources, map[string]any{"id": it.Target, "at": c.At, "change": c.ID})
			}
		}
	}
	if err := s.batches(ctx, tx, `UNWIND $rows AS c CREATE (x:Change) SET x = c`, changes); err != nil {
		return err
	}
	const set = ` SET n.version = row.version, n.recordedFrom = row.at, n.changeId = row.change, n.origin = row.origin`
	if err := s.batches(ctx, tx, `UNWIND $rows AS row MATCH (n:Entity {id: row.id})`+set, current[kg.TargetEntity]); err != nil {
		return err
	}
	for t, rows := range byType {
		info, ok := kg.LookupRelType(string(t))
		if !ok { // never splice an unknown type
			return errs.E(op, errs.Invalid, fmt.Errorf("version of a relationship of unknown type %q", t))
		}
		if err := s.batches(ctx, tx, `UNWIND $rows AS row MATCH (:Entity)-[n:`+string(info.Type)+` {id: row.id}]->(:Entity)`+set, rows); err != nil {
			return err
		}
	}
	if err := s.batches(ctx, tx, `UNWIND $rows AS row MATCH (s:Source {id: row.id}) SET s.recordedFrom = row.at, s.changeId = row.change`, sources); err != nil {
		return err
	}
	_, err := s.query(ctx, tx, op, `MERGE (g:GraphState {key: 'graph'}) SET g.version = $head`, map[string]any{"head": head})
	return err
}

// Erase empties the database of the graph and its past: DeleteAll, and the
// change log and Head too, a database as new, into which an import
// restores the log its file carries. Head goes back, so a response cache
// keyed on it could answer from before: erase only a database no server
// is serving.
func (s *Store) Erase(ctx context.Context) error {
	if err := s.DeleteAll(ctx); err != nil {
		return err
	}
	session := s.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite, DatabaseName: s.db})
	defer session.Close(ctx)
	res, err := session.Run(ctx, `MATCH (n) WHERE n:Change OR n:GraphState CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS`, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return classify(ctx, "store.Erase", err)
}
