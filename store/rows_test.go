package store

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"cyberkg/kg"
)

// A row's slots are read by position: they must be the projection's
// property names in order, and reading a map or a row of the same
// properties must give the same entity.
func TestRowsHoldEveryPropertyInOrder(t *testing.T) {
	if !slices.Equal(entityRowFields[alwaysInRow:], EntityFields) || !slices.Equal(relRowFields[alwaysInRow:], RelationshipFields) {
		t.Fatalf("row slots %v / %v are not EntityFields %v / RelationshipFields %v", entityRowFields, relRowFields, EntityFields, RelationshipFields)
	}
	// As the driver returns a synthetic law's properties.
	props := map[string]any{"id": "synthetic-1", "version": int64(7), "kind": "LAW", "name": "Synthetic law",
		"aliases": []any{"SL"}, "description": "d", "start": "2015-09", "end": "2016", "title": "t", "status": "IN_FORCE",
		"article": int64(3), "number": int64(4), "text": "x", "facts": "[]",
		"evidence": `[{"source":"synthetic","paragraph":2,"quote":"q"}]`}
	row := make([]any, len(entityRowFields))
	for i, f := range entityRowFields {
		row[i] = props[f]
	}
	if got := entityFromRow(row); !reflect.DeepEqual(got, entityFrom(props)) {
		t.Errorf("entityFromRow read\n%+v\nentityFrom reads\n%+v", got, entityFrom(props))
	}
	if got := entityFrom(props); got.Name != "Synthetic law" || got.Aliases[0] != "SL" || got.Start != (kg.Date{Year: 2015, Month: 9}) ||
		got.Article != 3 || got.Number != 4 || got.Version != 7 || len(got.Evidence) != 1 || got.Evidence[0].Paragraph != 2 {
		t.Errorf("entityFrom lost properties: %+v", got)
	}
}

func TestRelationshipRowsAndMapsAgree(t *testing.T) {
	props := map[string]any{"id": "synthetic-r1", "version": int64(2), "type": "TARGETED", "description": "d",
		"confidence": "REPORTED", "claimedBy": []any{"synthetic-source"}, "start": "2014-05-19", "facts": "[]",
		"evidence": `[{"source":"synthetic","paragraph":3,"quote":"q"}]`, "from": "synthetic-a", "to": "synthetic-b"}
	r := relationshipFrom(props)
	if r.ID != "synthetic-r1" || r.Version != 2 || r.Type != "TARGETED" || r.Confidence != "REPORTED" || r.ClaimedBy[0] != "synthetic-source" ||
		r.Start != (kg.Date{Year: 2014, Month: 5, Day: 19}) || r.From != "synthetic-a" || r.To != "synthetic-b" || r.Evidence[0].Paragraph != 3 {
		t.Fatalf("relationshipFrom read %+v", r)
	}
	row := make([]any, len(relRowFields)+1)
	for i, f := range relRowFields {
		row[i] = props[f]
	}
	for _, out := range []bool{true, false} {
		row[len(relRowFields)] = out
		got := relationshipBetweenRow(row, "synthetic-a", kg.Entity{ID: "synthetic-b"})
		want := r
		if !out {
			want.From, want.To = "synthetic-b", "synthetic-a"
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("out=%v: relationshipBetweenRow read\n%+v\nwant\n%+v", out, got, want)
		}
	}
}

// A version is read only when asked for: every other slot but the id and
// kind (or type) is the projection's.
func TestRowsReadTheVersionOnlyWhenProjected(t *testing.T) {
	without, with := Project([]string{"name"}, nil), Project([]string{"name", "version"}, []string{"version"})
	if got, want := entityRow(without, "n"), "[n.id, n.kind, null, n.name,"; !strings.HasPrefix(got, want) {
		t.Errorf("entityRow without version = %s, want it to start %s", got, want)
	}
	if got, want := entityRow(with, "n"), "[n.id, n.kind, n.version, n.name,"; !strings.HasPrefix(got, want) {
		t.Errorf("entityRow with version = %s, want it to start %s", got, want)
	}
	if got, want := relRow(without), "[r.id, type(r), null,"; !strings.HasPrefix(got, want) {
		t.Errorf("relRow without version = %s, want it to start %s", got, want)
	}
	if got, want := relRow(with), "[r.id, type(r), r.version,"; !strings.HasPrefix(got, want) {
		t.Errorf("relRow with version = %s, want it to start %s", got, want)
	}
}
