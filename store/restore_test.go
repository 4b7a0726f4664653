package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"cyberkg/export"
	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// pastOf is what the record-time reads answer of a graph: the log, each
// target's history, and entities and relationships as they were at t.
type pastOf struct {
	Head     int64
	Changes  []kg.Change
	History  map[string][]kg.Version
	EntityAt map[string]kg.Entity
	RelsAt   map[string][]kg.Relationship
	Graph    map[string]string
}

func readPast(t *testing.T, s *store.Store, ids []string, at time.Time) pastOf {
	t.Helper()
	ctx := context.Background()
	p := pastOf{History: map[string][]kg.Version{}, EntityAt: map[string]kg.Entity{}, RelsAt: map[string][]kg.Relationship{}}
	var err error
	if p.Head, err = s.Head(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Changes, err = s.ChangesAfter(ctx, 0, kg.ChangeFilter{}, 100000); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if p.History[id], err = s.History(ctx, id); err != nil {
			t.Fatal(err)
		}
		if e, found, err := s.EntityAt(ctx, id, at); err != nil {
			t.Fatal(err)
		} else if found {
			p.EntityAt[id] = e
		}
		if p.RelsAt[id], err = s.RelationshipsAt(ctx, id, store.RelFilter{}, at, 1000); err != nil {
			t.Fatal(err)
		}
	}
	p.Graph = wholeGraph(t, s)
	return p
}

// The lossless export carries the change log and every version: imported
// into an emptied database, the changes, each history and what the graph
// said at an earlier record time answer as they did before, and the import
// adds no change of its own.
func TestExportImportKeepsTheChangeLogAndHistory(t *testing.T) {
	s, ds := dbtest.Seeded(t)
	restoreSeed(t, s, ds)
	ctx := context.Background()
	mustWrite := func(w kg.Written, err error) kg.Written {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	ev := func(p, quote string, st kg.Stance) []kg.EvidenceInput {
		return []kg.EvidenceInput{{Source: brief, Locator: p, Quote: quote, Stance: st}}
	}
	mustWrite(s.UpsertEntity(as(curator), kg.EntityInput{ID: "synthetic-agency", Kind: kg.Agency, Name: ptr("Synthetic agency (test data)"),
		Evidence: ev("¶2", "Cybersecurity is of vital importance", "")}, kg.Write{Reason: "synthetic: a test's entity"}))
	rel := mustWrite(s.UpsertRelationship(as(curator), kg.RelationshipInput{ID: "synthetic-concern", Type: "CONCERNS", From: "synthetic-agency", To: "nsa",
		Confidence: ptr("REPORTED"), ClaimedBy: []string{"united-states"}, Evidence: ev("¶2", "Cybersecurity is of vital importance", "")}, kg.Write{Reason: "synthetic"}))
	time.Sleep(10 * time.Millisecond)
	at := time.Now()
	time.Sleep(10 * time.Millisecond)
	mustWrite(s.AddEvidence(as(curator), "synthetic-concern", kg.EvidenceInput{Source: brief, Locator: "¶2", Quote: "vital importance", Stance: kg.Disputes}, rel.Version, kg.Write{Reason: "disputed"}))
	mustWrite(s.AddEvidence(as(curator), kg.FactID("opm-breach-2015", "people_affected"), kg.EvidenceInput{Source: brief, Locator: "¶12", Quote: "more than 20 million people"}, -1, kg.Write{}))
	mustWrite(s.UpsertEntity(as(curator), kg.EntityInput{ID: "nsa", Description: ptr("edited by a test"), ExpectedVersion: versionNow(t, s, "nsa")}, kg.Write{Reason: "edit"}))
	mustWrite(s.Retract(as(curator), "synthetic-agency", versionNow(t, s, "synthetic-agency"), kg.Write{Reason: "synthetic: retracted"}))

	ids := []string{"synthetic-agency", "synthetic-concern", "nsa", "opm-breach-2015", "united-states"}
	before := readPast(t, s, ids, at)

	var doc bytes.Buffer
	j := export.NewJSON(&doc)
	srcs, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Sources(srcs); err != nil {
		t.Fatal(err)
	}
	sel, err := s.SelectExport(ctx, store.ExportFilter{}, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StreamExport(ctx, sel, time.Minute, store.ExportSinks{Entity: j.Entity, Relationship: j.Relationship, Change: j.Change, Version: j.Version}); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	if err := s.Erase(ctx); err != nil {
		t.Fatal(err)
	}
	in, err := export.ReadJSON(&doc)
	if err != nil {
		t.Fatal(err)
	}
	if in.History == nil || len(in.History.Changes) != len(before.Changes) {
		t.Fatalf("the document carries %+v changes; want %d", in.History, len(before.Changes))
	}
	c, err := s.ApplyDataset(as(admin), in, "import", false)
	if err != nil {
		t.Fatal(err)
	}
	after := readPast(t, s, ids, at)
	if c.Seq != before.Head {
		t.Errorf("the import answered change %d; want the restored head %d", c.Seq, before.Head)
	}
	for _, f := range []struct {
		name string
		a, b any
	}{{"head", before.Head, after.Head}, {"changes", before.Changes, after.Changes}, {"history", before.History, after.History},
		{"entities at record time", before.EntityAt, after.EntityAt}, {"relationships at record time", before.RelsAt, after.RelsAt}, {"graph", before.Graph, after.Graph}} {
		// As JSON, as the API shows them: times compare as RFC 3339,
		// whatever zone value the driver gives a datetime read back, and an
		// empty list as a missing one.
		a, _ := json.Marshal(f.a)
		b, _ := json.Marshal(f.b)
		a, b = bytes.ReplaceAll(a, []byte(":null"), []byte(":[]")), bytes.ReplaceAll(b, []byte(":null"), []byte(":[]"))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: before %s\n after %s", f.name, a, b)
		}
	}
	// Writes go on from the restored head, gapless.
	w := mustWrite(s.UpsertEntity(as(curator), kg.EntityInput{ID: "nsa", Description: ptr("edited after the import"), ExpectedVersion: versionNow(t, s, "nsa")}, kg.Write{Reason: "edit"}))
	if w.Change.Seq != before.Head+1 {
		t.Errorf("the first write after the import is change %d; want %d", w.Change.Seq, before.Head+1)
	}
}
