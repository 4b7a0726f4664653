package main

import (
	"os"
	"regexp"
	"testing"
)

// Every GraphQL example of docs/clients.md runs without errors.
func TestClientsDocExamplesRun(t *testing.T) {
	doc, err := os.ReadFile("../docs/clients.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(examples) < 6 {
		t.Fatalf("found %d GraphQL examples in docs/clients.md", len(examples))
	}
	ts := newTestServer(t)
	for _, ex := range examples {
		q := string(ex[1])
		if status, resp := post(t, ts, q, nil); status != 200 || len(resp.Errors) > 0 {
			t.Errorf("docs/clients.md example failed (%d %+v):\n%s", status, resp.Errors, q)
		}
	}
}
