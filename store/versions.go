package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/errs"
	"cyberkg/kg"
)

// Versions and record time. The live graph — (:Entity) nodes and their
// relationships — holds each target's current version, with its number
// (version), when the graph learned it (recordedFrom), the change that made
// it (changeId) and that change's origin. Every version, current or
// superseded, is also a (:Version) node: the target's whole state as JSON,
// when it was recorded (from) and superseded (to), and who, why and what.
// Nothing is overwritten: a change supersedes the current version and adds
// one. A retraction is a last version marked retracted: the target leaves
// the live graph, so that every default read leaves it out, and keeps its
// history, its reason and its state, which recordedAt reads and revertChange
// read back.
//
// A target written by a load (Load, the offline importer) has no (:Version)
// yet: it has held its state since before record time began, and its first
// change archives that state as version 1.

// versionState is what a (:Version) holds of its target.
type versionState struct {
	Entity       *kg.Entity       `json:"entity,omitempty"`
	Relationship *kg.Relationship `json:"relationship,omitempty"`
}

// current is a target as a change finds it: live, retracted (a last
// version marked so) or absent.
type current struct {
	kind      kg.TargetKind
	version   int // 0: absent
	live      bool
	legacy    bool // live with no (:Version): written by a load
	entity    kg.Entity
	rel       kg.Relationship
	retracted bool
	seen      int // the newest (:Version)'s number found, 0 for none: what a late change checks again
}

// findTarget finds an entity or relationship by id, live or retracted.
// relType narrows a relationship lookup when the caller knows it.
func (s *Store) findTarget(ctx context.Context, tx neo4j.ManagedTransaction, op, id string, relType kg.RelType) (current, error) {
	// With a known type, the live relationship is looked up in the same
	// round trip: one fewer per write of a relationship.
	typed := `[]`
	if info, ok := kg.LookupRelType(string(relType)); ok {
		typed = `COLLECT { MATCH (a:Entity)-[r:` + string(info.Type) + ` {id: $id}]->(b:Entity) RETURN r{.*, type: type(r), from: a.id, to: b.id} LIMIT 1 }`
	}
	recs, err := s.query(ctx, tx, op, `OPTIONAL MATCH (n:Entity {id: $id})
		RETURN n{.*} AS n, COLLECT { MATCH (v:Version {target: $id}) RETURN v{.*} ORDER BY v.version DESC LIMIT 1 } AS v, `+typed+` AS r`,
		map[string]any{"id": id})
	if err != nil {
		return current{}, err
	}
	var c current
	var v map[string]any
	if len(recs) == 1 {
		if rs, _ := recs[0].Values[2].([]any); len(rs) == 1 {
			if vs, _ := recs[0].Values[1].([]any); len(vs) == 1 {
				v, _ = vs[0].(map[string]any)
			}
			p := rs[0].(map[string]any)
			return current{kind: kg.TargetRelationship, version: versionOf(p), live: true, rel: relationshipFrom(p), legacy: v == nil, seen: seenOf(v)}, nil
		}
		if vs, _ := recs[0].Values[1].([]any); len(vs) == 1 {
			v, _ = vs[0].(map[string]any)
		}
		if n, ok := recs[0].Values[0].(map[string]any); ok {
			c = current{kind: kg.TargetEntity, version: versionOf(n), live: true, entity: entityFrom(n), legacy: v == nil, seen: seenOf(v)}
			return c, nil
		}
	}
	if v == nil && typed != `[]` {
		return c, nil // neither an entity nor a relationship of that type, and never was
	}
	if v != nil {
		var st versionState
		if err := json.Unmarshal([]byte(str(v["state"])), &st); err != nil {
			return c, errs.E(op, errs.Internal, fmt.Errorf("version of %s: %w", id, err))
		}
		c = current{kind: kg.TargetKind(str(v["kind"])), version: int(num(v["version"])), retracted: v["retracted"] == true, seen: seenOf(v)}
		if st.Entity != nil {
			c.entity = *st.Entity
		}
		if st.Relationship != nil {
			c.rel = *st.Relationship
			relType = c.rel.Type
		}
		if c.kind == kg.TargetEntity || c.retracted {
			return c, nil
		}
	}
	// A relationship: by its type when known, else from an id of the
	// default form, else (a loaded graph's first change of it) by scan.
	known := relType != ""
	types := []kg.RelType{}
	if known {
		types = append(types, relType)
	} else if parts := strings.Split(id, "--"); len(parts) == 3 {
		if info, ok := kg.LookupRelType(strings.ToUpper(strings.ReplaceAll(parts[1], "-", "_"))); ok {
			types = append(types, info.Type)
		}
	}
	label, err := typeLabel(types)
	if err != nil {
		return c, err
	}
	recs, err = s.query(ctx, tx, op, `MATCH (a:Entity)-[r`+label+` {id: $id}]->(b:Entity)
		RETURN r{.*, type: type(r), from: a.id, to: b.id} LIMIT 1`, map[string]any{"id": id})
	if err != nil {
		return c, err
	}
	if len(recs) == 0 && label != "" && !known && v == nil { // an id of the default form may still be of another type
		recs, err = s.query(ctx, tx, op, `MATCH (a:Entity)-[r]->(b:Entity) WHERE r.id = $id
			RETURN r{.*, type: type(r), from: a.id, to: b.id} LIMIT 1`, map[string]any{"id": id})
		if err != nil {
			return c, err
		}
	}
	if len(recs) == 1 {
		p := recs[0].Values[0].(map[string]any)
		return current{kind: kg.TargetRelationship, version: versionOf(p), live: true, rel: relationshipFrom(p), legacy: v == nil, seen: seenOf(v)}, nil
	}
	return c, nil
}

