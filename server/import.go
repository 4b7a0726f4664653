package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"cyberkg/export"
	"cyberkg/kg"
	"cyberkg/seed"
	"cyberkg/store"
	"cyberkg/store/bulk"
)

// importFile loads a JSON export into the graph: read, then validate as the
// seed is validated (closed vocabularies, references, every quote found in
// its paragraph), then write in one transaction.
//
// A file exported from a whole graph carries its change log and versions:
// into a database that holds nothing, not even a log, the import restores
// them and adds no change (store/restore.go); into one with a log of its
// own (with -replace, or emptied by DeleteAll, which keeps the log) the
// file's log is left out, said in a warning, and the import is one change.
//
// It refuses a graph that is not empty unless replace is set: writing merges
// by id, so importing over another graph would silently blend the two (what
// the file lacks would survive, what both hold would be overwritten), and
// the result would be neither the file nor the graph. With replace, the graph
// becomes exactly the file in one transaction.
func importFile(ctx context.Context, s *store.Store, file string, replace bool, log *slog.Logger) error {
	ds, err := readImport(file)
	if err != nil {
		return err
	}
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty && !replace {
		return fmt.Errorf("import %s: the graph is not empty; import into an empty graph, or pass -replace to make the graph equal to the file", file)
	}
	start := time.Now()
	// Through the write service, as every write: into an empty graph a
	// load (CREATEs, nothing to merge with); into a full one, with
	// -replace, one change set that makes the graph the file (its diff,
	// with the retractions of what the file lacks), or leaves it as it was.
	c, err := s.ApplyDataset(kg.NewContextWithActor(ctx, commandLine), ds, "import", false)
	if err != nil {
		return fmt.Errorf("import %s: %w", file, err)
	}
	if h := ds.History; h != nil && len(h.Changes) > 0 {
		if last := h.Changes[len(h.Changes)-1]; c.ID == last.ID && c.At.Equal(last.At) {
			log.Info("restored the file's change log", "changes", len(h.Changes), "versions", len(h.Versions), "head", last.Seq)
		} else {
			// The graph has a past of its own; the file's would interleave with it.
			log.Warn("the file's change log was not restored: the database has a log of its own, so the import is one change of that log",
				"file", file, "fileChanges", len(h.Changes))
		}
	}
	log.Info("imported", "file", file, "entities", len(ds.Entities), "relationships", len(ds.Relationships),
		"change", c.ID, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// importOffline writes a JSON export, validated as importFile validates it,
// as CSV files for Neo4j's offline importer into dir (see store/bulk):
// scripts/neo4j-import then writes them into a stopped database, tens of
// times faster than loading over Bolt.
func importOffline(file, dir string, log *slog.Logger) error {
	ds, err := readImport(file)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := bulk.Write(dir, ds); err != nil {
		return fmt.Errorf("import %s: %w", file, err)
	}
	log.Info("wrote CSV files for the offline importer", "file", file, "dir", dir,
		"entities", len(ds.Entities), "relationships", len(ds.Relationships), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// readImport reads a JSON export and validates it as the seed is validated
// (closed vocabularies, references, every quote found in its paragraph).
func readImport(file string) (*kg.Dataset, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	ds, err := export.ReadJSON(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", file, err)
	}
	if ds.Sources, err = importSources(ds, filepath.Dir(file)); err != nil {
		return nil, fmt.Errorf("import %s: %w", file, err)
	}
	if probs := ds.Validate(); len(probs) > 0 {
		msgs := make([]string, 0, 10)
		for _, p := range probs[:min(len(probs), 10)] {
			msgs = append(msgs, p.Msg)
		}
		return nil, fmt.Errorf("import %s: %d problems, nothing written:\n  %s", file, len(probs), strings.Join(msgs, "\n  "))
	}
	return ds, nil
}

// importSources reads the source texts that evidence quotes: those the
// document carries, else, as the seed does, from the file a REPORT's text
// names, looked up beside the imported file first, then among the sources
// bundled with the server.
func importSources(ds *kg.Dataset, dir string) (kg.Sources, error) {
	src := kg.Sources{}
	for id, paras := range ds.Sources { // carried by the document itself
		src[id] = paras
	}
	for _, e := range ds.Entities {
		if e.Kind != kg.Report || e.Text == "" || src[e.ID] != nil {
			continue
		}
		name := path.Clean(e.Text)
		b, err := fs.ReadFile(os.DirFS(dir), name)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) {
			b, err = fs.ReadFile(seed.Files, name)
		}
		if err != nil {
			return nil, fmt.Errorf("entity %q: text %s: not beside the file nor bundled with the server", e.ID, e.Text)
		}
		src[e.ID] = kg.Paragraphs(string(b))
	}
	return src, nil
}
