package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cyberkg/export"
	"cyberkg/seed"
	"cyberkg/store/bulk"
)

// server import -offline-csv validates a file as server import does and
// writes the importer's CSV files, or, for a bad file, nothing. (That the
// files import to the graph store.Load writes is store/bulk's test.)
func TestImportOffline(t *testing.T) {
	ds, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	var doc bytes.Buffer
	j := export.NewJSON(&doc)
	for _, e := range ds.Entities {
		if err := j.Entity(export.Node{Entity: e}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range ds.Relationships {
		if err := j.Relationship(export.Edge{Relationship: r}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "graph.json")
	if err := os.WriteFile(file, doc.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "csv")
	if err := importOffline(file, dir, discardLog()); err != nil {
		t.Fatal(err)
	}
	args, err := os.ReadFile(filepath.Join(dir, bulk.ArgsFile))
	if err != nil || !strings.Contains(string(args), "--nodes="+bulk.EntitiesFile) {
		t.Errorf("%s: %q, %v; want it to name %s", bulk.ArgsFile, args, err, bulk.EntitiesFile)
	}
	if err := importOffline(file, dir, discardLog()); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("writing into a folder that holds files: %v; want a refusal", err)
	}

	bad := bytes.Replace(doc.Bytes(), []byte(`"quote":"fined with $975 million"`), []byte(`"quote":"fined with $9 billion"`), 1)
	if bytes.Equal(bad, doc.Bytes()) {
		t.Fatal("the test's quote is not in the document")
	}
	if err := os.WriteFile(file, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "bad")
	err = importOffline(file, dir, discardLog())
	if err == nil || !strings.Contains(err.Error(), `quote "fined with $9 billion" is not in that paragraph`) {
		t.Errorf("offline import of a misquote: %v", err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) > 0 {
		t.Errorf("a refused file left %v", names)
	}
}
