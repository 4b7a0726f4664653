package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
	"cyberkg/store"
)

// The README and the guides in docs/ show, for each root query, an example
// and what it returns. This test runs every example of every one of those
// files (a guide added to docs/ is picked up by the glob) against the seeded
// graph: an example followed at once by JSON must return that data, so the
// documentation cannot drift from the API; the examples of the guides that
// show requests alone (everyExampleRuns) must run without errors. Mutations
// are sent with a curator's key, and the graph is put back after each
// document, so that every document's examples start from the seed.
func TestREADMEExamplesMatchTheAPI(t *testing.T) {
	files, err := filepath.Glob("../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{"../README.md"}, files...)
	s, ds := dbtest.Seeded(t)
	before, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	curator, k, err := s.CreateKey(context.Background(), "the docs test's curator", kg.RoleCurator)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.DeleteKey(context.Background(), k.ID) })
	ts := serve(t, s)

	// A query block and, when the JSON it returns follows at once, that;
	// a match may not run on across another fence.
	pattern := regexp.MustCompile("(?s)```graphql\n((?:[^`]|`[^`]|``[^`])*?)```(?:\n+```json\n(.*?)```)?")
	compared := 0
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		blocks := pattern.FindAllSubmatch(text, -1)
		if min, ok := everyExampleRuns[name]; ok && len(blocks) < min {
			t.Errorf("%s: %d GraphQL examples, want at least %d", name, len(blocks), min)
		}
		wrote := false
		for _, m := range blocks {
			q, want := string(m[1]), m[2]
			_, all := everyExampleRuns[name]
			if want == nil && !all {
				continue // a request alone, in a guide that shows some
			}
			key := ""
			if strings.HasPrefix(strings.TrimSpace(q), "mutation") {
				key, wrote = curator, true
			}
			status, body := postDoc(t, ts.URL, key, q)
			var resp gqlResponse
			if err := json.Unmarshal(body, &resp); err != nil || status != 200 || len(resp.Errors) > 0 {
				t.Errorf("%s: example failed (%d %+v):\n%s", name, status, resp.Errors, q)
				continue
			}
			if bytes.Contains(body, []byte(`"userErrors":[{`)) {
				t.Errorf("%s: example's write was refused: %s\n%s", name, body, q)
			}
			if want == nil {
				continue
			}
			compared++
			got, _ := json.Marshal(map[string]any{"data": resp.Data})
			if !jsonEqual(t, got, want) {
				var pretty bytes.Buffer
				json.Indent(&pretty, got, "", "  ")
				t.Errorf("%s: example returns other data now:\n%s\ngot:\n%s", name, q, pretty.String())
			}
		}
		if wrote {
			restoreSeed(t, s, ds, before)
		}
	}
	if compared < 8 {
		t.Fatalf("found %d examples with their data in the README and docs/, want one per root query", compared)
	}
}

// everyExampleRuns are the guides all of whose GraphQL examples run, with
// the least number of examples each must have: the clients' guide (its
// named operations) and curation's (its mutations, in order).
var everyExampleRuns = map[string]int{"clients.md": 6, "curation.md": 4}

// postDoc posts a document as the holder of key ("" for anonymous).
func postDoc(t *testing.T, url, key, q string) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": q})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// restoreSeed makes the graph exactly the seed again, versions too.
func restoreSeed(t *testing.T, s *store.Store, ds *kg.Dataset, before map[string]string) {
	t.Helper()
	ctx := context.Background()
	if err := s.DeleteAll(ctx); err != nil {
		t.Fatalf("put the seed back: %v", err)
	}
	if err := s.Load(ctx, ds); err != nil {
		t.Fatalf("put the seed back: %v", err)
	}
	if after, err := s.Snapshot(ctx); err != nil || !reflect.DeepEqual(after, before) {
		t.Fatalf("the brief's graph is not what it was after putting the seed back (%v)", err)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("README output is not JSON: %v\n%s", err, b)
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}
