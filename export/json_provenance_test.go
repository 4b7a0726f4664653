package export

import (
	"reflect"
	"strings"
	"testing"

	"cyberkg/kg"
)

// The lossless JSON keeps what curation adds: versions, stances, and the
// sources with their paragraphs and what is known of them, so that an
// import needs no text files beside the document.
func TestJSONKeepsVersionsStancesAndSources(t *testing.T) {
	var b strings.Builder
	j := NewJSON(&b)
	src := kg.Source{ID: "a-report", Title: "A report", Author: "An Author", Publisher: "A Press", Date: kg.Date{Year: 2016, Month: 5},
		URL: "https://example.org/r", Reliability: kg.ReliabilityHigh, Version: 2, Paragraphs: []string{"First.", "Second paragraph."}}
	report := kg.Entity{ID: "a-report", Kind: kg.Report, Name: "A report", Version: 3, Evidence: []kg.Evidence{{Source: "a-report", Paragraph: 1, Quote: "First."}}}
	rel := kg.Relationship{ID: "x--cites--a-report", Type: "CITES", From: "x", To: "a-report", Confidence: kg.Confirmed, Version: 2,
		Evidence: []kg.Evidence{{Source: "a-report", Paragraph: 2, Quote: "Second", Stance: kg.Disputes}}}
	for _, err := range []error{
		j.Entity(Node{Entity: report}),
		j.Relationship(Edge{Relationship: rel}),
		j.Sources([]kg.Source{src, {ID: "not-exported", Paragraphs: []string{"x"}}}),
		j.Close(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	ds, err := ReadJSON(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("%v in %s", err, b.String())
	}
	if ds.Entities[0].Version != 3 || ds.Relationships[0].Version != 2 || ds.Relationships[0].Evidence[0].Stance != kg.Disputes {
		t.Errorf("read back %+v and %+v; want versions 3 and 2 and the disputing stance", ds.Entities[0], ds.Relationships[0])
	}
	if got := ds.SourceInfo["a-report"]; !reflect.DeepEqual(got, src) || len(ds.Sources) != 1 {
		t.Errorf("source read back %+v (of %d); want %+v alone", got, len(ds.Sources), src)
	}
}
