package export

import (
	"fmt"
	"time"

	"cyberkg/kg"
)

// The record-time past in the JSON format: after the sources, the change
// log ("changes", oldest first) and every recorded version ("versions", by
// target and version), each version with the state it recorded in the
// shape of the entities and relationships above. Only an export of the
// whole graph carries them: the log of a neighbourhood would name targets
// the document does not hold.

type jsonActor struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Role string `json:"role,omitempty"`
}

type jsonChangeItem struct {
	Op       kg.ChangeOp   `json:"op"`
	Kind     kg.TargetKind `json:"kind"`
	Target   string        `json:"target"`
	Version  int           `json:"version"`
	Fields   []string      `json:"fields,omitempty"`
	Entities []string      `json:"entities,omitempty"`
	RelType  kg.RelType    `json:"relType,omitempty"`
}

type jsonChange struct {
	ID     string           `json:"id"`
	Seq    int64            `json:"seq"`
	At     string           `json:"at"` // RFC 3339 with nanoseconds
	Actor  jsonActor        `json:"actor"`
	Reason string           `json:"reason,omitempty"`
	Origin string           `json:"origin"`
	Items  []jsonChangeItem `json:"items"`
}

type jsonVersion struct {
	Target       string            `json:"target"`
	Kind         kg.TargetKind     `json:"kind"`
	Version      int               `json:"version"`
	RecordedAt   string            `json:"recordedAt,omitempty"`   // absent: before record time began
	SupersededAt string            `json:"supersededAt,omitempty"` // absent: current
	Change       string            `json:"change,omitempty"`
	Actor        jsonActor         `json:"actor"`
	Reason       string            `json:"reason,omitempty"`
	Op           kg.ChangeOp       `json:"op"`
	Fields       []string          `json:"fields,omitempty"`
	Retracted    bool              `json:"retracted,omitempty"`
	Ends         []string          `json:"ends,omitempty"`
	RelType      kg.RelType        `json:"relType,omitempty"`
	Origin       string            `json:"origin,omitempty"`
	Entity       *jsonEntity       `json:"entity,omitempty"`
	Relationship *jsonRelationship `json:"relationship,omitempty"`
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func actorToJSON(a kg.Actor) jsonActor {
	out := jsonActor{ID: a.ID, Name: a.Name}
	if a.Role != kg.RoleAnonymous {
		out.Role = a.Role.String()
	}
	return out
}

// Change writes one change of the log, after the sources.
func (j *JSON) Change(c kg.Change) error {
	j.to(4)
	items := make([]jsonChangeItem, len(c.Items))
	for i, it := range c.Items {
		items[i] = jsonChangeItem(it)
	}
	return j.item(jsonChange{ID: c.ID, Seq: c.Seq, At: timeText(c.At), Actor: actorToJSON(c.Actor), Reason: c.Reason, Origin: c.Origin, Items: items})
}

// Version writes one recorded version, after the changes.
func (j *JSON) Version(v kg.VersionRecord) error {
	j.to(5)
	out := jsonVersion{
		Target: v.Target, Kind: v.Kind, Version: v.Version.Version, RecordedAt: timeText(v.RecordedAt), SupersededAt: timeText(v.Superseded),
		Change: v.ChangeID, Actor: actorToJSON(v.Actor), Reason: v.Reason, Op: v.Op, Fields: v.Fields, Retracted: v.Retracted,
		Ends: v.Ends, RelType: v.RelType, Origin: v.Origin,
	}
	if v.Entity != nil {
		e := entityToJSON(*v.Entity)
		out.Entity = &e
	}
	if v.Relationship != nil {
		r := relationshipToJSON(*v.Relationship)
		out.Relationship = &r
	}
	return j.item(out)
}

func (rd *reader) time(what, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("%s: %w", what, err)
	}
	return t, nil
}

func actorFromJSON(what string, a jsonActor) (kg.Actor, error) {
	out := kg.Actor{ID: a.ID, Name: a.Name}
	if a.Role != "" {
		r, err := kg.ParseRole(a.Role)
		if err != nil {
			return out, fmt.Errorf("%s: %w", what, err)
		}
		out.Role = r
	}
	return out, nil
}

func (rd *reader) history(changes []jsonChange, versions []jsonVersion) (*kg.History, error) {
	h := &kg.History{}
	for i, c := range changes {
		what := fmt.Sprintf("change %q", c.ID)
		if !kg.IsChangeID(c.ID) || c.ID != fmt.Sprintf("change-%d", c.Seq) {
			return nil, fmt.Errorf("%s: an id of the form change-<seq> with seq %d", what, c.Seq)
		}
		if i > 0 && c.Seq <= changes[i-1].Seq {
			return nil, fmt.Errorf("%s: the log must be oldest first (seq %d after %d)", what, c.Seq, changes[i-1].Seq)
		}
		at, err := rd.time(what+" at", c.At)
		if err != nil {
			return nil, err
		}
		actor, err := actorFromJSON(what+" actor", c.Actor)
		if err != nil {
			return nil, err
		}
		items := make([]kg.ChangeItem, len(c.Items))
		for i, it := range c.Items {
			items[i] = kg.ChangeItem(it)
		}
		h.Changes = append(h.Changes, kg.Change{ID: c.ID, Seq: c.Seq, At: at, Actor: actor, Reason: c.Reason, Origin: c.Origin, Items: items})
	}
	for _, v := range versions {
		what := fmt.Sprintf("version %d of %q", v.Version, v.Target)
		from, err := rd.time(what+" recordedAt", v.RecordedAt)
		if err != nil {
			return nil, err
		}
		to, err := rd.time(what+" supersededAt", v.SupersededAt)
		if err != nil {
			return nil, err
		}
		actor, err := actorFromJSON(what+" actor", v.Actor)
		if err != nil {
			return nil, err
		}
		rec := kg.VersionRecord{
			Version: kg.Version{Target: v.Target, Kind: v.Kind, Version: v.Version, RecordedAt: from, Superseded: to,
				ChangeID: v.Change, Actor: actor, Reason: v.Reason, Op: v.Op, Fields: v.Fields, Retracted: v.Retracted},
			Ends: v.Ends, RelType: v.RelType, Origin: v.Origin,
		}
		switch {
		case v.Entity != nil && v.Relationship == nil:
			e := rd.entity(*v.Entity)
			e.Version = v.Version
			rec.Entity = &e
		case v.Relationship != nil && v.Entity == nil:
			r := rd.relationship(*v.Relationship)
			r.Version = v.Version
			rec.Relationship = &r
		default:
			return nil, fmt.Errorf("%s: want the state of an entity or of a relationship", what)
		}
		h.Versions = append(h.Versions, rec)
	}
	return h, nil
}
