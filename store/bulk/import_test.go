package bulk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/seed"
	"cyberkg/store"
	"cyberkg/store/bulk"
)

// TestImportEqualsLoad writes the seed, with awkward text put into it, once
// with store.Load into the tests' Neo4j and once through the offline
// importer (bulk.Write, scripts/neo4j-import) into a Neo4j of the test's own,
// and compares the two graphs property by property, with the types of the
// values. Then a bad import over it must fail, say why, and keep it.
func TestImportEqualsLoad(t *testing.T) {
	ds := awkwardSeed(t)
	ctx := context.Background()
	start := time.Now()

	loaded := dbtest.Open(t)
	if err := loaded.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	// Leave the unchanged seed for the package's other tests, if any come.
	t.Cleanup(func() { _ = loaded.DeleteAll(ctx) })
	if err := loaded.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	want := readGraph(t, dbtest.Config(t))
	if len(want) != len(ds.Entities)+len(ds.Relationships) {
		t.Fatalf("loaded: %d entities and relationships, want %d", len(want), len(ds.Entities)+len(ds.Relationships))
	}
	t.Logf("loaded with store.Load and read back in %s", time.Since(start).Round(time.Millisecond))

	lab := dbtest.NewOwn(t, "NEO4J_BULK_BOLT_PORT")
	csv := filepath.Join(t.TempDir(), "csv")
	if err := bulk.Write(csv, ds); err != nil {
		t.Fatal(err)
	}
	lab.Run(t, "neo4j-import", csv)
	t.Logf("written and imported in %s", time.Since(start).Round(time.Millisecond))
	lab.Run(t, "neo4j-start")
	t.Logf("started in %s", time.Since(start).Round(time.Millisecond))
	s, err := store.Open(ctx, lab.Config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ApplySchema(ctx); err != nil {
		s.Close(ctx)
		t.Fatalf("apply the schema to the imported graph: %v", err)
	}
	t.Logf("schema applied in %s", time.Since(start).Round(time.Millisecond))
	hits, err := s.Search(ctx, store.All, "qualcom", nil, 3)
	s.Close(ctx)
	if err != nil || len(hits) == 0 || hits[0].Entity.ID != "qualcomm" {
		t.Errorf("full-text search on the imported graph: %v, %v; want qualcomm first", hits, err)
	}
	got := readGraph(t, lab.Config())
	compareGraphs(t, got, want)

	// Files changed after Write: the importer, which takes the entities'
	// numbers as node ids, would not notice a missing entity or one twice.
	// The import refuses them, says which file, and the imported database
	// stays, file for file.
	lab.Run(t, "neo4j-stop")
	before := databaseFiles(t, lab)
	for _, c := range []struct {
		name string
		edit func(dir string)
		want string
	}{
		{"an entity removed", func(dir string) {
			editLines(t, filepath.Join(dir, bulk.EntitiesFile), `,Entity,"china",`, 0) // one line: its text has no line break
		}, "entities.csv has changed since it was written"},
		{"an entity twice", func(dir string) {
			editLines(t, filepath.Join(dir, bulk.EntitiesFile), `,Entity,"qualcomm",`, 2)
		}, "entities.csv has changed since it was written"},
		{"a file added", func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, "relationships-EXTRA.csv"), []byte(":START_ID,:END_ID,:TYPE\n0,1,CAUSED\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(filepath.Join(dir, bulk.ArgsFile), os.O_APPEND|os.O_WRONLY, 0)
			if err == nil {
				_, err = f.WriteString("\n--relationships=relationships-EXTRA.csv")
				f.Close()
			}
			if err != nil {
				t.Fatal(err)
			}
		}, "import.args has changed since it was written"},
		{"the sums removed", func(dir string) {
			if err := os.Remove(filepath.Join(dir, bulk.SumsFile)); err != nil {
				t.Fatal(err)
			}
		}, "import.sha256 not found"},
	} {
		bad := filepath.Join(t.TempDir(), "bad")
		if err := bulk.Write(bad, ds); err != nil {
			t.Fatal(err)
		}
		c.edit(bad)
		out, err := lab.Script("neo4j-import", "-overwrite", bad)
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("import with %s: %v\n%s\nwant a failure saying %q", c.name, err, out, c.want)
		}
		if after := databaseFiles(t, lab); !reflect.DeepEqual(after, before) {
			t.Errorf("a failed import (%s) with -overwrite changed the database it was to replace:\nbefore %v\nafter  %v", c.name, before, after)
		}
	}
}

