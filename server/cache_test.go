package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"cyberkg/internal/dbtest"
	"cyberkg/kg"
)

// A cached answer is served without Cypher, and a write acknowledged
// before a request starts is always in its answer: the version the cache
// keys on moved inside the write's transaction.
func TestResponseCacheNeverServesWhatAWriteReplaced(t *testing.T) {
	s, seeded := dbtest.Seeded(t)
	m := newMetrics()
	ts := serveWith(t, s, m)
	const query = `{ entity(id: "china") { name description } }`
	description := func(resp gqlResponse) string {
		var e struct{ Description string }
		if err := json.Unmarshal(resp.Data["entity"], &e); err != nil {
			t.Fatalf("%v: %s", err, resp.Data["entity"])
		}
		return e.Description
	}

	_, first := post(t, ts, query, nil)
	if first.Extensions["cached"] == true || first.Extensions["cypherQueries"].(float64) < 1 {
		t.Fatalf("the first answer came from the cache: %v", first.Extensions)
	}
	_, again := post(t, ts, "query {\n  entity(id: \"china\") {\n    name\n    description\n  }\n}", nil)
	if again.Extensions["cached"] != true || again.Extensions["cypherQueries"].(float64) != 0 {
		t.Fatalf("the same document, laid out otherwise, was not served from the cache: %v", again.Extensions)
	}
	if description(again) != description(first) {
		t.Fatalf("the cached answer differs: %q, %q", description(again), description(first))
	}

	changed := *seeded
	changed.Entities = slices.Clone(seeded.Entities)
	for i := range changed.Entities {
		if changed.Entities[i].ID == "china" {
			changed.Entities[i].Description = "changed by TestResponseCacheNeverServesWhatAWriteReplaced"
		}
	}
	ctx := context.Background()
	if err := s.Write(ctx, &changed); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Write(ctx, seeded); err != nil {
			t.Errorf("restore the seed: %v", err)
		}
	})
	_, after := post(t, ts, query, nil)
	if got := description(after); got != "changed by TestResponseCacheNeverServesWhatAWriteReplaced" || after.Extensions["cached"] == true {
		t.Fatalf("after the write was acknowledged the answer was %q (%v)", got, after.Extensions)
	}

	_, metrics := get(t, ts.URL+"/metrics")
	for _, want := range []string{"cyberkg_response_cache_hits_total 1", "cyberkg_response_cache_misses_total 2"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// A GET answer carries an ETag from the graph's version; asked again with
// it, the server answers 304 until a write moves the version.
func TestGETAnswersCarryAnETagFromTheVersion(t *testing.T) {
	s, seeded := dbtest.Seeded(t)
	ts := serve(t, s)
	u := ts.URL + "/graphql?query=" + url.QueryEscape(`{ entity(id: "china") { kind } }`)
	fetch := func(etag string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("GraphQL-Require-Preflight", "1") // see TestCSRFPrevention
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	first := fetch("")
	etag := first.Header.Get("ETag")
	if first.StatusCode != http.StatusOK || etag == "" || first.Header.Get("Cache-Control") != "public, no-cache" {
		t.Fatalf("GET: %d, ETag %q, Cache-Control %q", first.StatusCode, etag, first.Header.Get("Cache-Control"))
	}
	if again := fetch(etag); again.StatusCode != http.StatusNotModified {
		t.Fatalf("GET with If-None-Match: %d, want 304", again.StatusCode)
	}
	if err := s.Write(context.Background(), seeded); err != nil { // the same data, a new version
		t.Fatal(err)
	}
	after := fetch(etag)
	if after.StatusCode != http.StatusOK || after.Header.Get("ETag") == etag {
		t.Fatalf("after a write: %d, ETag %q (was %q)", after.StatusCode, after.Header.Get("ETag"), etag)
	}
}

// Curators and admins see what they may change: never a shared answer.
func TestOnlyAnonymousAndReaderQueriesAreCacheable(t *testing.T) {
	query := &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: ast.Query}}
	mutation := &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: ast.Mutation}}
	for _, tt := range []struct {
		role kg.Role
		oc   *graphql.OperationContext
		want bool
	}{
		{kg.RoleAnonymous, query, true},
		{kg.RoleReader, query, true},
		{kg.RoleCurator, query, false},
		{kg.RoleAdmin, query, false},
		{kg.RoleAnonymous, mutation, false},
	} {
		ctx := kg.NewContextWithActor(context.Background(), kg.Actor{ID: "x", Role: tt.role})
		if got := cacheable(ctx, tt.oc); got != tt.want {
			t.Errorf("role %v, %s: cacheable = %v", tt.role, tt.oc.Operation.Operation, got)
		}
	}
}
