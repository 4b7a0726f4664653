package kg_test

import (
	"strings"
	"testing"

	"cyberkg/kg"
)

// node(id:) finds an object by its id alone, so a relationship may not
// take an entity's id.
func TestValidateRefusesAnIDSharedAcrossKinds(t *testing.T) {
	ev := []kg.Evidence{{Source: "brief", Paragraph: 1, Quote: "Acme"}}
	ds := kg.Dataset{
		Entities: []kg.Entity{
			{ID: "brief", Kind: kg.Report, Name: "Brief", Evidence: ev},
			{ID: "acme", Kind: kg.Firm, Name: "Acme", Evidence: ev},
		},
		Relationships: []kg.Relationship{
			{ID: "acme", Type: kg.RelType("AUTHORED"), From: "acme", To: "brief", Confidence: kg.Confirmed, Evidence: ev},
		},
		Sources: kg.Sources{"brief": {"Acme wrote it."}},
	}
	probs := ds.Validate()
	if len(probs) != 1 || !strings.Contains(probs[0].Msg, `relationship id "acme" is also an entity's id`) || probs[0].Relationship != 0 {
		t.Fatalf("problems = %v, want one naming the shared id", probs)
	}
	ds.Relationships[0].ID = kg.DefaultRelationshipID("acme", "AUTHORED", "brief")
	if probs := ds.Validate(); len(probs) != 0 {
		t.Fatalf("with its own id: %v", probs)
	}
}

// A relationship may not take the form of a change's or a source's Node id
// either (an entity's slug cannot hold a source's colon).
func TestValidateRefusesARelationshipIDOfAnotherKindsForm(t *testing.T) {
	ev := []kg.Evidence{{Source: "brief", Paragraph: 1, Quote: "Acme"}}
	for _, id := range []string{"change-7", "source:brief"} {
		ds := kg.Dataset{
			Entities: []kg.Entity{
				{ID: "brief", Kind: kg.Report, Name: "Brief", Evidence: ev},
				{ID: "acme", Kind: kg.Firm, Name: "Acme", Evidence: ev},
			},
			Relationships: []kg.Relationship{{ID: id, Type: kg.RelType("AUTHORED"), From: "acme", To: "brief", Confidence: kg.Confirmed, Evidence: ev}},
			Sources:       kg.Sources{"brief": {"Acme wrote it."}},
		}
		probs := ds.Validate()
		if len(probs) != 1 || !strings.Contains(probs[0].Msg, "ids must be unique across kinds") {
			t.Errorf("relationship id %q: problems = %v, want one naming the reserved form", id, probs)
		}
	}
	if kg.SourceSlug("source:brief") != "brief" || kg.SourceSlug("brief") != "brief" || kg.SourceNodeID("brief") != "source:brief" {
		t.Error("a source's two ids do not map to each other")
	}
}