// A bad dataset is refused before anything is written, and a failed import
// into a new state leaves no database there.
func TestBadImportWritesNothing(t *testing.T) {
	ds, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	ds.Relationships[0].To = "no-such-entity"
	dir := filepath.Join(t.TempDir(), "csv")
	err = bulk.Write(dir, ds)
	if err == nil || !strings.Contains(err.Error(), `refers to unknown entity "no-such-entity"`) {
		t.Errorf("bulk.Write of a dangling relationship: %v; want it refused, naming the entity", err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) > 0 {
		t.Errorf("a refused dataset left files: %v", names)
	}

	ds.Relationships[0].To = ds.Relationships[0].From
	if err := bulk.Write(dir, ds); err != nil {
		t.Fatal(err)
	}
	// A duplicate entity that the importer itself finds: ids checked as
	// strings (import.args without --id-type=ACTUAL, so no sums either).
	editLines(t, filepath.Join(dir, bulk.EntitiesFile), `,Entity,"qualcomm",`, 2)
	editLines(t, filepath.Join(dir, bulk.ArgsFile), "--id-type=", 0)
	lab := dbtest.NewOwn(t, "NEO4J_BULK_BOLT_PORT")
	out, err := lab.Script("neo4j-import", dir)
	if want := "duplicate"; err == nil || !strings.Contains(strings.ToLower(string(out)), want) {
		t.Errorf("import of a duplicate entity: %v\n%s\nwant a failure saying %q", err, out, want)
	}
	for _, d := range []string{"databases/neo4j", "transactions/neo4j"} {
		if _, err := os.Stat(filepath.Join(lab.State, "data", "data", d)); !os.IsNotExist(err) {
			t.Errorf("a failed import left %s (%v)", d, err)
		}
	}
}

// awkwardSeed is the seed with text the CSV files must carry exactly:
// quotes, commas, line breaks, the empty string inside a list, letters whose
// lower case Go and Java disagree on.
func awkwardSeed(t *testing.T) *kg.Dataset {
	t.Helper()
	ds, err := seed.Parse(seed.Files)
	if err != nil {
		t.Fatal(err)
	}
	set := func(id string, f func(e *kg.Entity)) {
		for i := range ds.Entities {
			if ds.Entities[i].ID == id {
				f(&ds.Entities[i])
				return
			}
		}
		t.Fatalf("no entity %q in the seed", id)
	}
	set("china", func(e *kg.Entity) { e.Name = `China, "the PRC" \ 中华人民共和国` })
	set("united-states", func(e *kg.Entity) { e.Aliases = []string{`U.S., "America"`, "", "USA"} })
	set("qualcomm", func(e *kg.Entity) { e.Description = "line one\nline two\r\nthree, \"quoted\"" })
	set("snowden-revelations", func(e *kg.Entity) { e.Name = "İstanbul ΟΔΥΣΣΕΥΣ Ǆemal" })
	set("pla-unit-61398", func(e *kg.Entity) { e.Aliases = []string{"one alias only"} })
	if probs := ds.Validate(); len(probs) > 0 {
		t.Fatalf("the awkward seed is invalid: %v", probs[0])
	}
	return ds
}

// graph is every entity and relationship with its properties, and the
// Cypher type of each value, by id.
type graph map[string]map[string]any

func readGraph(t *testing.T, cfg store.Config) graph {
	t.Helper()
	ctx := context.Background()
	password := cfg.Password
	if password == "" {
		b, err := os.ReadFile(cfg.PasswordFile)
		if err != nil {
			t.Fatal(err)
		}
		password = strings.TrimSpace(string(b))
	}
	d, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	g := graph{}
	for _, q := range []string{
		`MATCH (n:Entity) RETURN 'entity ' + n.id AS key, labels(n) AS what, properties(n) AS props,
		   [k IN keys(n) | k + ': ' + valueType(n[k])] AS types`,
		`MATCH (a:Entity)-[r]->(b:Entity) RETURN 'relationship ' + r.id AS key, [type(r), a.id, b.id] AS what, properties(r) AS props,
		   [k IN keys(r) | k + ': ' + valueType(r[k])] AS types`,
	} {
		res, err := neo4j.ExecuteQuery(ctx, d, q, nil, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range res.Records {
			key, _ := rec.Get("key")
			what, _ := rec.Get("what")
			props, _ := rec.Get("props")
			types, _ := rec.Get("types")
			ts := types.([]any)
			sort.Slice(ts, func(i, j int) bool { return ts[i].(string) < ts[j].(string) })
			g[key.(string)] = map[string]any{"labels or type and ends": what, "properties": props, "types": ts}
		}
	}
	return g
}

func compareGraphs(t *testing.T, got, want graph) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("imported: %d entities and relationships; loaded: %d", len(got), len(want))
	}
	diffs := 0
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !reflect.DeepEqual(got[k], want[k]) {
			if diffs++; diffs <= 5 {
				t.Errorf("%s:\nimported %#v\nloaded   %#v", k, got[k], want[k])
			}
		}
	}
	if diffs > 5 {
		t.Errorf("... %d differ in all", diffs)
	}
}

// editLines makes every line of file that holds part appear n times: 0
// drops it, 2 doubles it.
func editLines(t *testing.T, file, part string, n int) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	found := false
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if !strings.Contains(line, part) {
			out = append(out, line)
			continue
		}
		found = true
		for range n {
			out = append(out, line)
		}
	}
	if !found {
		t.Fatalf("%s has no line holding %s", file, part)
	}
	if err := os.WriteFile(file, []byte(strings.Join(out, "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// databaseFiles are the database's files, with their sizes and times.
func databaseFiles(t *testing.T, lab *dbtest.Own) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range []string{"databases/neo4j", "transactions/neo4j"} {
		root := filepath.Join(lab.State, "data", "data", d)
		err := filepath.Walk(root, func(path string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				out[strings.TrimPrefix(path, root)] = fmt.Sprint(fi.Size(), fi.ModTime())
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
