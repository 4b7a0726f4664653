package store

import (
	"encoding/json"
	"testing"

	"cyberkg/kg"
)

// What was stored before a fact could hold several pieces of evidence —
// a version's state, a live entity's facts property — reads as a fact with
// that one piece.
func TestOldSingleEvidenceFactsStillRead(t *testing.T) {
	state := `{"entity":{"ID":"opm-breach-2015","Kind":"EVENT","Name":"OPM breach (2015)","Aliases":null,"Description":"",
		"Start":{"Year":2015,"Month":0,"Day":0},"End":{"Year":0,"Month":0,"Day":0},"Title":"","Status":"","Article":0,"Number":0,"Text":"",
		"Facts":[{"Name":"people_affected","Value":"more than 20 million people","Number":20000000,"Unit":"people",
		"Date":{"Year":2015,"Month":0,"Day":0},"Evidence":{"Source":"us-china-cybersecurity-brief","Paragraph":12,"Quote":"more than 20 million people","Stance":""}}],
		"Evidence":[{"Source":"us-china-cybersecurity-brief","Paragraph":12,"Quote":"more than 20 million people","Stance":""}],"Version":1}}`
	var st versionState
	if err := json.Unmarshal([]byte(state), &st); err != nil {
		t.Fatalf("a version written before: %v", err)
	}
	want := kg.Evidence{Source: "us-china-cybersecurity-brief", Paragraph: 12, Quote: "more than 20 million people"}
	if f := st.Entity.Facts; len(f) != 1 || len(f[0].Evidence) != 1 || f[0].Evidence[0] != want {
		t.Errorf("version's facts read as %+v", f)
	}
	prop := `[{"name":"people_affected","value":"more than 20 million people","evidence":{"source":"us-china-cybersecurity-brief","paragraph":12,"quote":"more than 20 million people"}}]`
	if f := factsFrom(prop); len(f) != 1 || len(f[0].Evidence) != 1 || f[0].Evidence[0] != want {
		t.Errorf("facts property read as %+v", f)
	}
	if back := factsFrom(factsJSON(factsFrom(prop))); len(back) != 1 || len(back[0].Evidence) != 1 || back[0].Evidence[0] != want {
		t.Errorf("facts property written and read back as %+v", back)
	}
}
