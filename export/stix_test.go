package export

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"cyberkg/kg"
)

// A confidence level added to kg must be placed on the STIX scale too, or
// its relationships would claim no confidence at all.
func TestEveryConfidenceHasAPlaceOnTheSTIXScale(t *testing.T) {
	prev := 101
	for _, c := range []kg.Confidence{kg.Confirmed, kg.Reported, kg.Inferred, kg.Possible, kg.Alleged, kg.Disputed} {
		n := STIXConfidence(c)
		if n >= prev {
			t.Errorf("%s is %d, not below the level before it (%d)", c, n, prev)
		}
		prev = n
	}
	for _, c := range kg.Confidences {
		if n := STIXConfidence(c.Level); n < 1 || n > 100 {
			t.Errorf("%s maps to %d, outside 1–100", c.Level, n)
		}
	}
}

// Ids must not change between exports or releases: platforms dedupe on them.
func TestSTIXIDsAreStable(t *testing.T) {
	ref := Ref{ID: "pla-unit-61398", Kind: kg.Agency, Hostile: true}
	if got, want := refID(ref), "threat-actor--"+stixUUID("entity:pla-unit-61398"); got != want {
		t.Errorf("refID = %s, want %s", got, want)
	}
	if got := stixUUID("entity:pla-unit-61398"); got != "9635acef-7b76-54b3-b395-1986ca32ce88" {
		t.Errorf("the UUIDv5 of pla-unit-61398 changed to %s: every platform would see a new object", got)
	}
}

// Evidence that disputes a claim is an opinion about the claim's object,
// so that a platform sees the claim contested as the graph does.
func TestSTIXDisputingEvidenceIsAnOpinion(t *testing.T) {
	var b strings.Builder
	w := NewSTIX(&b)
	rel := kg.Relationship{ID: "a--accused--b", Type: "ACCUSED", From: "a", To: "b", Confidence: kg.Alleged, Evidence: []kg.Evidence{
		{Source: "brief", Paragraph: 3, Quote: "it accused"},
		{Source: "rebuttal", Paragraph: 1, Quote: "it never did", Stance: kg.Disputes},
	}}
	if err := w.Relationship(Edge{Relationship: rel, FromRef: Ref{ID: "a", Kind: kg.State}, ToRef: Ref{ID: "b", Kind: kg.State}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var bundle struct{ Objects []map[string]any }
	if err := json.Unmarshal([]byte(b.String()), &bundle); err != nil {
		t.Fatal(err)
	}
	var opinions []map[string]any
	for _, o := range bundle.Objects {
		if o["type"] == "opinion" {
			opinions = append(opinions, o)
		}
	}
	relID := stixID("relationship", "relationship:"+rel.ID)
	if len(opinions) != 1 || opinions[0]["opinion"] != "disagree" || opinions[0]["explanation"] != "it never did" ||
		fmt.Sprint(opinions[0]["object_refs"]) != "["+relID+"]" {
		t.Errorf("opinions %v; want one disagreeing with %s, explained by the quote", opinions, relID)
	}
}
