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
