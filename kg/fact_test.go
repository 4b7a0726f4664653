package kg

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Versions recorded before a fact could hold several pieces of evidence
// stored each fact's one piece as an object: they still read, as a list of
// one, and what is written now reads back the same.
func TestFactReadsTheOldSingleEvidenceShape(t *testing.T) {
	old := `{"Name":"fine","Value":"$5 million","Number":5000000,"Unit":"USD","Date":{"Year":2015,"Month":0,"Day":0},
		"Evidence":{"Source":"brief","Paragraph":3,"Quote":"five million","Stance":""}}`
	var f Fact
	if err := json.Unmarshal([]byte(old), &f); err != nil {
		t.Fatal(err)
	}
	want := []Evidence{{Source: "brief", Paragraph: 3, Quote: "five million"}}
	if f.Name != "fine" || f.Date.String() != "2015" || *f.Number != 5e6 || !reflect.DeepEqual(f.Evidence, want) {
		t.Errorf("old shape read as %+v", f)
	}
	f.Evidence = append(f.Evidence, Evidence{Source: "brief", Paragraph: 4, Quote: "not five", Stance: Disputes})
	b, _ := json.Marshal(f)
	var back Fact
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, f) {
		t.Errorf("round trip: %+v, %v; want %+v", back, err, f)
	}
	if !back.Contested() || back.Stated() != want[0] {
		t.Errorf("contested %v, stated %+v", back.Contested(), back.Stated())
	}
}

func TestFactIDs(t *testing.T) {
	for _, c := range []struct {
		id, owner, name string
		ok              bool
	}{
		{"opm-breach-2015#people_affected", "opm-breach-2015", "people_affected", true},
		{"a--caused--b#fine", "a--caused--b", "fine", true},
		{"opm-breach-2015", "", "", false},
		{"#fine", "", "", false},
		{"x#", "", "", false},
		{"x#a#b", "", "", false},
	} {
		owner, name, ok := ParseFactID(c.id)
		if owner != c.owner || name != c.name || ok != c.ok {
			t.Errorf("ParseFactID(%q) = %q, %q, %v", c.id, owner, name, ok)
		}
		if ok && FactID(owner, name) != c.id {
			t.Errorf("FactID(%q, %q) = %q", owner, name, FactID(owner, name))
		}
	}
}
