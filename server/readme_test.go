package main

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"
)

// The README shows, for each root query, an example and what it returns.
// This test runs every example against the seeded graph and requires the
// same data, so the documentation cannot drift from the API.
func TestREADMEExamplesMatchTheAPI(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile("(?s)```graphql\n(.*?)```\n+```json\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(examples) < 8 {
		t.Fatalf("found %d examples in the README, want one per root query", len(examples))
	}
	ts := newTestServer(t)
	for _, ex := range examples {
		q, want := string(ex[1]), ex[2]
		status, resp := post(t, ts, q, nil)
		if status != 200 || len(resp.Errors) > 0 {
			t.Errorf("README example failed (%d %+v):\n%s", status, resp.Errors, q)
			continue
		}
		got, _ := json.Marshal(map[string]any{"data": resp.Data})
		if !jsonEqual(t, got, want) {
			var pretty bytes.Buffer
			json.Indent(&pretty, got, "", "  ")
			t.Errorf("README example returns other data now:\n%s\ngot:\n%s", q, pretty.String())
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