// seenOf is the number of the newest (:Version) found, or 0.
func seenOf(v map[string]any) int {
	if v == nil {
		return 0
	}
	return int(num(v["version"]))
}

// recordVersion supersedes the target's current version (archiving a
// loaded target's state as version 1 first) and records the next one:
// state, or a retraction of what the target last held.
func (s *Store) recordVersion(ctx context.Context, tx neo4j.ManagedTransaction, op string, p *pending, cur current, next versionState, item kg.ChangeItem, retracted bool) error {
	if cur.legacy {
		old := versionState{}
		if cur.kind == kg.TargetEntity {
			e := cur.entity
			old.Entity = &e
		} else {
			r := cur.rel
			old.Relationship = &r
		}
		if err := s.createVersion(op, p, kg.ChangeItem{Op: kg.OpCreate, Kind: cur.kind, Target: item.Target, Version: 1, Entities: item.Entities, RelType: item.RelType}, old, false, true); err != nil {
			return err
		}
	}
	return s.createVersion(op, p, item, next, retracted, false)
}

func (s *Store) createVersion(op string, p *pending, item kg.ChangeItem, st versionState, retracted bool, legacy bool) error {
	b, err := json.Marshal(st)
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	v := map[string]any{
		"key": fmt.Sprintf("%s@%d", item.Target, item.Version), "target": item.Target, "kind": string(item.Kind), "version": item.Version,
		"from": nil, "changeId": p.ID, "actorId": p.Actor.ID, "actorName": p.Actor.Name, "actorRole": p.Actor.Role.String(),
		"reason": p.Reason, "op": string(item.Op), "fields": nonNil(item.Fields), "retracted": retracted, "state": string(b),
		"ends": nonNil(item.Entities), "relType": string(item.RelType), "origin": p.Origin,
	}
	searchable(v, item, st)
	if legacy { // the state a load wrote, known from before record time began
		v["changeId"], v["actorId"], v["actorName"], v["actorRole"], v["reason"], v["op"], v["origin"] = "", "", "", "", "loaded before record time began", string(kg.OpCreate), "load"
	}
	// Written with the change (appendChange), in one statement, which
	// stamps it with the change's record time and id.
	p.versions = append(p.versions, versionDraft{props: v, legacy: legacy})
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// History lists every version of an entity or relationship, oldest first.
func (s *Store) History(ctx context.Context, id string) ([]kg.Version, error) {
	var out []kg.Version
	err := s.read(ctx, "store.History", func(tx neo4j.ManagedTransaction) error {
		out = out[:0]
		recs, err := s.query(ctx, tx, "store.History", `MATCH (v:Version {target: $id})
			RETURN v{.*, state: null} ORDER BY v.version`, map[string]any{"id": id})
		for _, rec := range recs {
			out = append(out, versionFrom(rec.Values[0].(map[string]any)))
		}
		return err
	})
	return out, err
}

func versionFrom(v map[string]any) kg.Version {
	role, _ := kg.ParseRole(str(v["actorRole"]))
	out := kg.Version{
		Target: str(v["target"]), Kind: kg.TargetKind(str(v["kind"])), Version: int(num(v["version"])),
		ChangeID: str(v["changeId"]), Reason: str(v["reason"]), Op: kg.ChangeOp(str(v["op"])),
		Fields: strs(v["fields"]), Retracted: v["retracted"] == true,
		Actor: kg.Actor{ID: str(v["actorId"]), Name: str(v["actorName"]), Role: role},
	}
	if t, ok := v["from"].(time.Time); ok {
		out.RecordedAt = t
	}
	if t, ok := v["to"].(time.Time); ok {
		out.Superseded = t
	}
	return out
}

// EntityAt is the entity as the graph held it at record time t: found is
// false when it did not exist then, or had been retracted. EntitiesAt
// (recorded.go) reads several at once.
func (s *Store) EntityAt(ctx context.Context, id string, t time.Time) (kg.Entity, bool, error) {
	found, err := s.EntitiesAt(ctx, All, []string{id}, t)
	e, ok := found[id]
	return e, ok, err
}

// RelationshipsAt are the relationships of entity id as the graph held them
// at record time t that pass f, ordered as RelationshipsOf orders them.
func (s *Store) RelationshipsAt(ctx context.Context, id string, f RelFilter, t time.Time, limit int) ([]kg.Relationship, error) {
	byID, _, err := s.RelationshipsOfAt(ctx, All, []string{id}, f, t)
	rs := byID[id]
	SortRelationships(rs)
	return rs[:min(limit, len(rs))], err
}

// SortRelationships puts relationships in RelationshipsOf's order: start
// (undated last), type, id.
func SortRelationships(rs []kg.Relationship) {
	key := func(r kg.Relationship) string {
		start := "9999"
		if !r.Start.IsZero() {
			start = r.Start.First().Format("2006-01-02")
		}
		return start + "|" + string(r.Type) + "|" + r.ID
	}
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && key(rs[j]) < key(rs[j-1]); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// bookkeeping are the properties of versions, which a change always
// advances: Snapshot leaves them out.
var bookkeeping = []string{"version", "recordedFrom", "changeId", "origin"}

// Snapshot is the live graph's content, every entity and relationship with
// every property but the version bookkeeping, as text by key: two graphs
// that say the same have equal snapshots. Tests compare them whole.
func (s *Store) Snapshot(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := s.read(ctx, "store.Snapshot", func(tx neo4j.ManagedTransaction) error {
		for _, q := range []string{
			`MATCH (n:Entity) RETURN 'entity ' + n.id, properties(n) AS p`,
			`MATCH (a:Entity)-[r]->(b:Entity) RETURN 'relationship ' + type(r) + ' ' + r.id + ' ' + a.id + ' ' + b.id, properties(r) AS p`,
		} {
			recs, err := s.query(ctx, tx, "store.Snapshot", q, nil)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				props := rec.Values[1].(map[string]any)
				for _, k := range bookkeeping {
					delete(props, k)
				}
				out[str(rec.Values[0])] = fmt.Sprintf("%v", sortedProps(props))
			}
		}
		return nil
	})
	return out, err
}

func sortedProps(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(out)
	return out
}

// RelationshipByID is the live relationship of a type with an id.
func (s *Store) RelationshipByID(ctx context.Context, id string, t kg.RelType) (kg.Relationship, bool, error) {
	var r kg.Relationship
	var found bool
	label, err := typeLabel([]kg.RelType{t})
	if err != nil {
		return r, false, err
	}
	err = s.read(ctx, "store.RelationshipByID", func(tx neo4j.ManagedTransaction) error {
		recs, err := s.query(ctx, tx, "store.RelationshipByID", `MATCH (a:Entity)-[r`+label+` {id: $id}]->(b:Entity)
			RETURN r{.*, type: type(r), from: a.id, to: b.id}`, map[string]any{"id": id})
		if err != nil || len(recs) == 0 {
			return err
		}
		r, found = relationshipFrom(recs[0].Values[0].(map[string]any)), true
		return nil
	})
	return r, found, err
}
