package bulk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cyberkg/seed"
	"cyberkg/store/bulk"
	"cyberkg/synth"
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

// Rows are encoded in chunks at once and written in order: the files are
// byte for byte those of one chunk, so the same graph always gives the same
// files and sums.
func TestChunksWriteTheSameFiles(t *testing.T) {
	ds := synth.Generate(3000, 20000, 1)
	read := func(chunk int) map[string]string {
		restore := bulk.SetChunkSize(chunk)
		defer restore()
		dir := filepath.Join(t.TempDir(), "csv")
		if err := bulk.Write(dir, ds); err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		names, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.Base(name)] = string(b)
		}
		return files
	}
	want := read(1 << 30)
	if len(want) < 10 {
		t.Fatalf("only %d files written", len(want))
	}
	for _, chunk := range []int{1, 7, 1000} {
		got := read(chunk)
		for name, w := range want {
			if got[name] != w {
				t.Errorf("chunks of %d: %s differs from one chunk's (%d bytes against %d)", chunk, name, len(got[name]), len(w))
			}
		}
		if len(got) != len(want) {
			t.Errorf("chunks of %d: %d files, one chunk %d", chunk, len(got), len(want))
		}
	}
}
