package bulk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cyberkg/seed"
	"cyberkg/store/bulk"
)

// What the importer's CSV cannot carry is refused, saying which item and
// property, and leaves no files.
func TestWriteRefusesWhatTheImporterCannotCarry(t *testing.T) {
	for _, c := range []struct {
		aliases []string
		want    string
	}{
		{[]string{""}, "entity qualcomm: property aliases: a list of one empty string"},
		{[]string{"a\x1fb"}, "entity qualcomm: property aliases: \"a\\x1fb\" holds U+001F"},
	} {
		ds, err := seed.Parse(seed.Files)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ds.Entities {
			if ds.Entities[i].ID == "qualcomm" {
				ds.Entities[i].Aliases = c.aliases
			}
		}
		dir := t.TempDir()
		err = bulk.Write(dir, ds)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("aliases %q: %v; want an error saying %q", c.aliases, err, c.want)
		}
		if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) > 0 {
			t.Errorf("aliases %q: a refused dataset left %v", c.aliases, names)
		}
	}
}

// Write writes only into a new or empty folder: files already there would be
// imported with its own.
func TestWriteRefusesAFolderThatHoldsFiles(t *testing.T) {
	ds, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "other.csv"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := bulk.Write(dir, ds); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("Write into a folder with a file: %v; want a refusal", err)
	}
}
