package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The README and the guides in docs/ show, for each root query, an example
// and what it returns. This test runs every example of every one of those
// files (a guide added to docs/ is picked up by the glob) against the seeded
// graph and requires the same data, so the documentation cannot drift from
// the API.
func TestREADMEExamplesMatchTheAPI(t *testing.T) {
	files, err := filepath.Glob("../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{"../README.md"}, files...)
	type example struct{ file, query, want string }
	var examples []example
	// A query block followed at once by the JSON it returns; a query block
	// without one (an example of a request alone) is not taken, nor may a
	// match run on across another fence.
	pattern := regexp.MustCompile("(?s)```graphql\n((?:[^`]|`[^`]|``[^`])*?)```\n+```json\n(.*?)```")
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pattern.FindAllSubmatch(text, -1) {
			examples = append(examples, example{filepath.Base(f), string(m[1]), string(m[2])})
		}
	}
	if len(examples) < 8 {
		t.Fatalf("found %d examples in the README and docs/, want one per root query", len(examples))
	}
	ts := newTestServer(t)
	for _, ex := range examples {
		q, want := ex.query, []byte(ex.want)
		status, resp := post(t, ts, q, nil)
		if status != 200 || len(resp.Errors) > 0 {
			t.Errorf("%s: example failed (%d %+v):\n%s", ex.file, status, resp.Errors, q)
			continue
		}
		got, _ := json.Marshal(map[string]any{"data": resp.Data})
		if !jsonEqual(t, got, want) {
			var pretty bytes.Buffer
			json.Indent(&pretty, got, "", "  ")
			t.Errorf("%s: example returns other data now:\n%s\ngot:\n%s", ex.file, q, pretty.String())
		}
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
